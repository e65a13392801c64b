/**
 * Clients of one credential listener opening connections (WireGuard: sending handshakes) at a
 * fixed rate until the parent says stop, then how many completed and in how many seconds. Forked
 * by run.ts with an IPC channel; every client names the live token, so each one records a hit.
 * Usage (forked): load.ts ssh|mysql|smtp|wireguard <port> <rate per second> <token artifact JSON>
 */
import { createSocket } from 'node:dgram';
import { setTimeout as sleep } from 'node:timers/promises';
import ssh2 from 'ssh2';
import { wireguardPublicKeyOf } from '../../src/tokens/decoys/wireguard-keys.js';
import { exchange, handshakeResponse, smtpSession } from '../../test/server/listeners/support.js';
import { handshakeInitiation } from '../../test/support/wireguard-initiator.js';

/** Connections open at once at most; past it the client waits, as a pool would. */
const MAX_OPEN = 8;
/** WireGuard: client networks the datagrams come from, so the listener's per-network rate is not what is measured. */
const WIREGUARD_NETWORKS = 40;

const [listener, portText, rateText, artifactJson] = process.argv.slice(2);
const port = Number(portText);
const rate = Number(rateText);
const artifact = JSON.parse(artifactJson ?? '{}') as { file?: { content: string }; address?: string; user?: string };
if (!listener || !port || !process.send) throw new Error('fork with: <listener> <port> <artifact JSON>');

let stopping = false;
process.once('message', () => (stopping = true));

function sshLogin(): Promise<void> {
  return new Promise((resolve) => {
    const client = new ssh2.Client();
    client.on('error', () => {
      client.end();
      resolve();
    });
    client.on('ready', () => {
      client.end();
      resolve();
    });
    client.connect({ host: '127.0.0.1', port, username: 'deploy', privateKey: artifact.file!.content, readyTimeout: 20_000 });
  });
}

const once: Record<string, () => Promise<unknown>> = {
  ssh: sshLogin,
  mysql: () => exchange(port, [handshakeResponse(artifact.user!)], 5000, true),
  smtp: () => exchange(port, smtpSession(artifact.address!), 5000, true),
};

let done = 0;
const startedAt = performance.now();
if (listener === 'wireguard') {
  const content = artifact.file!.content;
  const privateKey = /^PrivateKey = (\S+)$/m.exec(content)![1]!;
  const serverKey = /^PublicKey = (\S+)$/m.exec(content)![1]!;
  const client = { privateKey, publicKey: wireguardPublicKeyOf(privateKey) };
  const sockets = Array.from({ length: WIREGUARD_NETWORKS }, (_, i) => {
    const socket = createSocket('udp4');
    socket.bind(0, `127.0.${i + 1}.1`);
    return socket;
  });
  const messages = Array.from({ length: 64 }, (_, i) => handshakeInitiation(client, serverKey, i + 1));
  while (!stopping) {
    const tick = performance.now();
    for (let i = 0; i < rate / 10; i++, done++) sockets[done % WIREGUARD_NETWORKS]!.send(messages[done % messages.length]!, port, '127.0.0.1');
    await sleep(Math.max(0, 100 - (performance.now() - tick)));
  }
  for (const socket of sockets) socket.close();
} else {
  const connect = once[listener];
  if (!connect) throw new Error(`unknown listener ${listener}`);
  const open = new Set<Promise<unknown>>();
  for (let started = 0; !stopping; started++) {
    const due = started * (1000 / rate);
    await sleep(Math.max(0, due - (performance.now() - startedAt)));
    if (open.size >= MAX_OPEN) await Promise.race(open);
    const connection: Promise<unknown> = connect().then(() => {
      done++;
      open.delete(connection);
    });
    open.add(connection);
  }
  await Promise.all(open);
}
process.send({ connections: done, seconds: (performance.now() - startedAt) / 1000 }, () => process.exit(0));
