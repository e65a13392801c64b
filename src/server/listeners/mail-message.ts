/**
 * What the SMTP listener keeps of a message: header fields, the subject, and the names and sizes
 * of attachments, read from the message's first bytes (the listener never keeps a whole body).
 * A forgiving reader: malformed MIME yields fewer facts, never an error.
 */

const MAX_HEADERS = 40;
const MAX_HEADER_VALUE = 500;
const MAX_PARTS = 50;
const MAX_DEPTH = 5;

export interface MailAttachment {
  name: string;
  contentType: string;
  /** Decoded size where the part is base64 (its bytes as sent otherwise). */
  size: number;
}

export interface MailSummary {
  headers: Record<string, string>;
  subject: string | null;
  attachments: MailAttachment[];
}

interface Part {
  headers: [string, string][];
  body: string;
}

function splitPart(text: string): Part {
  const end = text.search(/\r?\n\r?\n/);
  const head = end < 0 ? text : text.slice(0, end);
  const body = end < 0 ? '' : text.slice(end).replace(/^\r?\n\r?\n/, '');
  const headers: [string, string][] = [];
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
  }
  return { headers, body };
}

function header(part: Part, name: string): string | undefined {
  return part.headers.find(([key]) => key.toLowerCase() === name)?.[1];
}

function parameter(value: string | undefined, name: string): string | undefined {
  if (!value) return undefined;
  const match = new RegExp(`(?:^|;)\\s*${name}\\*?=\\s*(?:"([^"]*)"|([^;\\s]*))`, 'i').exec(value);
  const raw = match?.[1] ?? match?.[2];
  // RFC 2231 extended values: charset'language'percent-encoded.
  if (raw && /^[\w-]*'[\w-]*'/.test(raw)) {
    try {
      return decodeURIComponent(raw.replace(/^[\w-]*'[\w-]*'/, ''));
    } catch {
      return raw;
    }
  }
  return raw;
}

/** RFC 2047 encoded words (=?utf-8?B?...?= and =?utf-8?Q?...?=), as mail clients write subjects and file names. */
export function decodeWords(text: string): string {
  return text.replace(/=\?([^?]+)\?([bqBQ])\?([^?]*)\?=/g, (whole, _charset: string, encoding: string, data: string) => {
    try {
      if (encoding.toUpperCase() === 'B') return Buffer.from(data, 'base64').toString('utf8');
      return Buffer.from(
        data.replace(/_/g, ' ').replace(/=([0-9a-f]{2})/gi, (_m, hex: string) => String.fromCharCode(Number.parseInt(hex, 16))),
        'latin1',
      ).toString('utf8');
    } catch {
      return whole;
    }
  });
}

function partSize(part: Part): number {
  if ((header(part, 'content-transfer-encoding') ?? '').toLowerCase() === 'base64')
    return Math.floor((part.body.replace(/[^A-Za-z0-9+/]/g, '').length * 3) / 4);
  return Buffer.byteLength(part.body);
}

function collectAttachments(part: Part, out: MailAttachment[], depth: number): void {
  const contentType = header(part, 'content-type') ?? 'text/plain';
  const boundary = parameter(contentType, 'boundary');
  if (/^multipart\//i.test(contentType) && boundary && depth < MAX_DEPTH) {
    const pieces = part.body.split(new RegExp(`\\r?\\n?--${boundary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?:--)?[ \\t]*\\r?\\n?`));
    for (const piece of pieces.slice(1, MAX_PARTS)) {
      if (out.length >= MAX_PARTS) return;
      if (piece.trim()) collectAttachments(splitPart(piece), out, depth + 1);
    }
    return;
  }
  const disposition = header(part, 'content-disposition');
  const name = parameter(disposition, 'filename') ?? parameter(contentType, 'name');
  if (name !== undefined || /^attachment/i.test(disposition ?? '')) {
    out.push({
      name: decodeWords(name ?? '(unnamed)').slice(0, MAX_HEADER_VALUE),
      contentType: contentType.split(';')[0]!.trim().toLowerCase(),
      size: partSize(part),
    });
  }
}

/** Reads the header fields, subject and attachments of a message (or of the first bytes of one). */
export function summarizeMessage(raw: Buffer): MailSummary {
  const message = splitPart(raw.toString('latin1'));
  const headers: Record<string, string> = {};
  for (const [key, value] of message.headers.slice(0, MAX_HEADERS)) {
    const name = key.slice(0, 100);
    if (!(name in headers)) headers[name] = Buffer.from(value, 'latin1').toString('utf8').slice(0, MAX_HEADER_VALUE);
  }
  const subject = header(message, 'subject');
  const attachments: MailAttachment[] = [];
  collectAttachments(message, attachments, 0);
  return {
    headers,
    subject: subject === undefined ? null : decodeWords(Buffer.from(subject, 'latin1').toString('utf8')).slice(0, MAX_HEADER_VALUE),
    attachments,
  };
}
