import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import type { SmtpHitDetail } from '../../core/model/listener-hit-detail.js';
import { tokenIdOfAddress } from '../../tokens/email.js';
import { normalizeAddress } from '../client-address.js';
import type { ListenAddress } from '../listen-address.js';
import type { ListenerTokens } from './keyed-tokens.js';
import { summarizeMessage } from './mail-message.js';
import { LISTENER_LIMITS, startTcpListener, type RunningTcpListener } from './tcp-listener.js';

/** Bytes of a message kept for reading headers and attachment names; the rest is counted, not kept. */
const CAPTURE_BYTES = 256 * 1024;
/** The size advertised (and enforced) for a message, as a mail host's usual limit. */
const MAX_MESSAGE = 25 * 1024 * 1024;
const MAX_RECIPIENTS = 50;

class SmtpError extends Error {
  constructor(
    message: string,
    readonly responseCode: number,
  ) {
    super(message);
  }
}

/** Reads the message: the first CAPTURE_BYTES kept, every byte counted. */
function readMessage(stream: SMTPServerDataStream): Promise<{ head: Buffer; size: number; truncated: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let kept = 0;
    let size = 0;
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (kept < CAPTURE_BYTES) {
        const piece = chunk.subarray(0, CAPTURE_BYTES - kept);
        chunks.push(piece);
        kept += piece.length;
      }
    });
    stream.on('error', reject);
    stream.on('end', () => resolve({ head: Buffer.concat(chunks), size, truncated: size > kept }));
  });
}

export interface SmtpListenerOptions {
  address: ListenAddress;
  tokens: ListenerTokens;
  /** Mail for this domain is taken; other domains are refused as relaying. */
  mailDomain: string;
  /** The name in the greeting: the MX host. */
  hostname: string;
  log: Logger;
  refused: () => void;
}

/**
 * The SMTP listener (--smtp-listen): takes mail for the mail domain like an ordinary MTA, any
 * local part alike (an address naming no token is accepted just the same), and records a hit for
 * each token the recipients name once the message is in, before the final 250.
 */
export async function startSmtpListener(options: SmtpListenerOptions): Promise<RunningTcpListener> {
  const domain = options.mailDomain.toLowerCase();
  const record = async (session: SMTPServerSession, message: { head: Buffer; size: number; truncated: boolean }): Promise<void> => {
    const recipients = session.envelope.rcptTo.map((r) => r.address);
    const ids = [...new Set(recipients.map(tokenIdOfAddress).filter((id): id is string => id !== undefined))];
    const summary = summarizeMessage(message.head);
    const source = normalizeAddress(session.remoteAddress);
    const mailFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
    const helo = (session.hostNameAppearsAs ?? '').slice(0, 256);
    const lookups = ids.length === 0 ? [undefined] : ids;
    await Promise.all(
      lookups.map(async (id) => {
        const token = await options.tokens.findById(id).catch(() => undefined);
        await options.tokens.recordOrWait(token, () => {
          const recipient = recipients.find((r) => tokenIdOfAddress(r) === id) ?? '';
          const detail: SmtpHitDetail = {
            type: 'smtp',
            helo,
            mailFrom,
            rcptTo: recipients,
            recipient,
            subject: summary.subject,
            headers: summary.headers,
            attachments: summary.attachments,
            size: message.size,
            truncated: message.truncated,
            summary: `Mail to ${recipient} from ${mailFrom || '<>'}${summary.subject !== null ? `: "${summary.subject.slice(0, 100)}"` : ''}`,
          };
          return { source, userAgent: summary.headers['X-Mailer'] ?? summary.headers['User-Agent'] ?? null, detail };
        });
      }),
    );
  };

  const smtp = new SMTPServer({
    name: options.hostname,
    banner: 'Postfix (Debian/GNU)',
    // Postfix's EHLO line is its name alone; the library's default adds a greeting of its own.
    heloResponse: '%s',
    disabledCommands: ['AUTH', 'STARTTLS'],
    hideSTARTTLS: true,
    authOptional: true,
    disableReverseLookup: true,
    logger: false,
    size: MAX_MESSAGE,
    socketTimeout: 30_000,
    onRcptTo(address, session, callback) {
      if (session.envelope.rcptTo.length >= MAX_RECIPIENTS) return callback(new SmtpError('Error: too many recipients', 452));
      const at = address.address.lastIndexOf('@');
      if (at < 0 || address.address.slice(at + 1).toLowerCase() !== domain) {
        return callback(new SmtpError(`<${address.address}>: Relay access denied`, 454));
      }
      callback();
    },
    onData(stream, session, callback) {
      readMessage(stream)
        .then((message) => record(session, message))
        .then(
          () => callback(null, `Ok: queued as ${randomBytes(5).toString('hex').toUpperCase()}`),
          (error: unknown) => {
            options.log.debug({ err: error }, 'smtp message not read');
            callback(new SmtpError('Error: internal error', 451));
          },
        );
    },
  });
  smtp.on('error', (error: Error) => options.log.debug({ err: error }, 'smtp listener error'));
  return startTcpListener(options.address, LISTENER_LIMITS, (socket) => smtp.server.emit('connection', socket), options.refused);
}
