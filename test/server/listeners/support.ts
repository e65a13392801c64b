import { Socket } from 'node:net';
import { startTestServer, type TestServer } from '../../support/server.js';

export const MAIL_DOMAIN = 'mail.example.test';

export type ListenersTestServer = TestServer & { ports: { ssh: number; mysql: number; smtp: number; wireguard: number } };

/** A Tripline server in this process with every credential listener on a free loopback port. */
export async function startListenersTestServer(): Promise<ListenersTestServer> {
  const any = { host: '127.0.0.1', port: 0 };
  const server = await startTestServer({ credentialListeners: { ssh: any, mysql: any, smtp: any, wireguard: any, mailDomain: MAIL_DOMAIN } });
  const { ssh, mysql, smtp, wireguard } = server.server.listeners;
  return Object.assign(server, { ports: { ssh: ssh!, mysql: mysql!, smtp: smtp!, wireguard: wireguard! } });
}

/**
 * Opens a connection, sends the pieces (each as its own write; after the server's first bytes
 * when `afterGreeting`, as SMTP clients wait for the banner), and collects what comes back until
 * the server closes or `waitMs` passes; then closes its side.
 */
export function exchange(port: number, pieces: Buffer[], waitMs = 300, afterGreeting = false): Promise<Buffer> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const chunks: Buffer[] = [];
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(Buffer.concat(chunks));
    };
    const timer = setTimeout(finish, waitMs);
    const send = () => {
      for (const piece of pieces) socket.write(piece);
    };
    socket.on('data', (chunk: Buffer) => {
      if (afterGreeting && chunks.length === 0) send();
      chunks.push(chunk);
    });
    socket.on('error', finish);
    socket.on('close', finish);
    socket.connect(port, '127.0.0.1', () => {
      if (!afterGreeting) send();
    });
  });
}

/** Runs `task` for inputs 0, 1, ... `width` at a time, until `count` ran or the deadline passed; returns how many ran. */
export async function fuzzLoop(count: number, width: number, deadlineMs: number, task: (i: number) => Promise<void>): Promise<number> {
  const deadline = Date.now() + deadlineMs;
  let next = 0;
  const worker = async () => {
    while (next < count && Date.now() < deadline) await task(next++);
  };
  await Promise.all(Array.from({ length: width }, worker));
  return next;
}
