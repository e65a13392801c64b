import { createHash, randomUUID } from 'node:crypto';
import acme from 'acme-client';
import type { Logger } from 'pino';
import { Backoff, sleep } from '../../core/backoff.js';
import type { TlsRepository } from '../../store/repositories/tls.js';
import type { ServedCertificate } from './served-certificate.js';

export const LETS_ENCRYPT_DIRECTORY = acme.directory.letsencrypt.production;

// The client retries a failed request itself, up to 75 s in all, which would hide a failure from
// this module's own backoff (and its notice) and stall shutdown; a request that hangs is cut.
const acmeHttp = acme.axios as typeof acme.axios & { defaults: { acmeSettings: { retryMaxAttempts: number } } };
acmeHttp.defaults.acmeSettings.retryMaxAttempts = 0;
acmeHttp.defaults.timeout = 30_000;

export type AcmeChallengeType = 'http-01' | 'dns-01';

export interface AcmeSettings {
  email: string;
  directory: string;
  /** The names on the certificate; a wildcard (*.zone) can only be proved by DNS-01. */
  domains: string[];
  /** Tried first where the CA offers it; the other type is the fallback. */
  preferredChallenge: AcmeChallengeType;
  /** DNS-01 is offered only when Tripline's own DNS server answers for the name. */
  dnsZone?: string;
  /** The fraction of a certificate's life after which it is renewed. */
  renewAt: number;
  /** How often a replica looks in the store for a certificate another one renewed. */
  checkEveryMs: number;
  /** Retry after a failed order: doubling from base to max. */
  retry: { baseMs: number; maxMs: number };
}

export const ACME_DEFAULTS = {
  renewAt: 2 / 3,
  checkEveryMs: 60_000,
  retry: { baseMs: 60_000, maxMs: 6 * 3600_000 },
} as const;

/** How long a replica holds the ordering lease while an order runs; an order takes seconds to minutes. */
const ORDER_LEASE_MS = 10 * 60_000;
/** A replica with no certificate yet, or one waiting for another's order, looks again this soon. */
const WAITING_CHECK_MS = 2_000;
/** How long shutdown waits for an order under way (the CA may poll for minutes). */
const STOP_WAIT_MS = 3_000;
/** A notice about the same certificate goes out at most this often per replica. */
const NOTICE_EVERY_MS = 3600_000;
/** Challenge answers outlive the order they were made for only by this much. */
const CHALLENGE_TTL_MS = 3600_000;

export type AcmeNotice = (subject: string) => Promise<void>;

/** Names the certificate by its directory and its (sorted) names: another set orders anew. */
export function certificateId(directory: string, domains: string[]): string {
  return createHash('sha256')
    .update(`${directory}\n${[...domains].sort().join(',')}`)
    .digest('hex')
    .slice(0, 40);
}

/**
 * Fails with the network's own reason when the directory cannot be reached: the ACME client
 * reports an unreachable server as a TypeError of its own, which would say nothing to a person.
 */
async function reachable(directory: string): Promise<void> {
  try {
    const answer = await fetch(directory, { signal: AbortSignal.timeout(30_000) });
    await answer.body?.cancel();
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new Error(`cannot reach the ACME directory ${directory} (${cause?.code ?? cause?.message ?? (error as Error).message})`);
  }
}

function dnsChallengeName(identifier: string): string {
  return `_acme-challenge.${identifier.replace(/^\*\./, '')}`.toLowerCase();
}

/**
 * Obtains and renews the trigger listener's certificate by ACME, keeping it (and the account) in
 * the store, so every replica serves the one certificate and only the replica holding the lease
 * orders. A replica serves whatever the store holds, renews at `renewAt` of the certificate's
 * life, and after a failure holds the lease through the backoff, so the other replicas do not
 * retry sooner; each failure is logged, and a notice goes to the channels.
 */
export class AcmeCertificates {
  readonly id: string;
  private readonly holder = randomUUID();
  private readonly backoff: Backoff;
  private readonly abort = new AbortController();
  private installedFrom?: string;
  private lastNoticeAt = 0;
  private loop?: Promise<void>;
  /** Orders placed by this replica (for tests and the log). */
  orders = 0;

