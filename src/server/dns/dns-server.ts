import type { Logger } from 'pino';
import { ConfigError } from '../../core/errors.js';
import { KeyedRateLimiter, type RateLimit } from '../../core/rate-limiter.js';
import type { HitRecorder } from '../hit-recorder.js';
import type { ServerMetrics } from '../metrics.js';
import { DnsTrigger } from './dns-trigger.js';
import type { DnsListenerEvents, DnsMessageHandler } from './listener.js';
import { sourcePrefix } from '../source-prefix.js';
import { DNS_TCP_LIMITS, listenTcp, type DnsTcpLimits, type TcpListener } from './tcp-listener.js';
import { listenUdp, type UdpListener } from './udp-listener.js';
import { dnsZoneFrom, inZoneNameservers, type DnsZone, type DnsZoneSettings } from './zone.js';

export interface DnsServerOptions extends DnsZoneSettings {
  host: string;
  /** UDP and TCP port; 0 picks a free one (the same for both). */
  port: number;
  /** UDP answers per client network (IPv4 /24, IPv6 /56); null answers every query. */
  answerRate?: RateLimit | null;
  tcp?: Partial<DnsTcpLimits>;
  /** TXT answers of pending ACME DNS-01 challenges, when the certificate comes by ACME. */
  acmeTxt?: (name: string) => Promise<string[]>;
}

/**
 * Answers over UDP per client network. Spoofed queries turn a DNS server into an amplifier
 * against the address they name; a real resolver asking for a canary zone needs a handful a
 * second, so 50 a second with bursts of 100 spares it while capping what a spoofer can direct.
 */
export const DNS_ANSWER_RATE: RateLimit = { ratePerSecond: 50, burst: 100 };

export interface RunningDnsServer {
  zone: DnsZone;
  port: number;
  /** Stops listening and waits for queries being answered (and their hits) to finish. */
  close(): Promise<void>;
}

/** Attempts at finding a port free for both UDP and TCP when the caller asked for any port. */
const PORT_ATTEMPTS = 10;

/** A bind failure as the operator can act on it. */
function bindError(error: unknown, host: string, port: number): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EACCES') {
    return new ConfigError(
      `cannot bind DNS port ${port} on ${host}: permission denied; run as root, grant CAP_NET_BIND_SERVICE, or choose --dns-port above 1023`,
      { host, port },
    );
  }
  if (code === 'EADDRINUSE') {
    return new ConfigError(`DNS port ${port} on ${host} is in use (another DNS server or resolver stub?); stop it or choose another --dns-host / --dns-port`, {
      host,
      port,
    });
  }
  if (code === 'EADDRNOTAVAIL') return new ConfigError(`--dns-host ${host} is not an address of this machine`, { host, port });
  return error;
}

async function listenBoth(
  host: string,
  port: number,
  handle: DnsMessageHandler,
  events: DnsListenerEvents,
  tcpLimits: DnsTcpLimits,
): Promise<[UdpListener, TcpListener]> {
  for (let attempt = 1; ; attempt++) {
    const udp = await listenUdp(host, port, handle, events).catch((error: unknown) => {
      throw bindError(error, host, port);
    });
    try {
      return [udp, await listenTcp(host, udp.port, handle, events, tcpLimits)];
    } catch (error) {
      await udp.close();
      const inUse = (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
      if (port !== 0 || !inUse || attempt >= PORT_ATTEMPTS) throw bindError(error, host, udp.port);
    }
  }
}

/** The authoritative DNS server for the token zone, on UDP and TCP. */
export async function startDnsServer(options: DnsServerOptions, recorder: HitRecorder, metrics: ServerMetrics, log: Logger): Promise<RunningDnsServer> {
  const zone = dnsZoneFrom(options);
  const trigger = new DnsTrigger(zone, recorder, log, options.acmeTxt);
  const queries = metrics.counter('tripline_dns_queries_total', 'DNS messages answered, by transport and response code.', ['transport', 'rcode']);
  const dropped = metrics.counter('tripline_dns_dropped_total', 'DNS messages or connections dropped, by reason.', ['reason']);
  const answerRate = options.answerRate === undefined ? DNS_ANSWER_RATE : options.answerRate;
  const limiter = answerRate ? new KeyedRateLimiter(answerRate) : undefined;
  let inFlight = 0;
  let idle: (() => void) | undefined;

  const handle: DnsMessageHandler = async (message, source, transport) => {
    inFlight++;
    try {
      // TCP needs a real handshake, so its source is not spoofed; its cost is bounded per connection.
      const answered = transport === 'tcp' || !limiter || limiter.take(sourcePrefix(source));
      // A query over the limit is handled all the same (a live token's hit is recorded and counted);
      // only its answer is withheld.
      const outcome = await trigger.handle(message, source, transport, answered);
      if (!outcome.reply) dropped.inc({ reason: 'malformed' });
      else if (!answered) dropped.inc({ reason: 'rate_limited' });
      else queries.inc({ transport, rcode: outcome.rcode ?? 'unknown' });
      return answered ? outcome.reply : undefined;
    } finally {
      if (--inFlight === 0) idle?.();
    }
  };
  const events: DnsListenerEvents = {
    dropped: (reason) => dropped.inc({ reason }),
    failed: (error) => log.warn({ err: error }, 'dns listener error'),
  };

  const [udp, tcp] = await listenBoth(options.host, options.port, handle, events, { ...DNS_TCP_LIMITS, ...options.tcp });
  if (inZoneNameservers(zone).length > 0 && zone.ipv4.length + zone.ipv6.length === 0) {
    log.warn({ nameservers: zone.nameservers }, "the zone's nameservers are inside it but no --dns-address is set: glue cannot be answered");
  }
  log.info({ zone: zone.name, host: options.host, port: udp.port, nameservers: zone.nameservers }, 'dns server listening (udp and tcp)');
  return {
    zone,
    port: udp.port,
    async close() {
      await Promise.all([udp.close(), tcp.close()]);
      if (inFlight > 0) await new Promise<void>((done) => (idle = done));
    },
  };
}
