import { alertFields, type AlertLevel } from './alert-fields.js';
import { visibleText } from './escape.js';
import type { AlertMessage } from './message.js';

/**
 * ArcSight Common Event Format (CEF:0), as the "Implementing ArcSight CEF" guide (revision 25)
 * describes it: `CEF:Version|Device Vendor|Device Product|Device Version|Device Event Class ID|
 * Name|Severity|Extension`, extension as `key=value` pairs of the guide's dictionary keys.
 */

// The body's own version, so a parser can tell formats apart if it ever changes.
export const CEF_DEVICE_VERSION = '1';

/** CEF severity 0-10 (10 the most important), from the message's level. */
export const CEF_SEVERITY: Record<AlertLevel, number> = { critical: 10, warning: 7, info: 1 };

// The guide's limits for the string keys used below (characters).
const MAX_VALUE = 1023;

/**
 * A header field: backslash and pipe are backslash-escaped; the header must stay on one line,
 * so line breaks and other invisible characters are written out as <U+XXXX>.
 */
export function cefHeader(text: string): string {
  return visibleText(text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|'));
}

/**
 * An extension value: backslash and equals sign are backslash-escaped, a line feed becomes \n and
 * a carriage return \r, as the guide says; any other invisible character is written
 * out as <U+XXXX> so a collector that rewrites control characters cannot change the value.
 */
export function cefValue(text: string, max = MAX_VALUE): string {
  const cut = text.length > max ? `${text.slice(0, max - 1)}…` : text;
  return visibleText(cut.replace(/\\/g, '\\\\').replace(/=/g, '\\=').replace(/\n/g, '\\n').replace(/\r/g, '\\r'));
}

/** The CEF record for an alert: who, what, which token, and the counts. */
export function renderCef(message: AlertMessage): string {
  const f = alertFields(message);
  const extension: [string, string | number | null | undefined][] = [
    ['rt', Date.parse(message.firstHit.at)],
    ['start', Date.parse(message.firstHit.at)],
    ['end', Date.parse(message.lastHitAt)],
    ['externalId', message.alertId],
    ['cat', 'honeytoken'],
    ['cnt', message.hitCount],
    ['msg', f.summary],
  ];
  const labelled = (key: string, label: string, value: string | null | undefined) => {
    if (value) extension.push([key, value], [`${key}Label`, label]);
  };
  if (f.sourceIp?.family === 4) extension.push(['src', f.sourceIp.address]);
  else if (f.sourceIp) labelled('c6a2', 'Source IPv6 Address', f.sourceIp.address);
  else extension.push(['shost', f.source]);
  extension.push(
    ['requestClientApplication', f.userAgent],
    ['requestMethod', f.http?.method],
    ['request', f.http ? `${f.http.path}${f.http.query ? `?${f.http.query}` : ''}` : undefined],
    ['filePath', f.file?.path],
    ['fname', f.file?.path.split('/').pop()],
    ['dvchost', f.file?.node],
    ['sproc', f.process?.name],
    ['spid', f.process?.pid],
    ['suid', f.process?.uid],
  );
  labelled('cs1', 'Token ID', message.token.id);
  labelled('cs2', 'Token memo', message.token.memo);
  labelled('cs3', 'Token kind', message.token.kind);
  labelled('cs4', 'Dashboard URL', message.link);
  labelled('cs5', 'DNS name', f.dns?.name);
  labelled('cs6', 'Container ID', f.process?.containerId);
  const header = ['CEF:0', 'Tripline', 'Tripline', CEF_DEVICE_VERSION, f.action, f.title, String(CEF_SEVERITY[f.level])];
  const pairs = extension.filter(([, v]) => v !== undefined && v !== null && v !== '').map(([k, v]) => `${k}=${cefValue(String(v))}`);
  return `${header.map((h, i) => (i === 0 ? h : cefHeader(h.length > 512 ? `${h.slice(0, 511)}…` : h))).join('|')}|${pairs.join(' ')}`;
}
