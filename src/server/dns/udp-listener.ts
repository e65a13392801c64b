import { createSocket, type Socket } from 'node:dgram';
import { isIP } from 'node:net';
import { normalizeAddress } from '../client-address.js';
import type { DnsListenerEvents, DnsMessageHandler } from './listener.js';

/** DNS queries are small; anything larger is not a query worth parsing. */
const MAX_QUERY_BYTES = 4096;
/** Queries being answered at once; more are dropped and the resolver retries (UDP is lossy anyway). */
const MAX_IN_FLIGHT = 512;

export interface UdpListener {
  port: number;
  close(): Promise<void>;
}

export function listenUdp(host: string, port: number, handle: DnsMessageHandler, events: DnsListenerEvents): Promise<UdpListener> {
  const socket: Socket = createSocket({ type: isIP(host) === 6 ? 'udp6' : 'udp4' });
  let inFlight = 0;
  let closed = false;

  socket.on('message', (message, remote) => {
    if (message.length > MAX_QUERY_BYTES) return events.dropped('oversized');
    if (inFlight >= MAX_IN_FLIGHT) return events.dropped('busy');
    inFlight++;
    handle(message, normalizeAddress(remote.address), 'udp')
      .then((reply) => {
        if (reply && !closed) socket.send(reply, remote.port, remote.address, (error) => error && events.failed(error));
      })
      .catch((error: unknown) => events.failed(error))
      .finally(() => inFlight--);
  });

  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, host, () => {
      socket.off('error', reject);
      // A send to a vanished client (ICMP unreachable) must not take the listener down.
      socket.on('error', (error) => events.failed(error));
      resolve({
        port: socket.address().port,
        async close() {
          closed = true;
          await new Promise<void>((done) => socket.close(() => done()));
        },
      });
    });
  });
}