  constructor(
    private readonly repo: TlsRepository,
    private readonly served: ServedCertificate,
    readonly settings: AcmeSettings,
    private readonly log: Logger,
    private readonly notice: AcmeNotice,
  ) {
    this.id = certificateId(settings.directory, settings.domains);
    this.backoff = new Backoff(settings.retry.baseMs, settings.retry.maxMs);
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Stops looking and ordering; an order under way is left to time out rather than hold up shutdown. */
  async stop(): Promise<void> {
    this.abort.abort();
    await Promise.race([this.loop, sleep(STOP_WAIT_MS)]);
    await this.repo.releaseLease(this.id, this.holder).catch(() => undefined);
  }

  private async run(): Promise<void> {
    while (!this.abort.signal.aborted) {
      const waitMs = await this.step();
      await sleep(waitMs, this.abort.signal);
    }
  }

  /** One look at the store, and an order when one is due and the lease is free; answers how long to wait. */
  private async step(): Promise<number> {
    let stored: Awaited<ReturnType<TlsRepository['findCertificate']>>;
    try {
      stored = await this.repo.findCertificate(this.id);
      if (stored && stored.updatedAt !== this.installedFrom) {
        const facts = this.served.install(stored, 'the certificate in the store');
        this.installedFrom = stored.updatedAt;
        this.log.info({ names: facts.names, notAfter: facts.notAfter, issuer: facts.issuer }, 'tls certificate installed');
      }
    } catch (error) {
      this.log.warn({ err: error }, 'could not read the tls certificate from the store; looking again shortly');
      return WAITING_CHECK_MS;
    }
    const now = Date.now();
    if (stored) {
      const renewAt = this.renewTime(stored.notBefore, stored.notAfter);
      if (now < renewAt) {
        this.backoff.reset();
        return Math.min(renewAt - now, this.settings.checkEveryMs);
      }
    }
    if (!(await this.repo.takeLease(this.id, this.holder, new Date(now + ORDER_LEASE_MS).toISOString()).catch(() => false))) {
      return WAITING_CHECK_MS;
    }
    try {
      await this.order();
      this.backoff.reset();
      await this.repo.releaseLease(this.id, this.holder);
      return 0;
    } catch (error) {
      const delay = this.backoff.next();
      // Held through the backoff, so other replicas wait it out too instead of ordering at once.
      await this.repo.takeLease(this.id, this.holder, new Date(Date.now() + delay).toISOString()).catch(() => undefined);
      const expires = stored ? `; the certificate in use expires ${stored.notAfter}` : '; no certificate is served yet';
      this.log.error(
        { err: error, domains: this.settings.domains, attempt: this.backoff.attempts, retryInMs: delay },
        'acme order failed; retrying with backoff',
      );
      this.tell(
        `TLS certificate for ${this.settings.domains.join(', ')} could not be obtained: ${(error as Error).message}${expires}; retrying in ${Math.round(delay / 1000)} s`,
      );
      return delay;
    }
  }

  private renewTime(notBefore: string, notAfter: string): number {
    const start = Date.parse(notBefore);
    return start + (Date.parse(notAfter) - start) * this.settings.renewAt;
  }

  private tell(subject: string): void {
    if (Date.now() - this.lastNoticeAt < NOTICE_EVERY_MS) return;
    this.lastNoticeAt = Date.now();
    this.notice(subject).catch((error: unknown) => this.log.warn({ err: error }, 'certificate notice not sent'));
  }

  private async account(): Promise<{ keyPem: string; url: string | null }> {
    const found = await this.repo.findAccount(this.settings.directory);
    if (found) return found;
    const key = await acme.crypto.createPrivateKey();
    return this.repo.saveAccount({ directory: this.settings.directory, email: this.settings.email, keyPem: key.toString(), url: null });
  }

  private async order(): Promise<void> {
    const { settings, repo } = this;
    this.orders++;
    this.log.info({ domains: settings.domains, directory: settings.directory }, 'ordering a tls certificate by acme');
    await reachable(settings.directory);
    const account = await this.account();
    const client = new acme.Client({ directoryUrl: settings.directory, accountKey: account.keyPem, ...(account.url ? { accountUrl: account.url } : {}) });
    const [key, csr] = await acme.crypto.createCsr({ altNames: settings.domains });
    const types: AcmeChallengeType[] = settings.dnsZone
      ? [settings.preferredChallenge, settings.preferredChallenge === 'http-01' ? 'dns-01' : 'http-01']
      : ['http-01'];
    const expires = () => new Date(Date.now() + CHALLENGE_TTL_MS).toISOString();
    const challengeKey = (authz: acme.Authorization, challenge: { type: string; token: string }) =>
      challenge.type === 'dns-01' ? `dns:${dnsChallengeName(authz.identifier.value)}` : `http:${challenge.token}`;
    const certPem = await client.auto({
      csr,
      email: settings.email,
      termsOfServiceAgreed: true,
      challengePriority: types,
      // The CA checks from outside; a check from here would ask our own listeners over loopback
      // or a resolver that does not see the zone yet, and prove nothing.
      skipChallengeVerification: true,
      challengeCreateFn: async (authz, challenge, keyAuthorization) => {
        this.log.info({ name: `${authz.wildcard ? '*.' : ''}${authz.identifier.value}`, challenge: challenge.type }, 'answering an acme challenge');
        await repo.putChallenge(challengeKey(authz, challenge), keyAuthorization, expires());
      },
      challengeRemoveFn: (authz, challenge, keyAuthorization) => repo.removeChallenge(challengeKey(authz, challenge), keyAuthorization),
    });
    if (!account.url) await repo.setAccountUrl(settings.directory, client.getAccountUrl());
    const pair = { certPem, keyPem: key.toString() };
    const facts = this.served.install(pair, 'the certificate the CA issued');
    await repo.saveCertificate({ id: this.id, domains: settings.domains, ...pair, notBefore: facts.notBefore, notAfter: facts.notAfter });
    this.installedFrom = undefined;
    this.log.info({ names: facts.names, notAfter: facts.notAfter }, 'tls certificate obtained by acme');
  }
}
