export interface ApiAnswer {
  status: number;
  body: any;
}

/** Calls the REST API under `adminUrl` with a key, as the tests and benches do. */
export type ApiCall = (method: string, path: string, body?: unknown) => Promise<ApiAnswer>;

export function apiClient(adminUrl: string, key: string): ApiCall {
  return async (method, path, body) => {
    const response = await fetch(`${adminUrl}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  };
}

/** A token's stored hits, newest first, through the API. */
export async function hitsOf(server: { api: ApiCall }, tokenId: string, limit = 500): Promise<any[]> {
  const { status, body } = await server.api('GET', `/tokens/${tokenId}/hits?limit=${limit}`);
  if (status !== 200) throw new Error(`GET /tokens/${tokenId}/hits answered ${status}: ${JSON.stringify(body)}`);
  return body.items;
}

/** Alerts raised for a token, through the API. */
export async function alertsOf(server: { api: ApiCall }, tokenId: string): Promise<any[]> {
  const { status, body } = await server.api('GET', `/alerts?tokenId=${tokenId}`);
  if (status !== 200) throw new Error(`GET /alerts answered ${status}: ${JSON.stringify(body)}`);
  return body.items;
}
