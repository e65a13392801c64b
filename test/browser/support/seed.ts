import { newRowId } from '../../../src/core/ids.js';
import { callApi } from '../../support/api.js';
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
        type: 'http',
        method: 'GET',
        path,
        query: '',
        headers: { host: new URL(token.url).host, 'user-agent': userAgent, accept: '*/*', 'x-forwarded-for': source },
      },
    });
  }
}

export interface FileHitProcess {
  binary: string;
  arguments: string[];
}

function processInfo(pid: number, { binary, arguments: args }: FileHitProcess) {
  return {
    pid,
    uid: 1001,
    auid: 1001,
    binary,
    arguments: args,
    cwd: '/home/mallory',
    startTime: new Date(Date.now() - 60_000).toISOString(),
    execId: Buffer.from(`db-01:${pid}`).toString('base64'),
    containerId: 'c3f2a9e1b7d04e5f',
    cgroup: '/system.slice/docker-c3f2a9e1b7d04e5f.scope',
  };
}

/** Enrolls an agent through the API, has it report the policy naming the token (a heartbeat),
 * and reports a decoy read through the agents' own endpoint, exactly as a host agent would.
 * Returns the agent's enrollment. */
export async function reportFileAccess(
  server: TestServer,
  tokenId: string,
  path: string,
  process: FileHitProcess,
  parent: FileHitProcess,
  /** More fields of the access, e.g. the container decoy copy it touched (decoyCopy). */
  more: Record<string, unknown> = {},
): Promise<{ agentId: string; key: string }> {
  const node = 'db-01.prod.example.com';
  const enrolled = await server.api('POST', '/agents', { name: 'db-01', node });
  if (enrolled.status !== 201) throw new Error(`enrolling an agent failed: ${enrolled.status}`);
  await sendHeartbeat(server, enrolled.body.key, {
    node,
    version: '0.1.0',
    startedAt: new Date().toISOString(),
    policies: [
      { file: `/etc/tripline/policies/tripline-${tokenId}.yaml`, name: `tripline-${tokenId}`, ok: true, errors: [], warnings: [], tokenIds: [tokenId] },
    ],
    watched: [{ path, tokenId, ok: true }],
  });
  const event = {
    id: newRowId(),
    tokenId,
    node,
    policy: `tripline-${tokenId}`,
    hook: 'security_file_permission',
    actions: ['post'],
    access: {
      time: new Date().toISOString(),
      access: 'read',
      path,
      dev: 2049,
      ino: 1311,
      permission: true,
      process: processInfo(4212, process),
      parent: processInfo(4100, parent),
      ...more,
    },
  };
  const { status, body: result } = await callApi(server.adminUrl, enrolled.body.key, 'POST', '/agents/events', { body: { events: [event] } });
  if (status !== 200 || result.accepted !== 1) throw new Error(`the agent's report was not accepted: ${status} ${JSON.stringify(result)}`);
  return { agentId: enrolled.body.id, key: enrolled.body.key };
}

/** A heartbeat as an agent sends it, through the agents' endpoint with the agent's own key. */
export async function sendHeartbeat(server: TestServer, key: string, heartbeat: unknown): Promise<void> {
  const { status, body } = await callApi(server.adminUrl, key, 'POST', '/agents/heartbeat', { body: heartbeat });
  if (status !== 200) throw new Error(`the heartbeat was refused: ${status} ${JSON.stringify(body)}`);
}
