/**
 * tetragon-input against Tetragon's documented export format and its own protos (no Tetragon
 * here): recorded export lines, with and without a pod, across a rotation and restarts, become
 * exactly one hit each; a gRPC server in the test speaking Tetragon's FineGuidanceSensors streams
 * the same events, which become hits with the same content; events of other policies are ignored.
 */
import assert from 'node:assert/strict';
import { appendFile, mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import pino from 'pino';
import { TetragonInput } from '../../../src/agent/tetragon/input.js';
import { tetragonProto } from '../../../src/agent/tetragon/grpc-source.js';
import { hitsOf } from '../../support/api.js';
import { startTestServer, type TestServer } from '../../support/server.js';
import { waitFor } from '../../support/wait.js';
import { policy } from '../support/policies.js';
import { exportLine, grpcEvent, type Kprobe } from './events.js';

const NODE = 'kind-control-plane';
const log = pino({ level: process.env.TRIPLINE_TEST_LOG ?? 'silent' });

/** The pod context a hit carries for the pod events.ts describes (Tetragon's docs example). */
const podOf = (containerId: string) => ({
  namespace: 'demo-app',
  name: 'xwing',
  uid: '2e8b1a3c-6f0d-4c1e-9a57-3f4d2b7c8e10',
  labels: { 'app.kubernetes.io/name': 'xwing', class: 'xwing', org: 'alliance' },
  container: { id: containerId, name: 'spaceship', image: 'docker.io/tgraf/netperf:latest' },
});

describe("tetragon-input (Tetragon's documented export format and its protos; no Tetragon here)", () => {
  let server: TestServer;
  let dir: string;
  let token: string;
  let agentKey: string;
  // An hour ago: the server refuses event times ahead of its clock.
  let time = Date.now() - 3_600_000;

  const kprobe = (overrides: Partial<Kprobe>): Kprobe => {
    time += 1000;
    return {
      policy: 'tripline-passwd',
      pid: 4000,
      binary: '/usr/bin/cat',
      arguments: '/etc/passwd',
      path: '/etc/passwd',
      mask: 4,
      time: new Date(time).toISOString(),
      ...overrides,
    };
  };
  const hits = async () => (await hitsOf(server, token)) as any[];
  const byPid = async (pid: number) => (await hits()).filter((h) => h.detail.access.process.pid === pid);

  function start(source: { exportFile: string } | { grpc: string }, state: string): Promise<TetragonInput> {
    return TetragonInput.start({
      source,
      policyDir: join(dir, 'policies'),
      nodeName: NODE,
      server: { url: server.adminUrl, key: agentKey, heartbeatMs: 60_000 },
      stateDir: join(dir, state),
      log,
    });
  }

  before(async () => {
    server = await startTestServer();
    dir = await mkdtemp(join(tmpdir(), 'tripline-tetragon-'));
    const created = await server.api('POST', '/tokens', { kind: 'file', memo: 'passwd watched by Tetragon', options: { path: '/etc/passwd' } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    token = created.body.id;
    agentKey = (await server.api('POST', '/agents', { name: NODE })).body.key;
    await mkdir(join(dir, 'policies'));
    await writeFile(
      join(dir, 'policies', 'passwd.yaml'),
      policy({ name: 'tripline-passwd', path: '/etc/passwd', mask: '4', labels: { 'tripline/token': token } }),
    );
    await writeFile(join(dir, 'policies', 'other.yaml'), policy({ name: 'other-policy', path: '/etc/shadow', mask: '4' }));
  });

  after(async () => {
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('export lines with and without a pod, across a rotation and restarts, become exactly one hit each; other policies are ignored', async () => {
    const file = join(dir, 'tetragon.log');
    await writeFile(
      file,
      `${[
        exportLine(kprobe({ pid: 101, mask: 2, pod: { namespace: 'demo-app', name: 'xwing', containerId: 'a'.repeat(64) } })),
        exportLine(kprobe({ pid: 102 })),
        exportLine(kprobe({ pid: 103, policy: 'other-policy', path: '/etc/shadow' })),
      ].join('\n')}\n`,
    );
    let input = await start({ exportFile: file }, 'state-export');
    await waitFor('two hits', async () => (await hits()).length === 2);
    const [inPod] = await byPid(101);
    assert.equal(inPod.source, NODE);
    assert.equal(inPod.detail.policy, 'tripline-passwd');
    assert.equal(inPod.detail.hook, 'security_file_permission');
    assert.equal(inPod.detail.access.access, 'write');
    assert.equal(inPod.detail.access.path, '/etc/passwd');
    assert.equal(inPod.detail.access.process.binary, '/usr/bin/cat');
    assert.deepEqual(inPod.detail.access.process.arguments, ['/etc/passwd']);
    assert.equal(inPod.detail.access.process.containerId, 'a'.repeat(64));
    assert.deepEqual(inPod.detail.access.process.pod, podOf('a'.repeat(64)), 'the pod is named as the agent names it');
    assert.equal(inPod.detail.access.process.auid, null);
    assert.equal(inPod.detail.access.parent.binary, '/bin/bash');
    const [onHost] = await byPid(102);
    assert.equal(onHost.detail.access.access, 'read');
    assert.equal(onHost.detail.access.process.containerId, null);
    assert.equal(onHost.detail.access.process.pod, undefined);

    // Stopped; Tetragon writes one more line, rotates, and writes to the new file.
    await input.stop();
    await appendFile(file, `${exportLine(kprobe({ pid: 104 }))}\n`);
    await rename(file, join(dir, 'tetragon-2030-01-01T00-00-10.000.log'));
    await writeFile(file, `${exportLine(kprobe({ pid: 105 }))}\n`);
    input = await start({ exportFile: file }, 'state-export');
    await waitFor('the hits written while it was down', async () => (await hits()).length === 4);
    await appendFile(file, `${exportLine(kprobe({ pid: 106 }))}\n`);
    await waitFor('a hit written while it runs', async () => (await byPid(106)).length === 1);
    await input.stop();

    // Restarted with nothing new: it reads on from its position, and nothing is counted again.
    input = await start({ exportFile: file }, 'state-export');
    const size = (await stat(file)).size;
    await waitFor(
      'the position at the end of the new file',
      async () => JSON.parse(await readFile(join(dir, 'state-export', 'export-position.json'), 'utf8')).offset === size,
    );
    await input.stop();
    const all = await hits();
    assert.deepEqual(all.map((h) => h.detail.access.process.pid).sort(), [101, 102, 104, 105, 106]);
    assert.equal((await server.api('GET', `/tokens/${token}`)).body.hitCount, 5, 'exactly one hit per event');
  });

  it("a gRPC server speaking Tetragon's FineGuidanceSensors streams events that become hits with the same content, across a reconnect", async () => {
    const requests: any[] = [];
    let calls = 0;
    const grpcServer = new grpc.Server();
    const service = (tetragonProto().FineGuidanceSensors as any).service;
    const sent = [
      kprobe({ pid: 201, mask: 2, pod: { namespace: 'demo-app', name: 'xwing', containerId: 'b'.repeat(64) } }),
      kprobe({ pid: 202, policy: 'other-policy', path: '/etc/shadow' }),
    ];
    const later = kprobe({ pid: 203 });
    grpcServer.addService(service, {
      GetEvents(call: grpc.ServerWritableStream<any, any>) {
        requests.push(call.request);
        calls += 1;
        if (calls === 1) {
          for (const k of sent) call.write(grpcEvent(k));
          // The stream ends (Tetragon restarted): the input reconnects.
          call.end();
        } else {
          call.write(grpcEvent(later));
          call.on('cancelled', () => call.end());
        }
      },
    });
    const port = await new Promise<number>((resolve, reject) =>
      grpcServer.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, bound) => (err ? reject(err) : resolve(bound))),
    );
    const input = await start({ grpc: `127.0.0.1:${port}` }, 'state-grpc');
    try {
      await waitFor('the hits from both streams', async () => (await byPid(201)).length === 1 && (await byPid(203)).length === 1);
      assert.deepEqual(requests[0].allow_list[0].policy_names, ['tripline-passwd'], 'asks for the labelled policies only');
      assert.deepEqual(requests[0].allow_list[0].event_set, ['PROCESS_KPROBE']);
      const [grpcHit] = await byPid(201);
      const [exportHit] = await byPid(101);
      // Same content as the export's event of the same shape, the pid and times aside.
      const content = (h: any) => ({
        access: h.detail.access.access,
        path: h.detail.access.path,
        binary: h.detail.access.process.binary,
        arguments: h.detail.access.process.arguments,
        uid: h.detail.access.process.uid,
        auid: h.detail.access.process.auid,
        cwd: h.detail.access.process.cwd,
        startTime: h.detail.access.process.startTime,
        parent: h.detail.access.parent.binary,
        policy: h.detail.policy,
        hook: h.detail.hook,
        source: h.source,
      });
      assert.deepEqual(content(grpcHit), content(exportHit));
      assert.equal(grpcHit.detail.access.process.containerId, 'b'.repeat(64));
      assert.deepEqual(grpcHit.detail.access.process.pod, podOf('b'.repeat(64)));
      assert.equal((await byPid(203))[0].detail.access.process.pod, undefined);
      assert.equal(grpcHit.detail.access.process.pid, 201);
      assert.equal((await byPid(202)).length, 0, 'events of other policies are ignored');
    } finally {
      await input.stop();
      grpcServer.forceShutdown();
    }
  });
});
