import { TriplineError } from '../core/errors.js';

/** The admin listener of a server started with the defaults (API, agents); token URLs are on 8080. */
export const DEFAULT_SERVER_URL = 'http://127.0.0.1:8081';

/** A failed call to the server, with the server's own message when it sent one. */
export class ApiCallError extends TriplineError {
  constructor(message: string, status: number, context: Record<string, unknown> = {}) {
    super(message, 'api_call_failed', status, context);
  }
}

export interface ClientOptions {
  server: string;
  key?: string;
}

/** The REST API as the CLI sees it: JSON in, JSON out, errors that say what went wrong. */
export class ApiClient {
  private readonly base: string;

  constructor(private readonly options: ClientOptions) {
    this.base = options.server.replace(/\/+$/, '');
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await this.send(method, path, body, AbortSignal.timeout(30_000));
    const text = await response.text();
    let parsed: unknown;
    if (text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    if (!response.ok) {
      const message =
        typeof parsed === 'object' && parsed !== null && 'message' in parsed ? String((parsed as { message: unknown }).message) : text || response.statusText;
      throw new ApiCallError(`${method} ${path}: ${response.status} ${message}`, response.status);
    }
    return parsed as T;
  }

  /** The server's live event stream (server-sent events), open until the signal aborts. */
  /**
   * The live event stream. The Response itself is returned, not only its body: undici cancels a
   * body whose Response has been garbage collected, and the stream then simply stops delivering,
   * so the caller keeps the Response referenced for as long as it reads.
   */
  async events(signal: AbortSignal): Promise<Response & { body: ReadableStream<Uint8Array> }> {
    const response = await this.send('GET', '/events', undefined, signal);
    if (!response.ok || !response.body) throw new ApiCallError(`GET /events: ${response.status} ${await response.text()}`, response.status);
    return response as Response & { body: ReadableStream<Uint8Array> };
  }

  private async send(method: string, path: string, body: unknown, signal: AbortSignal): Promise<Response> {
    if (!this.options.key) {
      throw new ApiCallError('no API key: pass --key or set TRIPLINE_KEY (the server printed one at its first start)', 401);
    }
    try {
      return await fetch(`${this.base}/api/v1${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.options.key}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
      throw new ApiCallError(`cannot reach the Tripline server at ${this.base} (${cause}); is it running? (--server / TRIPLINE_URL)`, 0, {
        server: this.base,
      });
    }
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  post<T>(path: string, body: unknown = {}): Promise<T> {
    return this.request<T>('POST', path, body);
  }

  patch<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PATCH', path, body);
  }

  delete(path: string): Promise<void> {
    return this.request<void>('DELETE', path);
  }
}
