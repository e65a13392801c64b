import { createSocket, type Socket } from 'node:dgram';
import { isIP } from 'node:net';
import type { Logger } from 'pino';
import { KeyedRateLimiter } from '../../core/rate-limiter.js';
import type { WireguardHitDetail } from '../../core/model/listener-hit-detail.js';
import type { ListenerKeyRepository } from '../../store/repositories/listener-keys.js';
import { wireguardLookupKey } from '../../tokens/wireguard.js';
import { normalizeAddress } from '../client-address.js';
import type { ListenAddress } from '../listen-address.js';
import { sourcePrefix } from '../source-prefix.js';
import type { ListenerTokens } from './keyed-tokens.js';
import { wireguardKeyPair, type WireguardKeyPair } from '../../tokens/decoys/wireguard-keys.js';
import { INITIATION_LENGTH, INITIATION_TYPE, readInitiation, responderFor, type Initiation } from './wireguard-noise.js';

/**
 * Handshakes read per client network and second: each costs two X25519 operations, so a flood
 * must not take the CPU. A real client retries every five seconds.
 */
const HANDSHAKE_RATE = { ratePerSecond: 20, burst: 40 };
const MAX_IN_FLIGHT = 256;

export interface RunningWireguardListener {
  port: number;
  publicKey: string;
  close(): Promise<void>;
}

export interface WireguardListenerOptions {
  address: ListenAddress;
  tokens: ListenerTokens;
  keys: ListenerKeyRepository;
  log: Logger;
  /** Told of each datagram dropped unread (over the rate, or too many at once). */
  dropped: () => void;
}

function clientClock(initiation: Initiation): string | null {
  const ms = Number(initiation.timestamp.seconds) * 1000 + Math.floor(initiation.timestamp.nanoseconds / 1e6);
  return Number.isFinite(ms) && ms > 0 && ms < 8.64e15 ? new Date(ms).toISOString() : null;
}

/**
 * The WireGuard listener (--wireguard-listen): reads handshake initiations sent to the server's
 * static key, and records the token whose client key made one. It never answers, whoever sent
 * it: a configured peer and a stranger see the same silence.
 */
export async function startWireguardListener(options: WireguardListenerOptions): Promise<RunningWireguardListener> {
  const pair = JSON.parse(await options.keys.getOrCreate('wireguard', () => JSON.stringify(wireguardKeyPair()))) as WireguardKeyPair;
  const responder = responderFor(pair);
  const limiter = new KeyedRateLimiter(HANDSHAKE_RATE);
  const socket: Socket = createSocket({ type: isIP(options.address.host) === 6 ? 'udp6' : 'udp4' });
  let inFlight = 0;

  const handle = async (message: Buffer, source: string): Promise<void> => {
    const initiation = readInitiation(responder, message);
    if (!initiation) return;
    const token = await options.tokens.findByKey(wireguardLookupKey(initiation.publicKey)).catch(() => undefined);
    await options.tokens.recordOrWait(token, () => {
      const detail: WireguardHitDetail = {
        type: 'wireguard',
        publicKey: initiation.publicKey,
        handshakeTime: clientClock(initiation),
        senderIndex: initiation.senderIndex,
        summary: `WireGuard handshake from peer ${initiation.publicKey}`,
      };
      return { source, userAgent: null, detail };
    });
  };

  socket.on('message', (message, remote) => {
    // Only initiations are read; every other datagram is ignored as cheaply as possible.
    if (message.length !== INITIATION_LENGTH || message[0] !== INITIATION_TYPE) return;
    const source = normalizeAddress(remote.address);
    if (inFlight >= MAX_IN_FLIGHT || !limiter.take(sourcePrefix(source))) return options.dropped();
    inFlight++;
    handle(message, source)
      .catch((error: unknown) => options.log.debug({ err: error }, 'wireguard handshake not read'))
      .finally(() => inFlight--);
  });

  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(options.address.port, options.address.host, () => {
      socket.off('error', reject);
      socket.on('error', (error) => options.log.debug({ err: error }, 'wireguard listener error'));
      resolve();
    });
  });
  return {
    port: socket.address().port,
    publicKey: pair.publicKey,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
