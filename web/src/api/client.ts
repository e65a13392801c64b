/** A failed API call, with the server's own error code and message. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const API_BASE = '/api/v1';

/**
 * The REST API with the signed-in key. The key travels only in the Authorization header; it is
 * never put in a URL, where it would end up in history, logs and referrers.
 */
export class ApiClient {
  constructor(
    private readonly key: string,
    /** Called when the server refuses the key, so the session can end. */
    private readonly onUnauthorized: () => void,
  ) {}

  get authorization(): string {
    return `Bearer ${this.key}`;
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${API_BASE}${path}`, {
        method,
        headers: {
          authorization: this.authorization,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        cache: 'no-store',
      });
    } catch {
      throw new ApiError('The Tripline server cannot be reached.', 0, 'unreachable');
    }
    const text = await response.text();
    const parsed = parseJson(text);
    if (!response.ok) {
      if (response.status === 401) this.onUnauthorized();
      const error = isErrorBody(parsed) ? parsed : undefined;
      throw new ApiError(error?.message ?? `${method} ${path} failed with ${response.status}`, response.status, error?.error ?? 'http_error', error?.field);
    }
    return parsed as T;
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

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function isErrorBody(value: unknown): value is { error: string; message: string; field?: string } {
  return typeof value === 'object' && value !== null && 'error' in value && 'message' in value;
}

/** Builds a query string from the values that are set. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(name, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}
