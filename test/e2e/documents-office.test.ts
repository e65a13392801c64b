import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { hitsOf } from '../support/api.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { createWithCli, runProgram, scratchDir } from './documents-support.js';

describe('word and excel artifacts opened by LibreOffice (soffice --headless --convert-to pdf)', () => {
  let server: TestServer;
  let dir: string;
  const tokens: Record<string, { id: string; url: string | null }> = {};
  let conversion: { code: number; stdout: string; stderr: string };

  before(async () => {
    server = await startTestServer();
    dir = scratchDir('documents-office-');
    tokens.word = await createWithCli(server, 'word', join(dir, 'memo.docx'));
    tokens.excel = await createWithCli(server, 'excel', join(dir, 'payroll.xlsx'));
    // One LibreOffice start for both documents: it is slow to start, and its own profile keeps it
    // from touching (or waiting on) anyone else's.
    conversion = await runProgram(
      'soffice',
      [`-env:UserInstallation=file://${join(dir, 'profile')}`, '--headless', '--convert-to', 'pdf', '--outdir', join(dir, 'out'), join(dir, 'memo.docx'), join(dir, 'payroll.xlsx')],
      { timeoutMs: 180_000, env: { ...process.env, HOME: dir } },
    );
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes ordinary documents that name nothing of the server', () => {
    assert.equal(conversion.code, 0, conversion.stderr);
    for (const name of ['memo.docx', 'payroll.xlsx']) {
      const bytes = readFileSync(join(dir, name));
      assert.equal(bytes.subarray(0, 4).toString('latin1'), 'PK\u0003\u0004', `${name} is a zip`);
      assert.doesNotMatch(bytes.toString('latin1'), /tripline/i);
    }
  });

  for (const kind of ['word', 'excel']) {
    it(`the ${kind} document records a hit with LibreOffice's user agent when converted`, async () => {
      const hits = await hitsOf(server, tokens[kind]!.id);
      assert.ok(hits.length >= 1, `${kind}: no hit (soffice said: ${conversion.stdout}${conversion.stderr})`);
      const hit = hits[0];
      assert.match(hit.userAgent ?? '', /LibreOffice/);
      assert.equal(hit.detail.type, 'http');
      assert.equal(hit.detail.path, new URL(tokens[kind]!.url!).pathname);
      assert.equal(hit.summary, 'document opened with LibreOffice');
      assert.deepEqual(hit.facts[0], { label: 'Opened with', value: 'LibreOffice' });
    });
  }
});
