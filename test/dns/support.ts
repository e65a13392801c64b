import { createSocket } from 'node:dgram';
import { Socket } from 'node:net';
import dnsPacket from 'dns-packet';
import type { DnsServerOptions } from '../../src/server/dns/dns-server.js';
import { startTestServer, type TestServer } from '../support/server.js';

export const ZONE = 'canary.example.test';

/** A Tripline server in this process with its DNS listener on a free loopback port. */
export async function startDnsTestServer(
  addresses = ['127.0.0.1', '::1'],
  nameservers?: string[],
  limits: Pick<DnsServerOptions, 'answerRate' | 'tcp'> = {},
): Promise<TestServer & { dnsPort: number }> {
  const server = await startTestServer({ dns: { zone: ZONE, port: 0, addresses, nameservers, ...limits } });
  return Object.assign(server, { dnsPort: server.server.dns!.port });
}

export function encodeQuery(name: string, type: dnsPacket.RecordType = 'A', id = 1, edns = true): Buffer {
  return dnsPacket.encode({
    type: 'query',
    id,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ name, type, class: 'IN' }],
    additionals: edns ? [{ name: '.', type: 'OPT', udpPayloadSize: 1232, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }] : [],
  });
}

/**
 * Sends one datagram and waits for one reply; undefined when none comes within waitMs. The whole
 * of 127.0.0.0/8 is loopback, so `from` can stand for another client network.
 */
export function udpExchange(port: number, packet: Buffer, waitMs = 2000, from = '127.0.0.1'): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.bind(0, from);
    const timer = setTimeout(() => done(undefined), waitMs);
    const done = (reply: Buffer | undefined) => {
      clearTimeout(timer);
      socket.close();
      resolve(reply);
    };
    socket.on('message', (message) => done(message));
    socket.on('error', () => done(undefined));
    socket.send(packet, port, '127.0.0.1');
  });
}

export function frame(message: Buffer): Buffer {
  const length = Buffer.alloc(2);
  length.writeUInt16BE(message.length);
  return Buffer.concat([length, message]);
}

/** A TCP connection to the DNS port that collects length-prefixed replies. */
export interface TcpDnsConnection {
  socket: Socket;
  replies: Buffer[];
  closed: Promise<void>;
  /** Resolves when `count` replies in total have arrived (fewer if the connection closed). */
  next(count: number): Promise<Buffer[]>;
  /** Resolves with the first reply that matches, or undefined if the connection closed first. */
  until(match: (reply: Buffer) => boolean): Promise<Buffer | undefined>;
}

/** A connection from `from`, any loopback address (so from another client network than 127.0.0.1's). */
export async function tcpConnection(port: number, from = '127.0.0.1'): Promise<TcpDnsConnection> {
  const socket = new Socket();
  const replies: Buffer[] = [];
  let buffered = Buffer.alloc(0);
  let waiter: (() => void) | undefined;
  socket.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
      replies.push(buffered.subarray(2, 2 + buffered.readUInt16BE(0)));
      buffered = buffered.subarray(2 + buffered.readUInt16BE(0));
    }
    waiter?.();
  });
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.connect({ port, host: '127.0.0.1', localAddress: from }, () => resolve());
  });
  return {
    socket,
    replies,
    closed,
    async next(count: number) {
      while (replies.length < count && !socket.destroyed) {
        await Promise.race([new Promise<void>((resolve) => (waiter = resolve)), closed]);
      }
      return replies.slice(0, count);
    },
    async until(match: (reply: Buffer) => boolean) {
      while (!replies.some(match) && !socket.destroyed) {
        await Promise.race([new Promise<void>((resolve) => (waiter = resolve)), closed]);
      }
      return replies.find(match);
    },
  };
}
