import { Socket } from 'node:net';
import { packet } from '../../../src/server/listeners/mysql-protocol.js';
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

function lenenc(text: string): Buffer {
  const bytes = Buffer.from(text);
  return Buffer.concat([Buffer.from([bytes.length]), bytes]);
}

/** A HandshakeResponse41 as libmysqlclient sends it: PLUGIN_AUTH, CONNECT_WITH_DB, CONNECT_ATTRS, lenenc auth data. */
export function handshakeResponse(user: string, database = 'shop'): Buffer {
  const head = Buffer.alloc(32);
  head.writeUInt32LE(0x0200 | 0x8000 | 0x80000 | 0x8 | 0x100000 | 0x200000 | 0x1 | 0x4, 0);
  head.writeUInt32LE(16_777_216, 4);
  head[8] = 45;
  const attributes = Buffer.concat([lenenc('_client_name'), lenenc('libmariadb'), lenenc('program_name'), lenenc('mysql')]);
  const payload = Buffer.concat([
    head,
    Buffer.from(`${user}\0`),
    Buffer.from([20]),
    Buffer.alloc(20, 9),
    Buffer.from(`${database}\0`),
    Buffer.from('mysql_native_password\0'),
    Buffer.from([attributes.length]),
    attributes,
  ]);
  return packet(1, payload);
}

/** One SMTP mail transaction as a client pipelines it after the banner. */
export function smtpSession(to: string, subject = 'hello', body = 'hi'): Buffer[] {
  return [
    Buffer.from('EHLO client.example.test\r\n'),
    Buffer.from('MAIL FROM:<sender@example.test>\r\n'),
    Buffer.from(`RCPT TO:<${to}>\r\n`),
    Buffer.from('DATA\r\n'),
    Buffer.from(`Subject: ${subject}\r\nFrom: sender@example.test\r\n\r\n${body}\r\n.\r\n`),
    Buffer.from('QUIT\r\n'),
  ];
}
