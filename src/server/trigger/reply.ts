import type { ServerResponse } from 'node:http';

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

  get statusCode(): number {
    return this.status;
  }
}
