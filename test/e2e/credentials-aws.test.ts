import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../support/process.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { alertsOf, hitsOf } from '../support/api.js';
import { cleanEnv, run, scratch } from './credentials-support.js';

/** Debian's awscli package; a pyenv or pip `aws` earlier on PATH is not the one the issue names. */
const DEBIAN_AWS = '/usr/bin/aws';

function cliVersion(aws: string): [number, number] | undefined {
  try {
    const match = /aws-cli\/(\d+)\.(\d+)/.exec(execFileSync(aws, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
    return match ? [Number(match[1]), Number(match[2])] : undefined;
  } catch {
    return undefined;
  }
}

/** endpoint_url in the config file arrived in AWS CLI 2.13 and 1.29; older ones ignore it. */
function readsEndpointFromConfig(version: [number, number] | undefined): boolean {
  if (!version) return false;
  const [major, minor] = version;
  return major === 2 ? minor >= 13 : major === 1 ? minor >= 29 : major > 2;
}

/** Another AWS CLI on PATH that reads endpoint_url from config, if any (e.g. pip's). */
function configReadingCli(): string | undefined {
  const found = (process.env.PATH ?? '')
    .split(':')
    .map((dir) => join(dir, 'aws'))
    .filter((path) => existsSync(path));
  return found.find((path) => readsEndpointFromConfig(cliVersion(path)));
}

function iniValue(text: string, key: string): string {
  const match = new RegExp(`^${key}\\s*=\\s*(.+)$`, 'm').exec(text);
  assert.ok(match, `${key} is in the file`);
  return match[1]!.trim();
}

describe('aws-credentials decoy used by the AWS CLI', () => {
  const work = scratch('aws');
  let server: TestServer;
  let token: { id: string; memo: string };
  let credentialsFile: string;
  let configFile: string;

  /** The CLI pointed at the decoy files only; a proxy that leads nowhere stops any non-loopback call. */
  const awsEnv = () =>
    cleanEnv(work.dir, {
      AWS_CONFIG_FILE: configFile,
      AWS_SHARED_CREDENTIALS_FILE: credentialsFile,
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_PAGER: '',
      HTTPS_PROXY: 'http://127.0.0.1:9',
      HTTP_PROXY: 'http://127.0.0.1:9',
      NO_PROXY: '127.0.0.1',
    });

  before(async () => {
    server = await startTestServer();
    const created = await runCli(
      ['token', 'create', '--kind', 'aws-credentials', '--memo', 'aws keys in CI cache', '--out', join(work.dir, 'credentials'), '--json'],
      { TRIPLINE_URL: server.adminUrl, TRIPLINE_KEY: server.key },
    );
    assert.equal(created.code, 0, created.stderr);
    token = JSON.parse(created.stdout);
    credentialsFile = join(work.dir, 'credentials');
    configFile = join(work.dir, 'config');
  });
  after(async () => {
    await server.close();
    work.remove();
  });

  it('tripline token create --out writes credentials and, next to it, the config that points at Tripline', () => {
    assert.ok(existsSync(credentialsFile) && existsSync(configFile));
    assert.equal(statSync(credentialsFile).mode & 0o777, 0o600);
    assert.equal(iniValue(readFileSync(configFile, 'utf8'), 'endpoint_url'), `${server.url}/${token.id}`);
  });

  it("Debian's aws s3 ls records a hit with the decoy's access key id, answered AccessDenied, and raises an alert", async () => {
    const version = cliVersion(DEBIAN_AWS);
    assert.ok(version, `${DEBIAN_AWS} runs (Debian package awscli)`);
    const config = readFileSync(configFile, 'utf8');
    // Debian 12 ships 2.9, which predates endpoint_url in config: hand it the same URL on the
    // command line, so the call still reaches only Tripline.
    const endpoint = readsEndpointFromConfig(version) ? [] : ['--endpoint-url', iniValue(config, 'endpoint_url')];
    const result = await run(DEBIAN_AWS, [...endpoint, 's3', 'ls'], awsEnv());
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /AccessDenied/);
    assert.match(result.stderr, /ListBuckets/);

    const hits = await hitsOf(server, token.id);
    assert.equal(hits.length, 1);
    const { credential, client } = hits[0].detail;
    assert.equal(client, 'aws');
    assert.equal(credential.accessKeyId, iniValue(readFileSync(credentialsFile, 'utf8'), 'aws_access_key_id'));
    assert.equal(credential.decoy, 'aws access key');
    assert.deepEqual([credential.scheme, credential.service, credential.region], ['aws-sigv4', 's3', iniValue(config, 'region')]);
    assert.match(hits[0].userAgent, /aws-cli/);
    const alerts = await alertsOf(server, token.id);
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0].tokenMemo, 'aws keys in CI cache');
  });

  it('sts get-caller-identity succeeds as it does for a real key, with an identity derived from the key', async () => {
    const version = cliVersion(DEBIAN_AWS);
    const endpoint = readsEndpointFromConfig(version) ? [] : ['--endpoint-url', iniValue(readFileSync(configFile, 'utf8'), 'endpoint_url')];
    const first = await run(DEBIAN_AWS, [...endpoint, 'sts', 'get-caller-identity', '--output', 'json'], awsEnv());
    assert.equal(first.code, 0, first.stderr);
    const identity = JSON.parse(first.stdout);
    assert.match(identity.Account, /^\d{12}$/);
    assert.match(identity.Arn, new RegExp(`^arn:aws:iam::${identity.Account}:user/`));
    const again = await run(DEBIAN_AWS, [...endpoint, 'sts', 'get-caller-identity', '--output', 'json'], awsEnv());
    assert.deepEqual(JSON.parse(again.stdout), identity, 'the same key always gets the same identity');
    const hits = await hitsOf(server, token.id);
    assert.ok(hits.some((hit) => hit.detail.credential?.service === 'sts'));
  });

  const modern = configReadingCli();
  it('an AWS CLI that reads endpoint_url from config fires the token with nothing but the decoy files', {
    skip: modern ? false : 'no AWS CLI >= 2.13 / 1.29 on PATH (Debian 12 ships 2.9)',
  }, async () => {
    const before = (await hitsOf(server, token.id)).length;
    // Version-manager shims (pyenv) find their interpreter through HOME; the AWS_* files above
    // still decide which credentials and config the CLI reads.
    const result = await run(modern!, ['s3', 'ls'], { ...process.env, ...awsEnv(), HOME: process.env.HOME ?? work.dir });
    assert.match(result.stderr, /AccessDenied/);
    const hits = await hitsOf(server, token.id);
    assert.equal(hits.length, before + 1);
    assert.equal(hits[0].detail.credential.decoy, 'aws access key');
  });
});
