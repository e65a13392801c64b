import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../support/server.js';
import { alertsOf, hitsOf } from '../support/api.js';
import { cleanEnv, run, scratch, startTlsFront, writeArtifact, type TlsFront } from './credentials-support.js';

const KUBECTL = execFileSync('sh', ['-c', 'command -v kubectl'], { encoding: 'utf8' }).trim();

describe('kubeconfig decoy used by kubectl', () => {
  const work = scratch('kubectl');
  let front: TlsFront;
  let server: TestServer;
  let httpPort = 0;
  before(async () => {
    front = await startTlsFront(() => httpPort, work.dir);
    server = await startTestServer({ publicUrl: `https://127.0.0.1:${front.port}` });
    httpPort = Number(new URL(server.url).port);
  });
  after(async () => {
    await server.close();
    await front.close();
    work.remove();
  });

  it('records a hit naming the service-account token when kubectl get pods runs with it, and raises an alert', async () => {
    const { body: token } = await server.api('POST', '/tokens', {
      kind: 'kubeconfig',
      memo: 'kubeconfig on the build host',
      options: { namespace: 'ci', serviceAccount: 'deployer' },
    });
    assert.equal(token.kind, 'kubeconfig');
    const kubeconfig = writeArtifact(work.dir, token.artifact.file, 'kubeconfig');
    // kubectl trusts the front's CA through Go's SSL_CERT_FILE; the kubeconfig stays as handed out.
    const result = await run(KUBECTL, ['get', 'pods'], cleanEnv(work.dir, { KUBECONFIG: kubeconfig, SSL_CERT_FILE: front.caFile }));
    assert.notEqual(result.code, 0, 'the decoy cluster lets nobody in');
    assert.match(result.stderr, /Unauthorized|must be logged in/);

    const hits = await hitsOf(server, token.id);
    assert.ok(hits.length >= 1, 'kubectl reached the server');
    for (const hit of hits) {
      assert.equal(hit.detail.client, 'kubernetes');
      assert.match(hit.detail.path, new RegExp(`^/k8s/clusters/c-${token.id}/`));
    }
    const withToken = hits.filter((hit) => hit.detail.credential);
    assert.ok(withToken.length >= 1, 'kubectl presented the token');
    for (const hit of withToken) {
      assert.equal(hit.detail.credential.scheme, 'bearer');
      assert.equal(hit.detail.credential.subject, 'system:serviceaccount:ci:deployer');
      assert.equal(hit.detail.credential.decoy, 'service account token');
      assert.match(hit.userAgent, /kubectl/);
    }
    const alerts = await alertsOf(server, token.id);
    assert.equal(alerts.length >= 1, true, 'an alert was raised');
    assert.equal(alerts[0].tokenId, token.id);
    assert.equal(alerts[0].tokenMemo, 'kubeconfig on the build host');
  });
});
