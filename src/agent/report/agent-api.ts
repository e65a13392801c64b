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

  private async post<T>(path: string, body: unknown): Promise<T> {
    const url = `${this.base}/api/v1${path}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.options.key}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
      throw new AgentApiError(`cannot reach ${url} (${cause})`, 0, { url });
    }
    const text = await response.text();
    if (!response.ok) {
      throw new AgentApiError(`POST ${url}: ${response.status} ${text.slice(0, 300)}`, response.status, { url });
    }
    try {
      return (text ? JSON.parse(text) : {}) as T;
    } catch {
      throw new AgentApiError(`POST ${url}: the answer is not JSON`, response.status, { url });
    }
  }
}
