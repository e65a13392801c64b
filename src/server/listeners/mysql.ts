import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import type { MysqlHitDetail } from '../../core/model/listener-hit-detail.js';
import { parseMysqlUser } from '../../tokens/mysql-dump.js';
import type { ListenAddress } from '../listen-address.js';
import type { ListenerTokens } from './keyed-tokens.js';
import { accessDenied, capabilityNames, handshakeV10, MAX_PACKET, parseHandshakeResponse, type HandshakeResponse } from './mysql-protocol.js';
import { LISTENER_LIMITS, startTcpListener, type RunningTcpListener } from './tcp-listener.js';

/** A client that has not sent its handshake response by then is dropped, as mysqld's connect_timeout does. */
const CONNECT_TIMEOUT_MS = 10_000;

function detailOf(response: HandshakeResponse): MysqlHitDetail {
  const parsed = parseMysqlUser(response.user);
  const program = response.attributes.program_name ?? response.attributes._client_name ?? 'a MySQL client';
  return {
    type: 'mysql',
    user: response.user,
    database: response.database,
    capabilities: response.capabilities,
    capabilityNames: capabilityNames(response.capabilities),
    attributes: response.attributes,
    authPlugin: response.authPlugin,
    serverHost: parsed.serverHost,
    replica: parsed.replica,
    summary: parsed.replica
      ? `MySQL replica login as ${response.user}: server ${parsed.serverHost ?? '(unnamed)'} imported the dump`
      : `MySQL login as ${response.user} from ${program}`,
  };
}

/**
 * One connection: greet, read the handshake response, refuse it. The answer is the same access
 * denied error for every user, live token or not; the hit (or the wait for the commit it would
 * have joined) comes first, as on every trigger.
 */
function serve(socket: Socket, source: string, tokens: ListenerTokens, connectionId: number): void {
  let buffered = Buffer.alloc(0);
  let done = false;
  socket.setTimeout(CONNECT_TIMEOUT_MS, () => socket.destroy());
  socket.write(handshakeV10(connectionId));
  socket.on('data', (chunk: Buffer) => {
    if (done) return;
    buffered = Buffer.concat([buffered, chunk]);
    if (buffered.length < 4) return;
    const length = buffered.readUIntLE(0, 3);
    if (length > MAX_PACKET) return void socket.destroy();
    if (buffered.length < 4 + length) return;
    done = true;
    socket.pause();
    const response = parseHandshakeResponse(buffered.subarray(4, 4 + length));
    // Junk, or a client that will only talk over TLS (never offered): mysqld drops these too.
    if (!response || response.sslRequest) return void socket.destroy();
    void answer(socket, source, tokens, response, buffered[3]! + 1);
  });
}

async function answer(socket: Socket, source: string, tokens: ListenerTokens, response: HandshakeResponse, sequence: number): Promise<void> {
  const token = await tokens.findById(parseMysqlUser(response.user).tokenId).catch(() => undefined);
  await tokens.recordOrWait(token, () => ({
    source,
    userAgent: response.attributes.program_name ?? response.attributes._client_name ?? null,
    detail: detailOf(response),
  }));
  if (!socket.destroyed) socket.end(accessDenied(sequence, response.user, source));
}

export interface MysqlListenerOptions {
  address: ListenAddress;
  tokens: ListenerTokens;
  log: Logger;
  refused: () => void;
}

/** The MySQL listener (--mysql-listen): takes the credentials of clients and replicas, and refuses them. */
export function startMysqlListener(options: MysqlListenerOptions): Promise<RunningTcpListener> {
  let connections = 0;
  return startTcpListener(
    options.address,
    LISTENER_LIMITS,
    (socket, source) => {
      connections = (connections + 1) % 0x7fffffff;
      serve(socket, source, options.tokens, 8 + connections);
    },
    options.refused,
  );
}
