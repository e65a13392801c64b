import { hostname } from 'node:os';
import type { AlertLevel } from './alert-fields.js';
import { visibleText } from './escape.js';

/**
 * RFC 5424 syslog messages and the RFC 6587 octet-counting frame that carries them over TCP and
 * TLS. Header fields are printable US-ASCII by the RFC's grammar; anything else is replaced.
 */

export const FACILITIES = [
  'kern',
  'user',
  'mail',
  'daemon',
  'auth',
  'syslog',
  'lpr',
  'news',
  'uucp',
  'cron',
  'authpriv',
  'ftp',
  'ntp',
  'audit',
  'alert',
  'clock',
  'local0',
  'local1',
  'local2',
  'local3',
  'local4',
  'local5',
  'local6',
  'local7',
] as const;
export type Facility = (typeof FACILITIES)[number];

/** RFC 5424 severities (0 emergency ... 7 debug) for the message levels. */
export const SYSLOG_SEVERITY: Record<AlertLevel, number> = { critical: 2, warning: 4, info: 6 };

/**
 * The SD-ID of Tripline's structured data. 32473 is the private enterprise number IANA reserves
 * for documentation (RFC 5612); SD-IDs with an @ need no registration of their own.
 */
export const SD_ID = 'tripline@32473';

/** A header field: printable US-ASCII without spaces, at most `max` characters, "-" when empty. */
function headerField(text: string, max: number): string {
  const clean = text.replace(/[^\x21-\x7e]/g, '_').slice(0, max);
  return clean === '' ? '-' : clean;
}

/** A PARAM-VALUE: `"`, `\` and `]` backslash-escaped (RFC 5424 section 6.3.3), on one line. */
export function sdValue(text: string): string {
  return visibleText(text).replace(/["\\\]]/g, (c) => `\\${c}`);
}

export interface SyslogFields {
  facility: Facility;
  level: AlertLevel;
  timestamp: string;
  appName: string;
  msgId: string;
  /** SD-ID to parameters, in order. */
  data: [string, [string, string][]][];
  msg: string;
  host?: string;
}

/** `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID [SD] MSG`, without a BOM (MSG-ANY). */
export function rfc5424(fields: SyslogFields): string {
  const pri = FACILITIES.indexOf(fields.facility) * 8 + SYSLOG_SEVERITY[fields.level];
  const sd = fields.data.length === 0 ? '-' : fields.data.map(([id, params]) => `[${id}${params.map(([k, v]) => ` ${k}="${sdValue(v)}"`).join('')}]`).join('');
  return [
    `<${pri}>1`,
    fields.timestamp,
    headerField(fields.host ?? hostname(), 255),
    headerField(fields.appName, 48),
    String(process.pid),
    headerField(fields.msgId, 32),
    `${sd} ${fields.msg}`,
  ].join(' ');
}

/** RFC 6587 octet counting: the message's length in bytes, a space, the message. */
export function octetCounted(message: string): string {
  return `${Buffer.byteLength(message)} ${message}`;
}
