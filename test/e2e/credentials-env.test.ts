import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../support/server.js';
import { alertsOf, hitsOf } from '../support/api.js';
import { cleanEnv, run, scratch, writeArtifact } from './credentials-support.js';

describe('.env decoy used by an application or an intruder with curl', () => {
  const work = scratch('env');
  let server: TestServer;
  let token: { id: string; artifact: { file: { name: string; content: string } } };
  before(async () => {
    server = await startTestServer();
    token = (await server.api('POST', '/tokens', { kind: 'env', memo: '.env of the billing service' })).body;
    writeArtifact(work.dir, token.artifact.file, '.env');
  });
  after(async () => {
    await server.close();
    work.remove();
  });

  /** Sources the .env as a shell would, then runs one curl command line against its variables. */
  async function curlWithEnv(command: string): Promise<{ code: number; stdout: string }> {
    const result = await run('bash', ['-c', `set -a; . ./.env; set +a; ${command}`], cleanEnv(work.dir), work.dir);
    return { code: result.code, stdout: result.stdout };
  }

  it('names the key presented: the API token as a bearer token against the API URL', async () => {
    const answer = await curlWithEnv('curl -sS -w "\\n%{http_code}" -H "Authorization: Bearer $INTERNAL_API_TOKEN" "$API_BASE_URL/customers?limit=10"');
    assert.match(answer.stdout, /invalid_token[\s\S]*\n401$/);
    const [hit] = await hitsOf(server, token.id);
    assert.equal(hit.detail.client, 'api');
    assert.equal(hit.detail.credential.decoy, 'INTERNAL_API_TOKEN');
    assert.equal(hit.detail.query, 'limit=10');
  });

  it('names the key presented in an API-key header, and the user of a URL with credentials in it', async () => {
    await curlWithEnv('curl -sS -o /dev/null -H "X-Api-Key: $PAYMENTS_API_KEY" "$PAYMENTS_API_URL/charges"');
    await curlWithEnv('curl -sS -o /dev/null "$SEARCH_URL/_cat/indices"');
    const hits = await hitsOf(server, token.id);
    const byDecoy = Object.fromEntries(hits.map((hit) => [hit.detail.credential?.decoy, hit.detail.credential]));
    assert.equal(byDecoy.PAYMENTS_API_KEY.carrier, 'x-api-key');
    assert.equal(byDecoy.SEARCH_PASSWORD.user, 'search-admin');
  });

  it('fires on a plain request to a service URL, and the API token alone names the token anywhere', async () => {
    const before = (await hitsOf(server, token.id)).length;
    await curlWithEnv('curl -sS -o /dev/null "$ADMIN_CONSOLE_URL"');
    await curlWithEnv(`curl -sS -o /dev/null -H "Authorization: Bearer $INTERNAL_API_TOKEN" "${server.url}/v2/whoami"`);
    const hits = await hitsOf(server, token.id);
    assert.equal(hits.length, before + 2);
    assert.equal(hits[0].detail.path, '/v2/whoami');
    assert.equal(hits[0].detail.credential.decoy, 'INTERNAL_API_TOKEN');
    const alerts = await alertsOf(server, token.id);
    assert.ok(alerts.length >= 1);
    assert.equal(alerts[0].tokenMemo, '.env of the billing service');
  });
});
