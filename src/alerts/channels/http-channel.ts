import { ValidationError } from '../../core/errors.js';
import { postBody, postForAnswer, redactCredentials } from '../http-post.js';
import type { AlertMessage } from '../message.js';
import type { ChannelInput, ChannelKind, ConfiguredChannel, SendResult } from './kind.js';
import { serviceOutcome, type ServiceApi } from './service-answer.js';

// Enough for an Elasticsearch bulk answer about one document, with its error.
const SERVICE_ANSWER_BYTES = 16 * 1024;

const MAX_URL_LENGTH = 2048;

/** An absolute http(s) URL, or a ValidationError naming the field. */
export function checkUrl(value: unknown, field = 'url'): string {
  if (typeof value !== 'string' || value.trim() === '') throw new ValidationError(`${field} is required for this channel kind`, { field });
  if (value.length > MAX_URL_LENGTH) throw new ValidationError(`${field} is longer than ${MAX_URL_LENGTH} characters`, { field });
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new ValidationError(`${field} must be an absolute http:// or https:// URL`, { field });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ValidationError(`${field} must use http or https, not ${url.protocol.replace(':', '')}`, { field });
  }
  return url.toString();
}

/**
 * A webhook URL as lists show it: scheme, user (password as ***) and host only. Chat webhook URLs
 * carry their secret in the path or query (Slack, Discord, Teams, Google Chat).
 */
export function redactUrl(value: unknown): string {
  try {
    const url = new URL(String(value));
    const hidden = url.pathname.length > 1 || url.search !== '' || url.username !== '' ? '/…' : '';
    const user = url.username || url.password ? `${url.username}:***@` : '';
    return `${url.protocol}//${user}${url.host}${hidden}`;
  } catch {
    return '(unreadable URL)';
  }
}

export interface RenderedRequest {
  /** The JSON value to send. */
  body: unknown;
}

export interface HttpChannelSpec {
  kind: string;
  title: string;
  render(message: AlertMessage, config: Record<string, unknown>): unknown;
  /** Where to POST, from the stored URL (defaults to the URL itself). */
  target?(url: string, config: Record<string, unknown>): string;
  /** Headers: credentials, and those that depend on the exact body bytes (signatures). */
  headers?(body: string, message: AlertMessage, config: Record<string, unknown>): Record<string, string>;
  /** Kind-specific settings beyond the URL. */
  configure?(input: ChannelInput): ConfiguredChannel;
  describe?(config: Record<string, unknown>): Record<string, unknown>;
  /** The URL when none is given: the service's public API (Telegram, PagerDuty). */
  defaultUrl?: string;
  /** The body's bytes from what render returned (defaults to JSON). */
  encode?(rendered: unknown): string;
  /**
   * For services with a documented API: how their answers read (reason field, failures inside a
   * 2xx). A refusal other than throttling or server trouble then goes dead at once.
   */
  api?: ServiceApi;
  /** Stored secrets that must never appear in an outcome (a bot token in the request path). */
  secrets?(config: Record<string, unknown>): string[];
}

function redactor(url: string, secrets: string[]): (text: string) => string {
  return (text) => {
    let redacted = redactCredentials(text, url);
    for (const secret of secrets) if (secret) redacted = redacted.split(secret).join('***');
    return redacted;
  };
}

/** A channel that POSTs one document per alert (JSON unless the kind encodes it): every kind except email and syslog. */
export function httpChannel(spec: HttpChannelSpec): ChannelKind {
  return {
    kind: spec.kind,
    title: spec.title,
    configure(input) {
      const url = checkUrl(input.url ?? spec.defaultUrl);
      const extra = spec.configure?.(input) ?? { config: {} };
      return { config: { url, ...extra.config }, ...(extra.revealOnce ? { revealOnce: extra.revealOnce } : {}) };
    },
    describe(config) {
      return { url: redactUrl(config.url), ...(spec.describe?.(config) ?? {}) };
    },
    async send(message, config, context): Promise<SendResult> {
      const url = String(config.url);
      const rendered = spec.render(message, config);
      const body = spec.encode ? spec.encode(rendered) : JSON.stringify(rendered);
      const headers = spec.headers?.(body, message, config) ?? {};
      const target = spec.target ? spec.target(url, config) : url;
      if (!spec.api) return postBody(target, body, headers, context);
      const redact = redactor(url, spec.secrets?.(config) ?? []);
      const answer = await postForAnswer(target, body, headers, context, SERVICE_ANSWER_BYTES);
      if ('ok' in answer) return answer.ok ? answer : { ...answer, error: redact(answer.error) };
      return serviceOutcome(answer, spec.api, redact);
    },
  };
}
