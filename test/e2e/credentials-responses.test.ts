import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { newTokenId } from '../../src/core/ids.js';
import { hexSecretFor } from '../../src/tokens/decoy-secret.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { hitsOf } from '../support/api.js';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function send(base: string, method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Answer> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, method, path, headers }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** What an observer can compare: status, the headers that carry meaning, and the body with the
 * per-request random ids (request ids, audit ids) and the asked-for id masked. */
function observable(answer: Answer, id: string): string {
  const masked = answer.body.replaceAll(id, 'ID').replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|<(RequestId|HostId)>[^<]*</g, 'RANDOM');
  return JSON.stringify([answer.status, answer.headers['content-type'], answer.headers['www-authenticate'] ?? null, masked]);
}

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const SIGV4 = (key: string, service: string) =>
  `AWS4-HMAC-SHA256 Credential=${key}/20250101/us-east-1/${service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`;

describe('credential clients are answered by request shape, never by token state', () => {
  let server: TestServer;
  const live: Record<string, any> = {};
  let disabled: any;
  before(async () => {
    server = await startTestServer();
    for (const kind of ['git-credentials', 'kubeconfig', 'aws-credentials', 'env'])
      live[kind] = (await server.api('POST', '/tokens', { kind, memo: kind })).body;
    disabled = (await server.api('POST', '/tokens', { kind: 'aws-credentials', memo: 'off' })).body;
    await server.api('PATCH', `/tokens/${disabled.id}`, { enabled: false });
  });
  after(() => server.close());

  /** Asks the same question for a live id, a disabled id and an unknown id; all answers must match. */
  async function sameForAnyId(ask: (id: string) => Promise<Answer>, liveId: string): Promise<Answer> {
    const answers = [
      [liveId, await ask(liveId)],
      [disabled.id, await ask(disabled.id)],
      [newTokenId(), await ask(newTokenId())],
    ] as const;
    const [first, ...rest] = answers.map(([id, answer]) => observable(answer, id));
    for (const other of rest) assert.equal(other, first);
    return answers[0][1];
  }

  it('git: a Basic challenge first, then 403 for any credential', async () => {
    const challenge = await send(server.url, 'GET', '/platform/infrastructure.git/info/refs?service=git-upload-pack', { 'user-agent': 'git/2.39.5' });
    assert.equal(challenge.status, 401);
    assert.equal(challenge.headers['www-authenticate'], 'Basic realm="Git"');
    const answer = await sameForAnyId(
      (id) =>
        send(server.url, 'GET', '/platform/infrastructure.git/info/refs?service=git-upload-pack', {
          'user-agent': 'git/2.39.5',
          authorization: basic('deploy-bot', hexSecretFor(id)),
        }),
      live['git-credentials'].id,
    );
    assert.equal(answer.status, 403);
    assert.equal((await hitsOf(server, live['git-credentials'].id)).length, 1);
  });

  it('kubernetes: 401 Status for a token, 403 Status for anonymous requests', async () => {
    const answer = await sameForAnyId(
      (id) =>
        send(server.url, 'GET', `/k8s/clusters/c-${id}/api?timeout=32s`, {
          'user-agent': 'kubectl/v1.32.4 (linux/amd64) kubernetes/4cb5f07',
          authorization: 'Bearer abc.def.ghi',
        }),
      live.kubeconfig.id,
    );
    assert.deepEqual(JSON.parse(answer.body), {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'Unauthorized',
      reason: 'Unauthorized',
      code: 401,
    });
    const anonymous = await send(server.url, 'GET', `/k8s/clusters/c-${newTokenId()}/api/v1/namespaces/default/pods`);
    assert.equal(anonymous.status, 403);
    assert.equal(JSON.parse(anonymous.body).message, 'forbidden: User "system:anonymous" cannot get path "/api/v1/namespaces/default/pods"');
  });

  it('aws: S3 says AccessDenied in S3 XML, JSON services in JSON, Query services in their XML', async () => {
    const s3 = await sameForAnyId(
      (id) => send(server.url, 'GET', `/${id}/`, { authorization: SIGV4('AKIAIOSFODNN7EXAMPLE', 's3'), 'x-amz-date': '20250101T000000Z' }),
      live['aws-credentials'].id,
    );
    assert.equal(s3.status, 403);
    assert.match(s3.body, /<Error><Code>AccessDenied<\/Code><Message>Access Denied<\/Message>/);
    const json = await send(
      server.url,
      'POST',
      `/${newTokenId()}`,
      {
        authorization: SIGV4('AKIAIOSFODNN7EXAMPLE', 'dynamodb'),
        'x-amz-target': 'DynamoDB_20120810.ListTables',
        'content-type': 'application/x-amz-json-1.0',
      },
      '{}',
    );
    assert.equal(json.status, 400);
    assert.match(JSON.parse(json.body).message, /not authorized to perform: dynamodb:ListTables/);
    const iam = await send(
      server.url,
      'POST',
      `/${newTokenId()}`,
      { authorization: SIGV4('AKIAIOSFODNN7EXAMPLE', 'iam'), 'content-type': 'application/x-www-form-urlencoded' },
      'Action=ListUsers&Version=2010-05-08',
    );
    assert.equal(iam.status, 403);
    assert.match(iam.body, /<Code>AccessDenied<\/Code><Message>User: arn:aws:iam::\d{12}:user\/[a-z-]+ is not authorized to perform: iam:ListUsers/);
  });

  it('aws: never echoes request input into XML unescaped', async () => {
    const answer = await send(
      server.url,
      'POST',
      `/${newTokenId()}`,
      { authorization: SIGV4('AKIA<script>', 'iam<x>'), 'content-type': 'application/x-www-form-urlencoded' },
      'Action=<b>',
    );
    assert.doesNotMatch(answer.body, /<script>|<x>|<b>/);
  });

  it('api clients: 401 invalid_token for a key, whatever token it names', async () => {
    const token = live.env;
    const answer = await sameForAnyId((id) => send(server.url, 'GET', `/api/v2/${id}/customers`, { authorization: `Bearer ${hexSecretFor(id)}` }), token.id);
    assert.equal(answer.status, 401);
    assert.equal(answer.headers['www-authenticate'], 'Bearer realm="api", error="invalid_token"');
  });

  it('leaves requests without credentials or a client shape to the web bug', async () => {
    const gif = await send(server.url, 'GET', `/assets/${newTokenId()}/logo.gif`);
    assert.equal(gif.status, 200);
    assert.equal(gif.headers['content-type'], 'image/gif');
  });

  it('survives malformed credentials with a clean answer', async () => {
    for (const authorization of ['Basic !!!not-base64', 'Bearer', 'AWS4-HMAC-SHA256', 'AWS', 'Bearer a.%%%.c', `Basic ${'A'.repeat(6000)}`]) {
      const answer = await send(server.url, 'GET', `/${newTokenId()}/x`, { authorization });
      assert.ok(answer.status >= 400 && answer.status < 500, `${authorization.slice(0, 20)} -> ${answer.status}`);
    }
  });
});
