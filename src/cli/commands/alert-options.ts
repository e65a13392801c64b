import { hostname } from 'node:os';
import { type Command, Option } from 'commander';
import { ALERT_DEFAULTS, type AlertSettings, type SmtpSettings } from '../../alerts/settings.js';
import { ConfigError } from '../../core/errors.js';
import { parseDuration } from '../../core/time.js';

/** The server flags that shape alerting, as commander hands them over. */
export interface AlertCliOptions {
  alertWindow: number;
  alertCap: number;
  deliveryMaxAge: number;
  deliveryTimeout: number;
  deliveryBackoffMax: number;
  deliveryConcurrency: number;
  allowPrivateTargets: boolean;
  smtpHost?: string;
  smtpPort: number;
  smtpTls: SmtpSettings['tls'];
  smtpUser?: string;
  smtpPassword?: string;
  smtpFrom?: string;
}

export function duration(flag: string) {
  return (value: string): number => {
    const ms = parseDuration(value);
    if (ms === undefined || ms <= 0) throw new ConfigError(`${flag} "${value}" is not a duration such as 30s, 5m, 24h`);
    return ms;
  };
}

export function whole(flag: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`${flag} "${value}" is not a whole number from ${min} to ${max}`);
    return n;
  };
}

/**
 * A yes/no variable read strictly: commander would turn a boolean flag on for any value, "0" and
 * "false" included, which for a safety switch is the wrong way round.
 */
function envSwitch(name: string): boolean {
  const value = (process.env[name] ?? '').trim().toLowerCase();
  if (['', '0', 'false', 'no'].includes(value)) return false;
  if (['1', 'true', 'yes'].includes(value)) return true;
  throw new ConfigError(`${name} "${process.env[name]}" is not 1/true/yes or 0/false/no`);
}

function seconds(ms: number): string {
  return `${ms / 1000}s`;
}

/** Adds the alert-window, delivery and SMTP flags (each with a TRIPLINE_* variable) to the server command. */
export function withAlertOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--alert-window <duration>', 'how long repeated hits from the same source fold into one alert, for tokens that set none')
        .env('TRIPLINE_ALERT_WINDOW')
        .default(ALERT_DEFAULTS.windowSeconds * 1000, seconds(ALERT_DEFAULTS.windowSeconds * 1000))
        .argParser(duration('--alert-window')),
    )
    .addOption(
      new Option('--alert-cap <n>', 'distinct alerts per token per window; hits of further sources fold into one digest alert for the token')
        .env('TRIPLINE_ALERT_CAP')
        .default(ALERT_DEFAULTS.alertCap)
        .argParser(whole('--alert-cap', 1, 1000)),
    )
    .addOption(
      new Option('--delivery-max-age <duration>', 'give a failing delivery up (state dead, retryable by API) after this long')
        .env('TRIPLINE_DELIVERY_MAX_AGE')
        .default(ALERT_DEFAULTS.maxAgeMs, '24h')
        .argParser(duration('--delivery-max-age')),
    )
    .addOption(
      new Option('--delivery-timeout <duration>', 'one delivery attempt may take this long')
        .env('TRIPLINE_DELIVERY_TIMEOUT')
        .default(ALERT_DEFAULTS.timeoutMs, seconds(ALERT_DEFAULTS.timeoutMs))
        .argParser(duration('--delivery-timeout')),
    )
    .addOption(
      new Option('--delivery-backoff-max <duration>', 'longest wait between retries (retries double from 1s up to this, with jitter)')
        .env('TRIPLINE_DELIVERY_BACKOFF_MAX')
        .default(ALERT_DEFAULTS.backoffMaxMs, '5m')
        .argParser(duration('--delivery-backoff-max')),
    )
    .addOption(
      new Option('--delivery-concurrency <n>', 'delivery attempts in flight at once')
        .env('TRIPLINE_DELIVERY_CONCURRENCY')
        .default(ALERT_DEFAULTS.concurrency)
        .argParser(whole('--delivery-concurrency', 1, 256)),
    )
    .addOption(
      new Option(
        '--allow-private-targets',
        'let channel URLs reach loopback, private, link-local and cloud metadata addresses (env TRIPLINE_ALLOW_PRIVATE_TARGETS=1)',
      ).default(false),
    )
    .addOption(new Option('--smtp-host <host>', 'SMTP server for email channels').env('TRIPLINE_SMTP_HOST'))
    .addOption(
      new Option('--smtp-port <port>', 'SMTP port')
        .env('TRIPLINE_SMTP_PORT')
        .default(587)
        .argParser(whole('--smtp-port', 1, 65535)),
    )
    .addOption(
      new Option('--smtp-tls <mode>', 'starttls: upgrade or fail; implicit: TLS from the start (port 465); none: plain (local relay only)')
        .choices(['starttls', 'implicit', 'none'])
        .env('TRIPLINE_SMTP_TLS')
        .default('starttls'),
    )
    .addOption(new Option('--smtp-user <user>', 'SMTP user name').env('TRIPLINE_SMTP_USER'))
    .addOption(new Option('--smtp-password <password>', 'SMTP password (prefer the variable: flags show in ps)').env('TRIPLINE_SMTP_PASSWORD'))
    .addOption(new Option('--smtp-from <address>', `sender address (default tripline@${hostname()})`).env('TRIPLINE_SMTP_FROM'));
}

/** The alert settings the flags describe. */
export function alertSettingsFrom(options: AlertCliOptions): Partial<AlertSettings> {
  const backoffBaseMs = Math.min(ALERT_DEFAULTS.backoffBaseMs, options.deliveryBackoffMax);
  return {
    windowSeconds: options.alertWindow / 1000,
    alertCap: options.alertCap,
    maxAgeMs: options.deliveryMaxAge,
    timeoutMs: options.deliveryTimeout,
    backoffBaseMs,
    backoffMaxMs: options.deliveryBackoffMax,
    concurrency: options.deliveryConcurrency,
    allowPrivateTargets: options.allowPrivateTargets || envSwitch('TRIPLINE_ALLOW_PRIVATE_TARGETS'),
    ...(options.smtpHost
      ? {
          smtp: {
            host: options.smtpHost,
            port: options.smtpPort,
            tls: options.smtpTls,
            ...(options.smtpUser ? { user: options.smtpUser, password: options.smtpPassword } : {}),
            from: options.smtpFrom ?? `tripline@${hostname()}`,
          },
        }
      : {}),
  };
}
