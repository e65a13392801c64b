import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DnsHitDetail, FileHitDetail, HttpHitDetail } from '../../src/core/model/hit-detail.js';
import type { Hit } from '../../src/core/model/hit.js';
import { describeHit } from '../../src/tokens/registry.js';

function hit(kind: string, detail: Hit['detail'], userAgent: string | null = null): Hit {
  return { id: '01hit', tokenId: 'tokenid234567abcdefghijklm', kind, at: '2030-01-01T00:00:00.000Z', source: '203.0.113.9', userAgent, detail };
}

const labels = (facts: { label: string }[]) => facts.map((f) => f.label);

describe('how token kinds describe their hits', () => {
  test('a web bug: the request line is the summary, the user agent, request and headers the facts', () => {
    const detail: HttpHitDetail = { type: 'http', method: 'GET', path: '/assets/x/logo.gif', query: 'a=1', headers: { 'user-agent': 'curl/8' } };
    const described = describeHit(hit('http', detail, 'curl/8'));
    assert.equal(described.summary, 'GET /assets/x/logo.gif?a=1');
    assert.deepEqual(labels(described.facts), ['User agent', 'Request', 'Headers']);
  });

  test("a decoy credential: the trigger's account leads, the client and the matched decoy credential follow", () => {
    const detail: HttpHitDetail = {
      type: 'http',
      method: 'GET',
      path: '/git/x/info/refs',
      query: 'service=git-upload-pack',
      headers: {},
      client: 'git',
      credential: { scheme: 'basic', carrier: 'authorization', user: 'deploy', decoy: 'git password' },
      summary: 'git GET /git/x/info/refs with basic user "deploy" (git password)',
    };
    const described = describeHit(hit('git-credentials', detail));
    assert.equal(described.summary, detail.summary);
    assert.deepEqual(labels(described.facts), ['What', 'Request', 'Client', 'Credential', 'Decoy credential']);
    assert.deepEqual(
      described.facts.slice(-2).map((f) => f.value),
      ['basic user "deploy" (authorization)', 'git password'],
    );
    // The same request on a web bug is described as a web bug's hit.
    assert.deepEqual(labels(describeHit(hit('http', detail)).facts), ['What', 'Request']);
  });

  test('a DNS question: the name asked, how, and the data packed in front', () => {
    const detail: DnsHitDetail = {
      type: 'dns',
      qtype: 'TXT',
      qclass: 'IN',
      name: 'nbswy3dp.x.canary.example',
      transport: 'tcp',
      data: 'hello',
      summary: 'DNS TXT nbswy3dp.x.canary.example via tcp',
    };
    const described = describeHit(hit('dns', detail));
    assert.equal(described.summary, detail.summary);
    assert.deepEqual(described.facts.slice(1), [
      { label: 'Query', value: 'TXT IN nbswy3dp.x.canary.example' },
      { label: 'Transport', value: 'tcp' },
      { label: 'Data', value: 'hello', long: true },
    ]);
  });

  test("a host process reading a container decoy's copy: the copy names the pod it belongs to, and no accessor pod is claimed", () => {
    const process = {
      pid: 4242,
      uid: 0,
      auid: null,
      binary: '/usr/bin/tar',
      arguments: ['-cf', '/backup.tar', '/proc/812/root/root/.ssh/id_rsa'],
      cwd: '/',
      startTime: '2030-01-01T00:00:00Z',
      execId: 'ZXhlYw',
      containerId: null,
      cgroup: '/system.slice/backup.service',
    };
    const detail: FileHitDetail = {
      type: 'file',
      summary: 'tar (pid 4242, uid 0) read /proc/812/root/root/.ssh/id_rsa',
      node: 'node-1',
      policy: 'ssh-key-decoy',
      hook: 'security_file_permission',
      actions: ['post'],
      access: {
        time: '2030-01-01T00:00:00Z',
        access: 'read',
        path: '/proc/812/root/root/.ssh/id_rsa',
        dev: 2049,
        ino: 1234,
        permission: true,
        decoyCopy: {
          decoy: 'ssh-key',
          pod: { namespace: 'shop', name: 'web-7d9f', uid: '0c1d2e3f-0000-4000-8000-000000000001' },
          container: { id: 'abc123', name: 'web' },
          path: '/root/.ssh/id_rsa',
        },
        process,
        parent: null,
      },
    };
    const described = describeHit(hit('file', detail));
    assert.deepEqual(labels(described.facts).slice(0, 4), ['What', 'Host', 'Decoy copy', 'File']);
    assert.equal(described.facts[2]!.value, 'shop/web-7d9f (container web) /root/.ssh/id_rsa');
    assert.equal(labels(described.facts).includes('Pod'), false);
    // Without the runtime's answer only the uid from the cgroup path names the pod.
    const unnamed = { ...detail.access!.decoyCopy!, pod: { namespace: '', name: '', uid: 'u-1' }, container: { id: 'abc123', name: '' } };
    const bare = describeHit(hit('file', { ...detail, access: { ...detail.access!, decoyCopy: unnamed } }));
    assert.equal(bare.facts[2]!.value, 'pod uid u-1 /root/.ssh/id_rsa');
  });

  test('a stored detail that is not what its tag says still describes as nothing rather than failing the page or the alert', () => {
    const broken = {
      type: 'file',
      node: 'db-1',
      policy: null,
      hook: null,
      actions: [],
      summary: 'x',
      access: { path: '/p', access: 'read', process: { binary: '/bin/cat' } },
    };
    assert.deepEqual(describeHit(hit('file', broken as unknown as FileHitDetail)), { summary: '', facts: [] });
  });

  test('a hit of a kind no longer registered is described by how it arrived', () => {
    const detail: HttpHitDetail = { type: 'http', method: 'POST', path: '/x', query: '', headers: {} };
    assert.equal(describeHit(hit('retired-kind', detail)).summary, 'POST /x');
  });
});
