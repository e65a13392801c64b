import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parse } from 'yaml';
import { newTokenId } from '../../src/core/ids.js';
import { DECOY_KINDS, generateDecoy } from '../../src/tokens/decoys/index.js';
import { sshKeyDecoy } from '../../src/tokens/decoys/ssh-key.js';

const context = { publicUrl: 'https://canary.example.com' };
const dir = mkdtempSync(join(tmpdir(), 'tripline-decoys-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function save(name: string, content: string): string {
  const file = join(dir, name);
  writeFileSync(file, content, { mode: 0o600 });
  return file;
}

function run(command: string, args: string[], env: Record<string, string> = {}): string {
  return execFileSync(command, args, { env: { ...process.env, ...env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

describe('decoy content', () => {
  it('writes an OpenSSH Ed25519 private key that ssh-keygen parses and derives the same public key from', () => {
    const key = sshKeyDecoy();
    assert.match(key.privateKey, /^-----BEGIN OPENSSH PRIVATE KEY-----\n([A-Za-z0-9+/=]{1,70}\n)+-----END OPENSSH PRIVATE KEY-----\n$/);
    const file = save('id_ed25519', key.privateKey);
    assert.equal(run('ssh-keygen', ['-y', '-f', file]).trim(), key.publicKey);
    const listed = run('ssh-keygen', ['-l', '-f', file]).trim();
    assert.equal(listed, `256 ${key.fingerprint} ${key.comment} (ED25519)`);
    assert.match(key.comment, /^[a-z-]+@[a-z0-9-]+$/);
  });

  it('makes fresh content every time, for every kind', () => {
    const id = newTokenId();
    for (const kind of DECOY_KINDS) {
      const contents = new Set(Array.from({ length: 5 }, () => generateDecoy(kind, id, context).content));
      assert.equal(contents.size, 5, `${kind}: five decoys, five different contents`);
      assert.equal(generateDecoy(kind, id, context).mode, 0o600);
    }
    const keys = new Set(Array.from({ length: 5 }, () => run('ssh-keygen', ['-y', '-f', save('k', generateDecoy('ssh-key', id, context).content)])));
    assert.equal(keys.size, 5, 'five different key pairs');
  });

  it('keeps the SSH key public half and fingerprint as facts', () => {
    const decoy = generateDecoy('ssh-key', newTokenId(), context);
    const file = save('facts', decoy.content);
    assert.equal(run('ssh-keygen', ['-y', '-f', file]).trim(), decoy.facts.publicKey);
    assert.match(decoy.facts.fingerprint!, /^SHA256:[A-Za-z0-9+/]{43}$/);
  });

  it('writes a kubeconfig that kubectl reads, pointing at the token on the server', () => {
    const id = newTokenId();
    const decoy = generateDecoy('kubeconfig', id, context);
    const doc = parse(decoy.content);
    assert.equal(doc.apiVersion, 'v1');
    assert.equal(doc.kind, 'Config');
    assert.equal(doc.clusters.length, 1);
    assert.equal(doc.clusters[0].cluster.server, `https://canary.example.com/k8s/clusters/c-${id}`);
    assert.equal(doc['current-context'], doc.contexts[0].name);
    assert.equal(doc.contexts[0].context.user, doc.users[0].name);
    assert.match(doc.users[0].user.token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
    const view = JSON.parse(run('kubectl', ['config', 'view', '--raw', '-o', 'json', '--kubeconfig', save('kubeconfig', decoy.content)]));
    assert.equal(view['current-context'], doc['current-context']);
    assert.equal(view.clusters[0].cluster.server, doc.clusters[0].cluster.server);
    assert.equal(decoy.credentials[0]!.secret, doc.users[0].user.token, 'the token is recorded, so using it names the decoy');
  });

  it('writes an AWS credentials file in INI shape that the AWS CLI reads', () => {
    const decoy = generateDecoy('aws-credentials', newTokenId(), context);
    const lines = decoy.content.trim().split('\n');
    assert.equal(lines[0], '[default]');
    assert.match(lines[1]!, /^aws_access_key_id = AKIA[A-Z2-7]{16}$/);
    assert.match(lines[2]!, /^aws_secret_access_key = [A-Za-z0-9+/]{40}$/);
    const file = save('credentials', decoy.content);
    const keyId = run('aws', ['configure', 'get', 'aws_access_key_id'], { AWS_SHARED_CREDENTIALS_FILE: file, AWS_CONFIG_FILE: join(dir, 'none') }).trim();
    assert.equal(keyId, lines[1]!.split(' = ')[1]);
    assert.equal(decoy.credentials[0]!.accessKeyId, keyId);
  });

  it('writes a .env file of KEY=value lines whose URLs name the token', () => {
    const id = newTokenId();
    const decoy = generateDecoy('env', id, context);
    const lines = decoy.content
      .trim()
      .split('\n')
      .filter((line) => !line.startsWith('#'));
    for (const line of lines) assert.match(line, /^[A-Z_]+=\S+$/);
    const urls = lines.filter((line) => /^[A-Z_]+_URL=https:\/\//.test(line));
    assert.ok(urls.length > 0);
    for (const line of urls) assert.ok(line.includes('canary.example.com') && line.includes(id), line);
  });

  it('writes a generic secret: saved Vault unseal keys and a root token', () => {
    const decoy = generateDecoy('generic', newTokenId(), context);
    const keys = decoy.content.match(/^Unseal Key \d: [A-Za-z0-9+/]{44}$/gm);
    assert.equal(keys?.length, 5);
    assert.match(decoy.content, /^Initial Root Token: hvs\.[A-Za-z0-9]{24}$/m);
  });
});
