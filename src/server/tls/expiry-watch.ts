import type { Logger } from 'pino';
import type { ServedCertificate } from './served-certificate.js';

const HOUR = 3600_000;
/** A certificate is "expiring" with less than this left, or less than a third of its life. */
const EXPIRING_MS = 14 * 24 * HOUR;
/** One notice a day while it stays so. */
const NOTICE_EVERY_MS = 24 * HOUR;

/**
 * Tells the channels when the served certificate is about to expire or has expired, whatever
 * its source: files nobody renewed, or ACME renewals failing on another replica. Looks at start
 * and every hour.
 */
export class ExpiryWatch {
  private timer?: NodeJS.Timeout;
  private lastNoticeAt = 0;

  constructor(
    private readonly served: ServedCertificate,
    private readonly notice: (subject: string) => Promise<void>,
    private readonly log: Logger,
    private readonly everyMs = HOUR,
  ) {}

  start(): void {
    this.check();
    this.timer = setInterval(() => this.check(), this.everyMs).unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private check(): void {
    const current = this.served.current;
    if (!current) return;
    const notAfter = Date.parse(current.notAfter);
    const left = notAfter - Date.now();
    const life = notAfter - Date.parse(current.notBefore);
    if (left > Math.min(EXPIRING_MS, life / 3) || Date.now() - this.lastNoticeAt < NOTICE_EVERY_MS) return;
    this.lastNoticeAt = Date.now();
    const subject =
      left <= 0
        ? `TLS certificate for ${current.names.join(', ')} expired ${current.notAfter}: HTTPS token URLs fail for every client`
        : `TLS certificate for ${current.names.join(', ')} expires ${current.notAfter} and has not been renewed`;
    this.log.warn({ names: current.names, notAfter: current.notAfter }, 'tls certificate expiring');
    this.notice(subject).catch((error: unknown) => this.log.warn({ err: error }, 'certificate notice not sent'));
  }
}
