/** Server-wide SMTP settings for email channels (flags or TRIPLINE_SMTP_* variables). */
export interface SmtpSettings {
  host: string;
  port: number;
  /** starttls: upgrade or fail; implicit: TLS from the first byte (port 465); none: plain (a local relay). */
  tls: 'starttls' | 'implicit' | 'none';
  user?: string;
  password?: string;
  from: string;
}

/** How alerts are decided and delivered; every value has a default that suits production. */
export interface AlertSettings {
  /** Seconds later hits with the same grouping key fold into one alert, for tokens that set none. */
  windowSeconds: number;
  /**
   * Distinct alerts per token per window. Grouping keys come from the attacker (source, user
   * agent), so beyond this many the rest fold into one digest alert for the token.
   */
  alertCap: number;
  /** After this long without success a delivery is given up as dead. */
  maxAgeMs: number;
  /** One attempt may take this long before it counts as failed. */
  timeoutMs: number;
  /** First retry delay; each further retry doubles it, up to backoffMaxMs, with jitter. */
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** Attempts in flight at once per server process. */
  concurrency: number;
  /** How often the outbox is checked for retries that came due and rows other processes wrote. */
  pollMs: number;
  /** Lets channels reach loopback, private, link-local and metadata addresses (--allow-private-targets). */
  allowPrivateTargets: boolean;
  smtp?: SmtpSettings;
}

export const ALERT_DEFAULTS: AlertSettings = {
  windowSeconds: 60,
  alertCap: 5,
  maxAgeMs: 24 * 3_600_000,
  timeoutMs: 10_000,
  backoffBaseMs: 1_000,
  backoffMaxMs: 5 * 60_000,
  concurrency: 16,
  pollMs: 1_000,
  allowPrivateTargets: false,
};

/**
 * How long a claim on a delivery lasts. Longer than any attempt can take, so a live process never
 * loses a row it is sending; short enough that a killed process's rows come back soon.
 */
export function claimLeaseMs(settings: AlertSettings): number {
  return 2 * settings.timeoutMs + 5_000;
}
