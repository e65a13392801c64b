import { ValidationError } from '../../core/errors.js';
import { alertFields } from '../alert-fields.js';
import { renderCef } from '../cef.js';
import { oneLine } from '../escape.js';
import type { AlertMessage } from '../message.js';
import { FACILITIES, octetCounted, rfc5424, SD_ID, type Facility } from '../syslog-message.js';
import { sendSyslog, type SyslogTarget, type SyslogTransport } from '../syslog-transport.js';
import type { ChannelKind } from './kind.js';
import { webhookPayload } from './webhook.js';

const DEFAULT_PORTS: Record<SyslogTransport, number> = { udp: 514, tcp: 514, tls: 6514 };
export const SYSLOG_FORMATS = ['cef', 'json'] as const;
const MAX_CA = 64 * 1024;

/** udp://, tcp:// or tls://HOST[:PORT] and nothing else: a path or credentials would mean a mistake. */
export function parseSyslogUrl(value: unknown): { url: string; target: SyslogTarget } {
  const field = 'url';
  if (typeof value !== 'string' || value.trim() === '') throw new ValidationError('url is required: udp://, tcp:// or tls://HOST:PORT', { field });
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new ValidationError('url must look like udp://HOST:PORT, tcp://HOST:PORT or tls://HOST:PORT', { field });
  }
  const transport = url.protocol.replace(/:$/, '');
  if (transport !== 'udp' && transport !== 'tcp' && transport !== 'tls') {
    throw new ValidationError(`url must use udp, tcp or tls, not ${oneLine(transport, 20)}`, { field });
  }
  if (url.hostname === '') throw new ValidationError('url names no host', { field });
  if (url.username || url.password || (url.pathname !== '' && url.pathname !== '/') || url.search || url.hash) {
    throw new ValidationError('url must be only scheme, host and port (syslog has no paths or credentials)', { field });
  }
  const port = url.port === '' ? DEFAULT_PORTS[transport] : Number(url.port);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return { url: `${transport}://${url.hostname}:${port}`, target: { transport, host, port } };
}

/** The message body: a CEF record, or the generic webhook's JSON on one line. */
function body(message: AlertMessage, format: string): string {
  return format === 'json' ? JSON.stringify(webhookPayload(message)) : renderCef(message);
}

/** The RFC 5424 message for an alert: app-name tripline, MSGID the event, structured data naming alert, token and hit. */
export function syslogMessage(message: AlertMessage, config: Record<string, unknown>, timestamp = new Date().toISOString()): string {
  const f = alertFields(message);
  return rfc5424({
    facility: (config.facility as Facility | undefined) ?? 'auth',
    level: f.level,
    timestamp,
    appName: 'tripline',
    msgId: f.action,
    data: [
      [
        SD_ID,
        [
          ['alert', message.alertId],
          ['token', message.token.id],
          ['tokenKind', message.token.kind],
          ['hit', message.firstHit.id],
          ['hitCount', String(message.hitCount)],
          ['source', f.source],
        ],
      ],
      ['origin', [['software', 'Tripline']]],
    ],
    msg: body(message, String(config.format ?? 'cef')),
  });
}

/**
 * Syslog to a SIEM or collector: RFC 5424 over UDP (one datagram), TCP (RFC 6587 octet counting)
 * or TLS (the same framing, RFC 5425), the body in CEF or JSON.
 */
export const syslogChannel: ChannelKind = {
  kind: 'syslog',
  title: 'Syslog (RFC 5424 over UDP, TCP or TLS; CEF or JSON)',
  configure(input) {
    const { url } = parseSyslogUrl(input.url);
    const format = input.format ?? 'cef';
    if (!(SYSLOG_FORMATS as readonly string[]).includes(format)) throw new ValidationError('format must be cef or json', { field: 'format' });
    const facility = input.facility ?? 'auth';
    if (!(FACILITIES as readonly string[]).includes(facility)) {
      throw new ValidationError(`facility must be one of ${FACILITIES.join(', ')}`, { field: 'facility' });
    }
    if (input.ca !== undefined) {
      if (!url.startsWith('tls://')) throw new ValidationError('ca applies to tls:// only', { field: 'ca' });
      if (input.ca.length > MAX_CA || !input.ca.includes('-----BEGIN CERTIFICATE-----')) {
        throw new ValidationError('ca must be PEM certificates (-----BEGIN CERTIFICATE-----), at most 64 KiB', { field: 'ca' });
      }
    }
    return { config: { url, format, facility, ...(input.ca ? { ca: input.ca } : {}) } };
  },
  describe: (config) => ({ url: config.url, format: config.format, facility: config.facility, ...(config.ca ? { ca: 'own CA' } : {}) }),
  send(message, config, context) {
    const { target } = parseSyslogUrl(config.url);
    const text = syslogMessage(message, config);
    return sendSyslog(
      { ...target, ...(typeof config.ca === 'string' ? { ca: config.ca } : {}) },
      target.transport === 'udp' ? text : octetCounted(text),
      context,
    );
  },
};
