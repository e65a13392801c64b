import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startDnsTestServer, ZONE } from '../dns/support.js';
import { hitsOf } from '../support/api.js';
import { dig } from './dns-support.js';
import { createWithCli, runProgram, scratchDir } from './documents-support.js';

describe('log4shell strings resolved with dig, svn repositories checked out with svn', () => {
  let server: Awaited<ReturnType<typeof startDnsTestServer>>;
  let dir: string;
  before(async () => {
    server = await startDnsTestServer(['127.0.0.1']);
    dir = scratchDir('lures-log4shell-svn-');
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('dig of the log4shell name with a host name in it records a hit that names the host', async () => {
    const out = join(dir, 'payload.txt');
    const token = await createWithCli(server, 'log4shell', out);
    const lookup = readFileSync(out, 'utf8').trim();
    assert.equal(lookup, `\${jndi:ldap://x\${hostName}.L4J.${token.id}.${ZONE}/a}`);
    // What log4j resolves once it has put its host's name in place of ${hostName}.
    // biome-ignore lint/suspicious/noTemplateCurlyInString: log4j's own placeholder, replaced as log4j replaces it
    const name = /^\$\{jndi:ldap:\/\/([^/]+)\/a\}$/.exec(lookup)![1]!.replace('${hostName}', 'payroll-db-01');
    const answer = await dig(server.dnsPort, [name]);
    assert.equal(answer.status, 'NOERROR');
    const [hit] = await hitsOf(server, token.id);
    assert.equal(hit.detail.type, 'dns');
    assert.equal(hit.detail.name, name.toLowerCase());
    assert.equal(hit.summary, 'log4j lookup on host payroll-db-01');
    assert.deepEqual(hit.facts[0], { label: 'Host name', value: 'payroll-db-01' });
  });

  it("svn checkout of a repository loaded from the svn artifact records a hit with Subversion's user agent", async () => {
    const dump = join(dir, 'repository.dump');
    const token = await createWithCli(server, 'svn', dump);
    const repo = join(dir, 'repo');
    const env = { ...process.env, HOME: dir, LC_ALL: 'C' };
    assert.equal((await runProgram('svnadmin', ['create', repo], { env })).code, 0);
    const loaded = await runProgram('sh', ['-c', 'svnadmin load --quiet "$1" < "$2"', 'sh', repo, dump], { env });
    assert.equal(loaded.code, 0, loaded.stderr);
    // The checkout itself succeeds; fetching the external from a server that is no repository fails after it fired.
    const checkout = await runProgram('svn', ['checkout', '--non-interactive', `file://${repo}`, join(dir, 'wc')], { env, timeoutMs: 60_000 });
    assert.match(checkout.stdout + checkout.stderr, /trunk\/README\.txt|Checked out revision 1/);
    const hits = await hitsOf(server, token.id);
    assert.ok(hits.length >= 1, `no hit; svn said ${checkout.stdout}${checkout.stderr}`);
    const hit = hits.at(-1);
    assert.match(hit.userAgent ?? '', /^SVN\/\d/);
    assert.equal(hit.detail.path, new URL(token.url!).pathname);
    assert.equal(hit.summary, 'repository checked out or updated with Subversion');
  });
});
