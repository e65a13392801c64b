/**
 * wireguard tokens: Debian's wireguard-go, configured with `wg setconf` from the artifact inside a
 * network namespace the test makes (joined to the host by a veth pair), sends its handshake to
 * the WireGuard listener of a real `tripline server` process.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { hitsOf, waitForHits } from '../support/api.js';
import { freePort } from '../support/ports.js';
import { listenArgs, runCli, spawnServer, type ServerProcess } from '../support/process.js';
import { cleanEnv, run, scratch } from './credentials-support.js';

const ENV = cleanEnv('/tmp');
/** Per-run names and a /30 of their own, so parallel runs and leftovers do not collide. */
const tag = (process.pid % 50_000).toString(36);
const NETNS = `tl-wg-${tag}`;
const VETH_HOST = `tlw${tag}h`;
const VETH_NS = `tlw${tag}n`;
const OCTET = 4 * (process.pid % 60);
const HOST_ADDRESS = `10.213.${Math.floor(process.pid / 60) % 250}.${OCTET + 1}`;
const NS_ADDRESS = `10.213.${Math.floor(process.pid / 60) % 250}.${OCTET + 2}`;

async function sh(file: string, args: string[]): Promise<string> {
  const result = await run(file, args, ENV);
  if (result.code !== 0) throw new Error(`${file} ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

const inNs = (file: string, args: string[]) => sh('ip', ['netns', 'exec', NETNS, file, ...args]);

describe('wireguard tokens with wireguard-go', () => {
  const work = scratch('wireguard');
  const devices: ChildProcess[] = [];
  let server: ServerProcess;
  let env: Record<string, string>;
  let port: number;

  before(async () => {
    await sh('ip', ['netns', 'add', NETNS]);
    await sh('ip', ['link', 'add', VETH_HOST, 'type', 'veth', 'peer', 'name', VETH_NS]);
    await sh('ip', ['link', 'set', VETH_NS, 'netns', NETNS]);
    await sh('ip', ['addr', 'add', `${HOST_ADDRESS}/30`, 'dev', VETH_HOST]);
    await sh('ip', ['link', 'set', VETH_HOST, 'up']);
    await inNs('ip', ['addr', 'add', `${NS_ADDRESS}/30`, 'dev', VETH_NS]);
    await inNs('ip', ['link', 'set', VETH_NS, 'up']);
    await inNs('ip', ['link', 'set', 'lo', 'up']);
    port = await freePort(HOST_ADDRESS);
    server = await spawnServer(
      [...(await listenArgs()), '--db', join(work.dir, 'tripline.db'), '--wireguard-listen', `${HOST_ADDRESS}:${port}`, '--public-host', HOST_ADDRESS],
      { TRIPLINE_ADMIN_KEY: 'k'.repeat(40) },
    );
    env = { TRIPLINE_URL: server.adminUrl, TRIPLINE_KEY: server.key };
  });

  after(async () => {
    for (const device of devices) device.kill('SIGTERM');
    await Promise.all(devices.map((device) => new Promise((resolve) => (device.exitCode === null ? device.once('exit', resolve) : resolve(null)))));
    await run('ip', ['netns', 'del', NETNS], ENV);
    await run('ip', ['link', 'del', VETH_HOST], ENV);
    await server?.stop();
    work.remove();
  });

  /** A wireguard-go interface in the namespace, configured with `wg setconf` and brought up. */
  async function tunnel(name: string, config: string): Promise<void> {
    const device = spawn('ip', ['netns', 'exec', NETNS, 'wireguard-go', name], { env: { ...ENV, WG_PROCESS_FOREGROUND: '1' }, stdio: 'ignore' });
    devices.push(device);
    for (let i = 0; i < 100; i++) {
      if ((await run('ip', ['netns', 'exec', NETNS, 'wg', 'show', name], ENV)).code === 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    // wg setconf reads the wg(8) format: wg-quick's Address (and DNS) lines are not part of it.
    const stripped = join(work.dir, `${name}.conf`);
    writeFileSync(stripped, config.replace(/^(Address|DNS) = .*\n/gm, ''), { mode: 0o600 });
    await inNs('wg', ['setconf', name, stripped]);
    await inNs('ip', ['link', 'set', name, 'up']);
  }

  it('token create --kind wireguard --out DIR writes wg0.conf; bringing it up records a hit naming the client key', async () => {
    const dir = join(work.dir, 'token');
    mkdirSync(dir);
    const created = await runCli(['token', 'create', '--kind', 'wireguard', '--memo', 'vpn config on the laptop', '--out', dir, '--json'], env);
    assert.equal(created.code, 0, created.stderr);
    const token = JSON.parse(created.stdout);
    const config = readFileSync(join(dir, 'wg0.conf'), 'utf8');
    assert.match(config, new RegExp(`Endpoint = ${HOST_ADDRESS.replace(/\./g, '\\.')}:${port}`));
    const privateKey = /^PrivateKey = (\S+)$/m.exec(config)![1]!;
    const publicKey = (await run('sh', ['-c', `printf '%s' '${privateKey}' | wg pubkey`], ENV)).stdout.trim();

    await tunnel('tlwg0', config);
    const [hit] = await waitForHits(server, token.id);
    assert.ok(hit, 'the handshake was recorded');
    assert.equal(hit.detail.type, 'wireguard');
    assert.equal(hit.detail.publicKey, publicKey);
    assert.equal(hit.source, NS_ADDRESS);
    assert.ok(!Number.isNaN(Date.parse(hit.detail.handshakeTime)), 'the client clock is read from the handshake');
    const shown = await inNs('wg', ['show', 'tlwg0', 'transfer']);
    assert.match(shown, /\t0\t\d+$/m, 'the listener never answers');
  });

  it('a config with another client key is read and records nothing', async () => {
    const { body: token } = await server.api('POST', '/tokens', { kind: 'wireguard', memo: 'control' });
    const stranger = (await sh('wg', ['genkey'])).trim();
    const config = token.artifact.file.content.replace(/^PrivateKey = .*$/m, `PrivateKey = ${stranger}`);
    await tunnel('tlwg1', config);
    let sent = 0;
    for (let i = 0; i < 100 && sent < 148; i++) {
      sent = Number(/\t\d+\t(\d+)$/m.exec(await inNs('wg', ['show', 'tlwg1', 'transfer']))?.[1] ?? 0);
      if (sent < 148) await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(sent >= 148, 'the stranger sent its handshake');
    // Give the listener the moment it takes to read the datagram; a hit would be there by then.
    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(await hitsOf(server, token.id), []);
  });
});
