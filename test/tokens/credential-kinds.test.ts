import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { ValidationError } from '../../src/core/errors.js';
import { awsCredentialsTokenKind } from '../../src/tokens/aws-credentials.js';
import { decoyCredentialsOf, matchDecoyCredential } from '../../src/tokens/decoy-credentials.js';
import { idFromHexSecret } from '../../src/tokens/decoy-secret.js';
import { envTokenKind } from '../../src/tokens/env.js';
import { gitCredentialsTokenKind } from '../../src/tokens/git-credentials.js';
import { kubeconfigTokenKind } from '../../src/tokens/kubeconfig.js';
import { netrcTokenKind } from '../../src/tokens/netrc.js';
import { tokenKind } from '../../src/tokens/registry.js';
import { makeToken } from './support.js';

const context = { publicUrl: 'https://tripline.example.com' };

/** INI sections as maps; enough for the AWS files, whose format the AWS CLI reads the same way. */
function parseIni(text: string): Record<string, Record<string, string>> {
  const sections: Record<string, Record<string, string>> = {};
  let current: Record<string, string> | undefined;
  for (const line of text.split('\n')) {
    const section = /^\[(.+)\]$/.exec(line);
    if (section) sections[section[1]!] = current = {};
    const pair = /^(\w+)\s*=\s*(.*)$/.exec(line);
    if (pair && current) current[pair[1]!] = pair[2]!;
  }
  return sections;
}

