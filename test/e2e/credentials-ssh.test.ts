/**
 * ssh-key tokens used by Debian's OpenSSH client against the SSH listener of a real `tripline
 * server` process: the key offered, the key signed with, another key, and the planted decoy.
 */
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { hitsOf, waitForHits } from '../support/api.js';
import { freePort } from '../support/ports.js';
import { listenArgs, runCli, spawnServer, type ServerProcess } from '../support/process.js';
import { cleanEnv, run, scratch } from './credentials-support.js';

/** Options that keep ssh from prompting or remembering anything of the machine or the test. */
const SSH_OPTIONS = ['-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'ConnectTimeout=10'];

describe('ssh-key tokens used by the OpenSSH client', () => {
  const work = scratch('ssh');
  let server: ServerProcess;
  let sshPort: number;
  let env: Record<string, string>;
  before(async () => {
    sshPort = await freePort();
    server = await spawnServer([...(await listenArgs()), '--db', join(work.dir, 'tripline.db'), '--ssh-listen', `127.0.0.1:${sshPort}`], {
      TRIPLINE_ADMIN_KEY: 'k'.repeat(40),
    });
    env = { TRIPLINE_URL: server.adminUrl, TRIPLINE_KEY: server.key };
  });
  after(async () => {
    await server.stop();
    work.remove();
  });

  /** ssh <alias> as an intruder would run it with the stolen files, pointed at them with -F and -i. */
  async function ssh(config: string, alias: string, identity: string): Promise<{ code: number; stderr: string }> {
    return run('ssh', ['-F', config, '-i', identity, ...SSH_OPTIONS, alias, 'true'], cleanEnv(work.dir), undefined, 30_000);
  }

  async function createToken(memo: string, extra: string[] = []): Promise<{ id: string; dir: string; alias: string; keyFile: string; token: any }> {
    const dir = join(work.dir, memo.replace(/\W+/g, '-'));
    await run('mkdir', ['-p', dir], cleanEnv(work.dir));
    const created = await runCli(['token', 'create', '--kind', 'ssh-key', '--memo', memo, '--out', dir, '--json', ...extra], env);
    assert.equal(created.code, 0, created.stderr);
    const token = JSON.parse(created.stdout);
    const alias = /^Host (\S+)$/m.exec(readFileSync(join(dir, 'config'), 'utf8'))![1]!;
    return { id: token.id, dir, alias, keyFile: join(dir, token.artifact.file.name), token };
  }

  it('token create --kind ssh-key --out DIR writes the key, its public half and a config block that leads to the listener', async () => {
    const { dir, keyFile, token } = await createToken('key on the build box');
    const config = readFileSync(join(dir, 'config'), 'utf8');
    assert.match(
      config,
      new RegExp(
        `HostName 127\\.0\\.0\\.1\\n\\s+Port ${sshPort}\\n\\s+User \\S+\\n\\s+IdentityFile ~/\\.ssh/${token.artifact.file.name}\\n\\s+IdentitiesOnly yes`,
      ),
    );
    assert.match(readFileSync(keyFile, 'utf8'), /^-----BEGIN OPENSSH PRIVATE KEY-----/);
    const derived = await run('ssh-keygen', ['-y', '-f', keyFile], cleanEnv(work.dir));
    assert.equal(derived.code, 0, derived.stderr);
    assert.equal(derived.stdout.trim().split(' ').slice(0, 2).join(' '), readFileSync(`${keyFile}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' '));
    assert.deepEqual(
      token.artifact.extraFiles.map((f: { name: string }) => f.name),
      [`${token.artifact.file.name}.pub`, 'config'],
    );
  });

  it('ssh with the private key records one "private-key-used" hit naming the user and client version, and is refused', async () => {
    const { id, dir, alias, keyFile } = await createToken('ed25519 key in backup');
    const result = await ssh(join(dir, 'config'), alias, keyFile);
    assert.equal(result.code, 255);
    assert.match(result.stderr, /Permission denied \(publickey,password\)/);
    const hits = await hitsOf(server, id);
    assert.equal(hits.length, 1, JSON.stringify(hits));
    const [hit] = hits;
    const user = /User (\S+)/.exec(readFileSync(join(dir, 'config'), 'utf8'))![1];
    assert.equal(hit.detail.type, 'ssh');
    assert.equal(hit.detail.level, 'private-key-used');
    assert.equal(hit.detail.user, user);
    assert.match(hit.detail.clientVersion, /^SSH-2\.0-OpenSSH_/);
    assert.equal(hit.source, '127.0.0.1');
    assert.ok(hit.facts.some((f: { label: string; value: string }) => f.label === 'Level' && f.value === 'private-key-used'));
  });

  it('an RSA key works the same', async () => {
    const { id, dir, alias, keyFile } = await createToken('rsa key in backup', ['--option', 'keyType=rsa']);
    assert.match(readFileSync(keyFile, 'utf8'), /^-----BEGIN RSA PRIVATE KEY-----/);
    await ssh(join(dir, 'config'), alias, keyFile);
    const hits = await hitsOf(server, id);
    assert.deepEqual(
      hits.map((h) => [h.detail.level, h.detail.keyType]),
      [['private-key-used', 'ssh-rsa']],
    );
  });

  it('a client holding only the public half records "key-offered"; the session is refused', async () => {
    const { id, dir, alias, keyFile } = await createToken('public half only');
    // Only the .pub is there (ssh -i key.pub, as with a key held by an agent elsewhere): ssh offers
    // it, hears the key would do, and cannot sign.
    const lone = join(work.dir, 'lone-key.pub');
    copyFileSync(`${keyFile}.pub`, lone);
    const result = await ssh(join(dir, 'config'), alias, lone);
    assert.equal(result.code, 255);
    assert.match(result.stderr, /Permission denied/);
    // The offer is recorded when the connection ends, just after ssh exits.
    const hits = await waitForHits(server, id);
    assert.deepEqual(
      hits.map((h) => h.detail.level),
      ['key-offered'],
    );
  });

  it('an unrelated key records nothing and is refused with the same words', async () => {
    const { id, dir, alias } = await createToken('unrelated key control');
    const other = join(work.dir, 'unrelated');
    const made = await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', other], cleanEnv(work.dir));
    assert.equal(made.code, 0, made.stderr);
    const result = await ssh(join(dir, 'config'), alias, other);
    assert.equal(result.code, 255);
    assert.match(result.stderr, /Permission denied \(publickey,password\)/);
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(await hitsOf(server, id), []);
  });

  it('decoy plant --kind ssh-key plants a key that also fires when offered to the listener', async () => {
    const path = join(work.dir, 'planted', 'id_ed25519');
    const planted = await runCli(['decoy', 'plant', '--kind', 'ssh-key', '--path', path, '--policy-dir', join(work.dir, 'policies'), '--json'], env);
    assert.equal(planted.code, 0, planted.stderr);
    const { tokenId } = JSON.parse(planted.stdout);
    const config = join(work.dir, 'planted-config');
    writeFileSync(config, `Host stolen\n  HostName 127.0.0.1\n  Port ${sshPort}\n  User root\n  IdentitiesOnly yes\n`);
    await ssh(config, 'stolen', path);
    const hits = await hitsOf(server, tokenId);
    assert.deepEqual(
      hits.map((h) => [h.kind, h.detail.type, h.detail.level, h.detail.user]),
      [['file', 'ssh', 'private-key-used', 'root']],
    );
  });

  it('refuses to create an ssh-key token on a server without --ssh-listen, naming the flag', async () => {
    const bare = await spawnServer([...(await listenArgs()), '--db', join(work.dir, 'bare.db')], { TRIPLINE_ADMIN_KEY: 'b'.repeat(40) });
    try {
      const result = await runCli(['token', 'create', '--kind', 'ssh-key', '--memo', 'x'], { TRIPLINE_URL: bare.adminUrl, TRIPLINE_KEY: bare.key });
      assert.equal(result.code, 1);
      assert.match(result.stderr, /--ssh-listen HOST:PORT/);
    } finally {
      await bare.stop();
    }
  });
});
