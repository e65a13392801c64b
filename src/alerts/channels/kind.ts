import type { Logger } from 'pino';
import type { AlertMessage } from '../message.js';
import type { SmtpSettings } from '../settings.js';

/** Channel settings as given to `channel add` / POST /channels, before the kind checks them. */
export interface ChannelInput {
  url?: string;
  secret?: string;
  to?: string[];
  severity?: string;
  /** SIEM outputs: the credential each service takes (HEC token, API key, routing key, bot token). */
  token?: string;
  apiKey?: string;
  routingKey?: string;
  botToken?: string;
  chatId?: string;
  /** Where the service files the event: Splunk index, Elasticsearch index or data stream. */
  index?: string;
  sourcetype?: string;
  /** syslog: body format (cef or json), facility, and a CA (PEM) to trust for tls://. */
  format?: string;
  facility?: string;
  ca?: string;
}

export interface ConfiguredChannel {
  /** What is stored (secrets included). */
  config: Record<string, unknown>;
  /** Values the creator sees once in the creation response and never again (a generated secret). */
  revealOnce?: Record<string, string>;
}

/**
 * The outcome of one attempt. A failure says why, and may say when to try again (429). `detail`
 * (what the receiver answered) is for the server log only, never for API output.
 */
export type SendResult =
  | { ok: true; status: number | null }
  | {
      ok: false;
      status: number | null;
      error: string;
      retryAfterMs?: number;
      detail?: string;
      /** No retry can help (the receiver refused the request itself): the delivery goes dead at once. */
      permanent?: boolean;
    };

export interface SendContext {
  timeoutMs: number;
  /** --allow-private-targets: channels may reach loopback, private, link-local and metadata addresses. */
  allowPrivateTargets: boolean;
  smtp?: SmtpSettings;
  log: Logger;
}

/** One kind of alert channel: how its settings are checked and shown, and how it sends. */
export interface ChannelKind {
  kind: string;
  title: string;
  /** Checks kind-specific settings; throws ValidationError naming the field at fault. */
  configure(input: ChannelInput): ConfiguredChannel;
  /** The settings as list APIs show them: enough to recognise the channel, nothing secret. */
  describe(config: Record<string, unknown>): Record<string, unknown>;
  send(message: AlertMessage, config: Record<string, unknown>, context: SendContext): Promise<SendResult>;
}