describe('credential decoy kinds', () => {
  it('are registered under their names', () => {
    for (const kind of ['dns', 'kubeconfig', 'git-credentials', 'netrc', 'aws-credentials', 'env']) assert.equal(tokenKind(kind).kind, kind);
  });

  it('git-credentials: a credential-store line for a remote on the public URL, whose token names the token', () => {
    const { token, artifact } = makeToken(gitCredentialsTokenKind, context, { username: 'deploy-bot', repository: 'ops/infra' });
    assert.equal(artifact.file?.name, '.git-credentials');
    assert.equal(artifact.file?.mode, 0o600);
    const line = new URL(artifact.file!.content.trim());
    assert.equal(line.origin, 'https://tripline.example.com');
    assert.equal(line.pathname, '/ops/infra.git');
    assert.equal(line.username, 'deploy-bot');
    assert.equal(idFromHexSecret(line.password), token.id);
    assert.equal(matchDecoyCredential(token, { user: 'deploy-bot', secret: line.password }), 'git access token');
    assert.equal(matchDecoyCredential(token, { user: 'someone-else', secret: line.password }), null);
    assert.equal(matchDecoyCredential(token, { user: 'deploy-bot', secret: 'guess' }), null);
  });

  it('keep a path prefix of the public URL in the remote', () => {
    const { artifact } = makeToken(gitCredentialsTokenKind, { publicUrl: 'https://t.example.com/canary' }, { repository: 'a/b' });
    assert.equal(new URL(artifact.file!.content.trim()).pathname, '/canary/a/b.git');
  });

  it('netrc: one machine line with the host name only (netrc has no ports)', () => {
    const { token, artifact } = makeToken(netrcTokenKind, { publicUrl: 'http://127.0.0.1:8080' }, { username: 'ci' });
    const [machine, host, login, user, password, secret] = artifact.file!.content.trim().split(' ');
    assert.deepEqual([machine, host, login, user, password], ['machine', '127.0.0.1', 'login', 'ci', 'password']);
    assert.equal(idFromHexSecret(secret!), token.id);
  });

  it('kubeconfig: valid YAML whose cluster server carries the token id and whose user holds a service-account token', () => {
    const { token, artifact } = makeToken(kubeconfigTokenKind, context, { cluster: 'prod-eu', namespace: 'ci', serviceAccount: 'deployer' });
    const config = parseYaml(artifact.file!.content);
    assert.equal(config.kind, 'Config');
    assert.equal(config['current-context'], 'prod-eu');
    assert.equal(config.clusters[0].cluster.server, `https://tripline.example.com/k8s/clusters/c-${token.id}`);
    assert.equal(config.contexts[0].context.user, 'deployer');
    const jwt: string = config.users[0].user.token;
    assert.equal(JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()).sub, 'system:serviceaccount:ci:deployer');
    assert.equal(matchDecoyCredential(token, { secret: jwt }), 'service account token');
    assert.doesNotMatch(artifact.usage!, /plain http/);
  });

  it('kubeconfig on a plain-http public URL warns that kubectl will not send the token', () => {
    const { artifact } = makeToken(kubeconfigTokenKind, { publicUrl: 'http://127.0.0.1:8080' });
    assert.match(artifact.usage!, /plain http/);
  });

  it('aws-credentials: credentials plus a config whose endpoint_url is the public URL with the id', () => {
    const { token, artifact } = makeToken(awsCredentialsTokenKind, context, { profile: 'prod-admin', region: 'eu-west-1' });
    const credentials = parseIni(artifact.file!.content);
    const config = parseIni(artifact.extraFiles![0]!.content);
    assert.equal(artifact.file!.name, 'credentials');
    assert.equal(artifact.extraFiles![0]!.name, 'config');
    assert.match(credentials['prod-admin']!.aws_access_key_id!, /^AKIA[A-Z2-7]{16}$/);
    assert.equal(config['profile prod-admin']!.endpoint_url, `https://tripline.example.com/${token.id}`);
    assert.equal(config['profile prod-admin']!.region, 'eu-west-1');
    assert.match(artifact.extraFiles![0]!.content, /s3 =\n {4}addressing_style = path/);
    assert.equal(matchDecoyCredential(token, { accessKeyId: credentials['prod-admin']!.aws_access_key_id! }), 'aws access key');
  });

  it('aws-credentials: the default profile is written as [default] in both files', () => {
    const { artifact } = makeToken(awsCredentialsTokenKind, context);
    assert.ok(parseIni(artifact.file!.content).default);
    assert.ok(parseIni(artifact.extraFiles![0]!.content).default);
  });

  it('env: service URLs on the public URL with the id, and keys the hit can name', () => {
    const { token, artifact } = makeToken(envTokenKind, context);
    const vars = Object.fromEntries(
      artifact
        .file!.content.split('\n')
        .filter((line) => line.includes('=') && !line.startsWith('#'))
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
    for (const name of ['API_BASE_URL', 'PAYMENTS_API_URL', 'SEARCH_URL', 'ADMIN_CONSOLE_URL']) {
      const url = new URL(vars[name]!);
      assert.equal(url.host, 'tripline.example.com', name);
      assert.ok(url.pathname.includes(token.id), name);
      // Paths the server keeps for itself never reach the trigger route.
      assert.doesNotMatch(url.pathname, /^\/(api\/v1|ui|healthz|metrics)(\/|$)/, name);
    }
    assert.equal(idFromHexSecret(vars.INTERNAL_API_TOKEN!), token.id);
    assert.equal(matchDecoyCredential(token, { secret: vars.PAYMENTS_API_KEY! }), 'PAYMENTS_API_KEY');
    const search = new URL(vars.SEARCH_URL!);
    assert.equal(matchDecoyCredential(token, { user: search.username, secret: search.password }), 'SEARCH_PASSWORD');
    assert.deepEqual(
      decoyCredentialsOf(token).map((c) => c.name),
      ['INTERNAL_API_TOKEN', 'PAYMENTS_API_KEY', 'SEARCH_PASSWORD', 'JWT_SIGNING_SECRET'],
    );
  });

  it('refuse options that could break the files they are written into', () => {
    const bad: [typeof gitCredentialsTokenKind, Record<string, unknown>][] = [
      [gitCredentialsTokenKind, { username: 'a b' }],
      [gitCredentialsTokenKind, { username: 'x@evil.example' }],
      [gitCredentialsTokenKind, { repository: '../../etc' }],
      [kubeconfigTokenKind, { cluster: 'prod\nusers: []' }],
      [awsCredentialsTokenKind, { profile: 'p]\n[default' }],
      [awsCredentialsTokenKind, { region: 'nowhere' }],
      [envTokenKind, { service: 42 }],
    ];
    for (const [kind, options] of bad) {
      assert.throws(
        () => makeToken(kind, context, options),
        (error: unknown) => error instanceof ValidationError && /options\./.test(String((error as ValidationError).context.field)),
      );
    }
  });

  it('offer form fields (for the dashboard) that prepare accepts, placeholders included', () => {
    for (const kind of [gitCredentialsTokenKind, netrcTokenKind, kubeconfigTokenKind, awsCredentialsTokenKind, envTokenKind]) {
      assert.ok(kind.optionFields && kind.optionFields.length > 0, kind.kind);
      const options = Object.fromEntries(kind.optionFields.map((field) => [field.name, field.placeholder]));
      const { token } = makeToken(kind, context, options);
      for (const field of kind.optionFields) {
        assert.equal(token.config[field.name], field.placeholder, `${kind.kind} keeps ${field.name}`);
      }
    }
  });

  it('build the same artifact every time from the stored token', () => {
    for (const kind of [gitCredentialsTokenKind, netrcTokenKind, kubeconfigTokenKind, awsCredentialsTokenKind, envTokenKind]) {
      const { token, artifact } = makeToken(kind, context);
      assert.deepEqual(kind.artifact(token, context), artifact, kind.kind);
    }
  });
});
