import { ValidationError } from '../../core/errors.js';
import { postBody } from '../http-post.js';
import type { AlertMessage } from '../message.js';
import type { ChannelInput, ChannelKind, ConfiguredChannel } from './kind.js';

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
  target?(url: string): string;
  /** Headers that depend on the exact body bytes (signatures). */
  headers?(body: string, message: AlertMessage, config: Record<string, unknown>): Record<string, string>;
  /** Kind-specific settings beyond the URL. */
  configure?(input: ChannelInput): ConfiguredChannel;
  describe?(config: Record<string, unknown>): Record<string, unknown>;
}

/** A channel that POSTs one JSON document per alert: every kind except email. */
export function httpChannel(spec: HttpChannelSpec): ChannelKind {
  return {
    kind: spec.kind,
    title: spec.title,
    configure(input) {
      const url = checkUrl(input.url);
      const extra = spec.configure?.(input) ?? { config: {} };
      return { config: { url, ...extra.config }, ...(extra.revealOnce ? { revealOnce: extra.revealOnce } : {}) };
    },
    describe(config) {
      return { url: redactUrl(config.url), ...(spec.describe?.(config) ?? {}) };
    },
    async send(message, config, context) {
      const url = String(config.url);
      const body = JSON.stringify(spec.render(message, config));
      const headers = spec.headers?.(body, message, config) ?? {};
      return postBody(spec.target ? spec.target(url) : url, body, headers, context);
    },
  };
}
