import type { Server, Socket } from 'node:net';
import { normalizeAddress } from './client-address.js';

/**
 * Caps the connections one TCP peer holds open on a listener at once; a connection past the cap
 * is closed as soon as it is accepted. The peer is the socket's address, not a forwarded one: a
 * proxy in front counts as one source, so size the cap for it.
 */
export function capConnectionsPerSource(server: Server, max: number, refused: (source: string) => void): void {
  const open = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const source = normalizeAddress(socket.remoteAddress);
    const count = open.get(source) ?? 0;
    if (count >= max) {
      refused(source);
      socket.destroy();
      return;
    }
    open.set(source, count + 1);
    socket.once('close', () => {
      const left = (open.get(source) ?? 1) - 1;
      if (left > 0) open.set(source, left);
      else open.delete(source);
    });
  });
}
