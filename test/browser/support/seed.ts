import type { TestServer } from '../../support/server.js';

export interface SeededToken {
  id: string;
  memo: string;
  url: string;
}

const BROWSERS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
  'curl/8.5.0',
  'python-requests/2.31.0',
  'Go-http-client/1.1',
  'Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17328; Pro)',
];

/** Creates tokens through the API, as a user would. */
export async function createTokens(server: TestServer, memos: string[]): Promise<SeededToken[]> {
  const created: SeededToken[] = [];
  for (const memo of memos) {
    const response = await server.api('POST', '/tokens', { kind: 'http', memo });
    if (response.status !== 201) throw new Error(`creating a token failed: ${response.status} ${JSON.stringify(response.body)}`);
    created.push({ id: response.body.id, memo, url: response.body.url });
  }
  return created;
}

/**
 * Records hits spread over the past hours through the server's own HitRecorder (the path every
 * trigger takes), so charts have history that real requests made now could not give them.
 */
export async function recordPastHits(server: TestServer, token: SeededToken, hoursAgo: number[]): Promise<void> {
  const { recorder, tokens } = server.server.services;
  const stored = await tokens.repository.get(token.id);
  const path = new URL(token.url).pathname;
  for (const [index, hours] of hoursAgo.entries()) {
    const userAgent = BROWSERS[index % BROWSERS.length]!;
    const source = `203.0.113.${10 + (index % 7)}`;
    await recorder.record(stored, {
      source,
      userAgent,
      at: new Date(Date.now() - hours * 3_600_000).toISOString(),
      detail: {
        method: 'GET',
        path,
        query: '',
        headers: { host: new URL(token.url).host, 'user-agent': userAgent, accept: '*/*', 'x-forwarded-for': source },
      },
    });
  }
}
