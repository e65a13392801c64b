import type { ServerResponse } from 'node:http';

/** An answer whose bytes never change: header names lower-case, content-length included. */
export interface FixedAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | number>>;
  readonly body: Buffer;
}

/** Builds a FixedAnswer, adding its content-length. */
export function fixedAnswer(status: number, headers: Record<string, string>, body: Buffer): FixedAnswer {
  return Object.freeze({ status, headers: Object.freeze({ ...headers, 'content-length': body.length }), body });
}

/**
 * The few reply verbs trigger answers need (status, headers, body), straight over node's
 * ServerResponse: trigger paths skip the web framework, which costs as much as the hit itself.
 */
export class TriggerReply {
  private status = 200;
  private readonly headers: Record<string, string | number> = {};

  constructor(
    private readonly response: ServerResponse,
    /** HEAD requests get the headers a GET would, and no body. */
    private readonly headOnly: boolean,
  ) {}

  code(status: number): this {
    this.status = status;
    return this;
  }

  header(name: string, value: string | number): this {
    this.headers[name.toLowerCase()] = value;
    return this;
  }

  /** Leaves out the Date header, so identical answers are identical to the byte. */
  withoutDate(): this {
    this.response.sendDate = false;
    return this;
  }

  send(body: string | Buffer = ''): this {
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    if (typeof body === 'string' && bytes.length > 0 && !('content-type' in this.headers)) {
      this.headers['content-type'] = 'text/plain; charset=utf-8';
    }
    this.headers['content-length'] = bytes.length;
    this.response.writeHead(this.status, this.headers);
    this.response.end(this.headOnly ? undefined : bytes);
    return this;
  }

  /**
   * A whole answer fixed in advance (the web bug's GIF): its headers object is shared by every
   * request, so nothing is built or lower-cased per answer. Sent without a Date header.
   */
  sendFixed(answer: FixedAnswer): this {
    this.status = answer.status;
    this.withoutDate();
    this.response.writeHead(answer.status, answer.headers);
    this.response.end(this.headOnly ? undefined : answer.body);
    return this;
  }

  get statusCode(): number {
    return this.status;
  }
}
