import { createSocket } from 'node:dgram';
import { isIP, connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { SendResult } from './channels/kind.js';
import { oneLine } from './escape.js';
import { refusal, systemResolve, type ResolvedAddress } from './target-guard.js';

export type SyslogTransport = 'udp' | 'tcp' | 'tls';

export interface SyslogTarget {
  transport: SyslogTransport;
  host: string;
  port: number;
  /** PEM certificates to trust for tls instead of the system's (an in-house CA). */
  ca?: string;
}

export interface SyslogSendOptions {
  timeoutMs: number;
  allowPrivateTargets: boolean;
}

/**
 * The address to send to, checked as HTTP channels' are: a host that is or resolves to a
 * loopback, private, link-local or metadata address is refused unless private targets are allowed.
 * Resolving here, once, and connecting to the address means the checked address is the one used.
 */
async function resolveTarget(host: string, allowPrivate: boolean): Promise<ResolvedAddress> {
  const family = isIP(host);
  const all = family ? [{ address: host, family }] : await systemResolve(host);
  if (all.length === 0) throw Object.assign(new Error(`${host} has no address`), { code: 'ENOTFOUND' });
  const refused = allowPrivate
    ? undefined
    : refusal(
        host,
        all.map((a) => a.address),
      );
  if (refused) throw refused;
  return all[0]!;
}

function failure(error: unknown, timeoutMs: number): SendResult {
  const e = error as { code?: string; message?: string };
  if (e.code === 'ETIMEDOUT') return { ok: false, status: null, error: `no answer within ${timeoutMs} ms` };
  if (e.code === 'EPRIVATETARGET') return { ok: false, status: null, error: oneLine(`refused: ${e.message}`, 300) };
  // TLS verification failures carry codes such as DEPTH_ZERO_SELF_SIGNED_CERT: say which.
  return { ok: false, status: null, error: oneLine(e.code ? `connection failed: ${e.code}` : `send failed: ${e.message ?? String(error)}`, 300) };
}

/** One datagram; UDP gives no answer, so handing it to the network is success. */
async function sendUdp(address: ResolvedAddress, port: number, payload: Buffer): Promise<void> {
  const socket = createSocket(address.family === 6 ? 'udp6' : 'udp4');
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.send(payload, port, address.address, (error) => (error ? reject(error) : resolve()));
    });
  } finally {
    socket.close();
  }
}

/** A stream connection (TCP or TLS) that writes the frame and closes; success once it is written. */
function sendStream(target: SyslogTarget, address: ResolvedAddress, payload: Buffer, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let socket: Socket;
    const connected = () => socket.end(payload);
    if (target.transport === 'tls') {
      socket = tlsConnect({
        host: address.address,
        port: target.port,
        // The certificate is checked against the name in the URL (an IP literal is the address itself).
        ...(isIP(target.host) ? {} : { servername: target.host }),
        ...(target.ca ? { ca: target.ca } : {}),
      });
      socket.once('secureConnect', connected);
    } else {
      socket = netConnect({ host: address.address, port: target.port });
      socket.once('connect', connected);
    }
    const timer = setTimeout(() => {
      socket.destroy();
      reject(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' }));
    }, timeoutMs);
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.once('finish', () => {
      clearTimeout(timer);
      resolve();
      // The receiver closes its side on our FIN; do not wait for it, but do not leak the socket either.
      socket.once('end', () => socket.destroy());
      setTimeout(() => socket.destroy(), timeoutMs).unref();
    });
    socket.on('data', () => undefined);
  });
}

/** Sends one framed syslog message to the target; the outcome has no status (syslog has none). */
export async function sendSyslog(target: SyslogTarget, message: string, options: SyslogSendOptions): Promise<SendResult> {
  try {
    const address = await resolveTarget(target.host, options.allowPrivateTargets);
    if (target.transport === 'udp') await sendUdp(address, target.port, Buffer.from(message));
    else await sendStream(target, address, Buffer.from(message), options.timeoutMs);
    return { ok: true, status: null };
  } catch (error) {
    return failure(error, options.timeoutMs);
  }
}
