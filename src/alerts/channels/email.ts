import nodemailer, { type Transporter } from 'nodemailer';
import { ValidationError } from '../../core/errors.js';
import { renderEmail } from '../email-render.js';
import { oneLine } from '../escape.js';
import type { SmtpSettings } from '../settings.js';
import type { ChannelKind, SendResult } from './kind.js';

const MAX_RECIPIENTS = 50;
// Deliberately plain: one address, no display name, nothing that could smuggle another header.
const ADDRESS = /^[^\s@<>()",;:\\[\]]+@[^\s@<>()",;:\\[\]]+\.[^\s@<>()",;:\\[\]]+$/;

// One transport per SMTP settings object (the server's), reused across deliveries.
const transports = new WeakMap<SmtpSettings, Map<number, Transporter>>();

function transportFor(smtp: SmtpSettings, timeoutMs: number): Transporter {
  let byTimeout = transports.get(smtp);
  if (!byTimeout) {
    byTimeout = new Map();
    transports.set(smtp, byTimeout);
  }
  let transport = byTimeout.get(timeoutMs);
  if (!transport) {
    transport = nodemailer.createTransport({
      host: smtp.host,
      port: smtp.port,
      secure: smtp.tls === 'implicit',
      requireTLS: smtp.tls === 'starttls',
      ignoreTLS: smtp.tls === 'none',
      ...(smtp.user ? { auth: { user: smtp.user, pass: smtp.password ?? '' } } : {}),
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
    });
    byTimeout.set(timeoutMs, transport);
  }
  return transport;
}

function smtpFailure(error: unknown): SendResult {
  const e = error as { responseCode?: number; response?: string; code?: string; message?: string };
  if (typeof e.responseCode === 'number') return { ok: false, status: e.responseCode, error: oneLine(`SMTP ${e.response ?? e.responseCode}`, 300) };
  return { ok: false, status: null, error: oneLine(`SMTP ${e.code ?? 'error'}: ${e.message ?? String(error)}`, 300) };
}

/** Email through the server's SMTP settings: a plain-text and an HTML part, attacker input escaped. */
export const emailChannel: ChannelKind = {
  kind: 'email',
  title: 'Email (SMTP; the server-wide --smtp-* settings)',
  configure(input) {
    const to = input.to;
    if (!Array.isArray(to) || to.length === 0) throw new ValidationError('to must list at least one email address', { field: 'to' });
    if (to.length > MAX_RECIPIENTS) throw new ValidationError(`to lists ${to.length} addresses; the limit is ${MAX_RECIPIENTS}`, { field: 'to' });
    for (const address of to) {
      if (typeof address !== 'string' || address.length > 254 || !ADDRESS.test(address)) {
        throw new ValidationError(`to: "${oneLine(String(address), 80)}" is not a plain email address (name@example.com)`, { field: 'to' });
      }
    }
    return { config: { to: [...new Set(to)] } };
  },
  describe: (config) => ({ to: config.to }),
  async send(message, config, context) {
    if (!context.smtp) {
      return { ok: false, status: null, error: 'no SMTP server is configured: start the server with --smtp-host (or TRIPLINE_SMTP_HOST)' };
    }
    const content = renderEmail(message);
    const transport = transportFor(context.smtp, context.timeoutMs);
    let timer: NodeJS.Timeout | undefined;
    try {
      // Each SMTP phase has its own timeout; this bounds the whole conversation as well.
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(Object.assign(new Error(`no answer within ${context.timeoutMs * 2} ms`), { code: 'ETIMEDOUT' })),
          context.timeoutMs * 2,
        );
      });
      const info = await Promise.race([
        transport.sendMail({
          from: context.smtp.from,
          to: config.to as string[],
          subject: content.subject,
          text: content.text,
          html: content.html,
          headers: { 'X-Tripline-Alert': message.alertId, ...(message.deliveryId ? { 'X-Tripline-Delivery': message.deliveryId } : {}) },
        }),
        timeout,
      ]);
      if (info.rejected.length > 0) {
        return { ok: false, status: null, error: oneLine(`SMTP server refused ${info.rejected.map(String).join(', ')}: ${info.response}`, 300) };
      }
      return { ok: true, status: null };
    } catch (error) {
      return smtpFailure(error);
    } finally {
      clearTimeout(timer);
    }
  },
};
