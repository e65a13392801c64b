import { waitFor } from './wait.js';
import { modelHits } from './model.js';

export interface ApiAnswer {
  status: number;
  headers: Headers;
  /** The answer parsed as JSON, its text when it is not JSON, undefined when empty. */
  body: any;
}

/** Calls the REST API under `adminUrl` with a key, as the tests and benches do. */
export type ApiCall = (method: string, path: string, body?: unknown) => Promise<ApiAnswer>;

export interface CallOptions {
  /** Sent as JSON. */
  body?: unknown;
  /** Sent exactly as given (as JSON's content type), instead of `body`. */
  raw?: string | Buffer;
  headers?: Record<string, string>;
}

/** One call to the REST API under `adminUrl`, with a key or none (null): what agents, and intruders with stolen keys, can send. */
export async function callApi(adminUrl: string, key: string | null, method: string, path: string, options: CallOptions = {}): Promise<ApiAnswer> {
  const headers: Record<string, string> = { ...options.headers };
  if (key !== null) headers.authorization = `Bearer ${key}`;
  const sent = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  if (sent !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${adminUrl}/api/v1${path}`, { method, headers, body: sent });
  const text = await response.text();
  let body: unknown = text || undefined;
  try {
    if (text) body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, headers: response.headers, body };
}

export function apiClient(adminUrl: string, key: string): ApiCall {
  return (method, path, body) => callApi(adminUrl, key, method, path, { body });
}

/** A token's stored hits, newest first, through the API. */
export async function hitsOf(server: { api: ApiCall }, tokenId: string, limit = 500): Promise<any[]> {
  const { status, body } = await server.api('GET', `/tokens/${tokenId}/hits?limit=${limit}`);
  if (status !== 200) throw new Error(`GET /tokens/${tokenId}/hits answered ${status}: ${JSON.stringify(body)}`);
  return modelHits(body.items);
}

/** Alerts raised for a token, through the API. */
export async function alertsOf(server: { api: ApiCall }, tokenId: string): Promise<any[]> {
  const { status, body } = await server.api('GET', `/alerts?tokenId=${tokenId}`);
  if (status !== 200) throw new Error(`GET /alerts answered ${status}: ${JSON.stringify(body)}`);
  return body.items;
}

/** A token's hits once at least `count` are stored (triggers that record after answering, such as an SSH key offer). */
export function waitForHits(server: { api: ApiCall }, tokenId: string, count = 1, timeoutMs = 20_000): Promise<any[]> {
  return waitFor(
    `${count} hits on token ${tokenId}`,
    async () => {
      const hits = await hitsOf(server, tokenId);
      return hits.length >= count && hits;
    },
    timeoutMs,
  );
}
