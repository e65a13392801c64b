import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startDnsTestServer, ZONE } from '../dns/support.js';
import { hitsOf } from '../support/api.js';
import { dig } from './dns-support.js';
import { createWithCli, runProgram, scratchDir } from './documents-support.js';

describe('qr and pdf artifacts read by zbarimg and poppler, fired with curl and dig', () => {
  let server: Awaited<ReturnType<typeof startDnsTestServer>>;
  let dir: string;
  before(async () => {
    server = await startDnsTestServer(['127.0.0.1']);
    dir = scratchDir('documents-qr-pdf-');
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('zbarimg decodes the captioned qr PNG to the token URL, and fetching that URL records the hit', async () => {
    const out = join(dir, 'poster.png');
    const token = await createWithCli(server, 'qr', out, ['--option', 'caption=Guest Wi-Fi']);
    const decoded = await runProgram('zbarimg', ['--quiet', '--raw', out]);
    assert.equal(decoded.code, 0, decoded.stderr);
    assert.equal(decoded.stdout.trim(), token.url);
    const svg = readFileSync(join(dir, `qr-${token.id.slice(0, 6)}.svg`), 'utf8');
    assert.match(svg, /<svg [^>]*viewBox=/);
    assert.match(svg, />Guest Wi-Fi<\/text>/);
    const fetched = await runProgram('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code}', '-A', 'Mozilla/5.0 (iPhone)', decoded.stdout.trim()]);
    assert.equal(fetched.stdout, '200');
    const [hit] = await hitsOf(server, token.id);
    assert.equal(hit.userAgent, 'Mozilla/5.0 (iPhone)');
    assert.equal(hit.detail.path, new URL(token.url!).pathname);
  });

  it("the pdf parses with pdfinfo, names nothing of the server, its URI is the token's name and URL, and dig of that name records the hit", async () => {
    const out = join(dir, 'report.pdf');
    const token = await createWithCli(server, 'pdf', out);
    const info = await runProgram('pdfinfo', [out]);
    assert.equal(info.code, 0, info.stderr);
    assert.equal(info.stderr, '', 'poppler reads it without complaint');
    assert.match(info.stdout, /^Pages: +1$/m);
    assert.match(info.stdout, /^Author: +\S+ \S+$/m);
    assert.match(info.stdout, /^Creator: +Microsoft Word/m);
    assert.doesNotMatch(readFileSync(out).toString('latin1'), /tripline/i);
    const urls = await runProgram('pdfinfo', ['-url', out]);
    const uri = /(https?:\/\/\S+)/.exec(urls.stdout)?.[1];
    assert.ok(uri, `pdfinfo -url lists the link: ${urls.stdout}`);
    const parsed = new URL(uri);
    assert.equal(parsed.hostname, `${token.id}.${ZONE}`);
    assert.equal(token.hostname, parsed.hostname);
    assert.equal(parsed.pathname, new URL(token.url!).pathname, 'the URI carries the trigger path, so a fetch fires it too');
    const answer = await dig(server.dnsPort, [parsed.hostname]);
    assert.equal(answer.status, 'NOERROR');
    const [hit] = await hitsOf(server, token.id);
    assert.equal(hit.detail.type, 'dns');
    assert.equal(hit.detail.name, parsed.hostname);
  });
});
