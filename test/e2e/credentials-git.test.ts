import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { newTokenId } from '../../src/core/ids.js';
import { hexSecretFor } from '../../src/tokens/decoy-secret.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { alertsOf, hitsOf } from '../support/api.js';
import { cleanEnv, run, scratch, writeArtifact } from './credentials-support.js';

/** git with nothing from the machine's or the user's configuration, and no prompting. */
function gitEnv(home: string): Record<string, string> {
  return cleanEnv(home, { GIT_CONFIG_NOSYSTEM: '1', GIT_TERMINAL_PROMPT: '0', GIT_ASKPASS: '/bin/false' });
}

describe('git credential decoys used by git clone', () => {
  const work = scratch('git');
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server.close();
    work.remove();
  });

  it('.git-credentials: the clone presents the decoy user and token, the hit names them, the line stays planted', async () => {
    const { body: token } = await server.api('POST', '/tokens', {
      kind: 'git-credentials',
      memo: 'git creds on jump host',
      options: { username: 'deploy-bot' },
    });
    const store = writeArtifact(work.dir, token.artifact.file, 'git-credentials');
    const remote = new URL(token.artifact.file.content.trim());
    remote.username = '';
    remote.password = '';
    const result = await run('git', ['-c', `credential.helper=store --file=${store}`, 'clone', remote.href, join(work.dir, 'clone-1')], gitEnv(work.dir));
    assert.equal(result.code, 128);
    assert.match(result.stderr, /403/);

    const hits = await hitsOf(server, token.id);
    assert.equal(hits.length, 1, 'one hit: the request that carried the credential');
    const [hit] = hits;
    assert.equal(hit.source, '127.0.0.1');
    assert.equal(hit.detail.client, 'git');
    assert.match(hit.userAgent, /^git\//);
    assert.deepEqual(
      { scheme: hit.detail.credential.scheme, user: hit.detail.credential.user, decoy: hit.detail.credential.decoy },
      { scheme: 'basic', user: 'deploy-bot', decoy: 'git access token' },
    );
    assert.equal(hit.detail.credential.secret, undefined, 'the secret itself is not repeated in the credential summary');
    assert.equal(readFileSync(store, 'utf8'), token.artifact.file.content, 'git did not erase the decoy from its store');

    const alerts = await alertsOf(server, token.id);
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0].tokenMemo, 'git creds on jump host');
  });

  it('.netrc: git reads it through curl and the hit names the decoy login', async () => {
    const { body: token } = await server.api('POST', '/tokens', {
      kind: 'netrc',
      memo: 'netrc in backup',
      options: { username: 'ci-runner', repository: 'ops/secrets' },
    });
    const home = join(work.dir, 'netrc-home');
    await run('mkdir', ['-p', home], cleanEnv(work.dir));
    writeArtifact(home, token.artifact.file, '.netrc');
    const result = await run('git', ['clone', `${server.url}/ops/secrets.git`, join(work.dir, 'clone-2')], gitEnv(home));
    assert.equal(result.code, 128);
    const hits = await hitsOf(server, token.id);
    assert.equal(hits.length, 1);
    assert.equal(hits[0].detail.credential.user, 'ci-runner');
    assert.equal(hits[0].detail.credential.decoy, 'git access token');
    assert.equal((await alertsOf(server, token.id)).length, 1);
  });

  it('answers git the same way for credentials of an unknown or disabled token, and records nothing', async () => {
    const { body: disabled } = await server.api('POST', '/tokens', { kind: 'git-credentials', memo: 'disabled' });
    await server.api('PATCH', `/tokens/${disabled.id}`, { enabled: false });
    const outcomes: string[] = [];
    for (const [index, password] of [hexSecretFor(newTokenId()), new URL(disabled.artifact.file.content.trim()).password].entries()) {
      const store = join(work.dir, `other-${index}`);
      writeArtifact(work.dir, { name: `other-${index}`, content: `http://deploy-bot:${password}@127.0.0.1:${new URL(server.url).port}\n` });
      const result = await run(
        'git',
        ['-c', `credential.helper=store --file=${store}`, 'clone', `${server.url}/platform/infrastructure.git`, join(work.dir, `clone-o${index}`)],
        gitEnv(work.dir),
      );
      outcomes.push(`${result.code} ${result.stderr.replace(/clone-o\d/, 'clone')}`);
    }
    assert.equal(outcomes[0], outcomes[1]);
    assert.match(outcomes[0]!, /^128 .*403/s);
    assert.equal((await hitsOf(server, disabled.id)).length, 0);
  });
});
