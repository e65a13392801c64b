/** The server's agent endpoints, as the agent calls them: a bearer agent key, JSON both ways. */
import { TriplineError } from '../../core/errors.js';
import type { AgentEvent, EventsResponse, Heartbeat } from '../../core/agent-protocol.js';

/** A call that failed; `status` is 0 when no HTTP answer came back (network, timeout). */
export class AgentApiError extends TriplineError {
  constructor(
    message: string,
    readonly httpStatus: number,
    context: Record<string, unknown> = {},
  ) {
    super(message, 'agent_api_failed', 502, { ...context, httpStatus });
  }

  /** The batch itself is at fault and will never be accepted as it is (413: too large as one batch). */
  get rejected(): boolean {
    return this.httpStatus === 400 || this.httpStatus === 413 || this.httpStatus === 422;
  }
}

export interface AgentApiOptions {
  server: string;
  key: string;
  timeoutMs?: number;
}

export class AgentApi {
  private readonly base: string;

  constructor(private readonly options: AgentApiOptions) {
    this.base = options.server.replace(/\/+$/, '');
  }

  get server(): string {
    return this.base;
  }

  postEvents(events: AgentEvent[]): Promise<EventsResponse> {
    return this.post<EventsResponse>('/agents/events', { events });
  }

  heartbeat(body: Heartbeat): Promise<unknown> {
    return this.post('/agents/heartbeat', body);
  }

  /** A GET answered as JSON; `timeoutMs` for long polls, which the server holds open on purpose. */
  get<T>(path: string, timeoutMs?: number, signal?: AbortSignal): Promise<T> {
    return this.call<T>('GET', path, undefined, timeoutMs, signal);
  }

  private post<T>(path: string, body: unknown): Promise<T> {
    return this.call<T>('POST', path, body);
  }

  private async call<T>(method: string, path: string, body: unknown, timeoutMs = this.options.timeoutMs ?? 10_000, signal?: AbortSignal): Promise<T> {
    const url = `${this.base}/api/v1${path}`;
    let response: Response;
    try {
      const timeout = AbortSignal.timeout(timeoutMs);
      response = await fetch(url, {
        method,
        headers: { authorization: `Bearer ${this.options.key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: signal ? AbortSignal.any([timeout, signal]) : timeout,
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
      throw new AgentApiError(`cannot reach ${url} (${cause})`, 0, { url });
    }
    const text = await response.text();
    if (!response.ok) {
      throw new AgentApiError(`${method} ${url}: ${response.status} ${text.slice(0, 300)}`, response.status, { url });
    }
    try {
      return (text ? JSON.parse(text) : {}) as T;
    } catch {
      throw new AgentApiError(`${method} ${url}: the answer is not JSON`, response.status, { url });
    }
  }
}
