import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { strToU8, zipSync } from 'fflate';
import { hitsOf } from '../support/api.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { createWithCli, runProgram, scratchDir } from './documents-support.js';

const RELS = 'http://schemas.openxmlformats.org/package/2006/relationships';
const OFFICE_RELS = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';

/** A user's own minimal .docx, as another program would write it, to inject the token into. */
function userDocx(): Buffer {
  return Buffer.from(
    zipSync({
      '[Content_Types].xml': strToU8(
        '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
      ),
      '_rels/.rels': strToU8(
        `<?xml version="1.0"?><Relationships xmlns="${RELS}"><Relationship Id="rId1" Type="${OFFICE_RELS}/officeDocument" Target="word/document.xml"/></Relationships>`,
      ),
      'word/document.xml': strToU8(
        '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Merger timeline draft</w:t></w:r></w:p><w:sectPr/></w:body></w:document>',
      ),
    }),
  );
}

/** A user's own minimal .xlsx with one sheet and no drawing. */
function userXlsx(): Buffer {
  return Buffer.from(
    zipSync({
      '[Content_Types].xml': strToU8(
        '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
      ),
      '_rels/.rels': strToU8(
        `<?xml version="1.0"?><Relationships xmlns="${RELS}"><Relationship Id="rId1" Type="${OFFICE_RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
      ),
      'xl/workbook.xml': strToU8(
        `<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="${OFFICE_RELS}"><sheets><sheet name="Targets" sheetId="1" r:id="rId1"/></sheets></workbook>`,
      ),
      'xl/_rels/workbook.xml.rels': strToU8(
        `<?xml version="1.0"?><Relationships xmlns="${RELS}"><Relationship Id="rId1" Type="${OFFICE_RELS}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`,
      ),
      'xl/worksheets/sheet1.xml': strToU8(
        '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Acquisition targets</t></is></c></row></sheetData></worksheet>',
      ),
    }),
  );
}

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
    writeFileSync(join(dir, 'user.docx'), userDocx());
    writeFileSync(join(dir, 'user.xlsx'), userXlsx());
    tokens.wordTemplate = await createWithCli(server, 'word', join(dir, 'timeline.docx'), ['--option-file', `template=${join(dir, 'user.docx')}`]);
    tokens.excelTemplate = await createWithCli(server, 'excel', join(dir, 'targets.xlsx'), ['--option-file', `template=${join(dir, 'user.xlsx')}`]);
    // One LibreOffice start for both documents: it is slow to start, and its own profile keeps it
    // from touching (or waiting on) anyone else's.
    conversion = await runProgram(
      'soffice',
      [
        `-env:UserInstallation=file://${join(dir, 'profile')}`,
        '--headless',
        '--convert-to',
        'pdf',
        '--outdir',
        join(dir, 'out'),
        ...['memo.docx', 'payroll.xlsx', 'timeline.docx', 'targets.xlsx'].map((name) => join(dir, name)),
      ],
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

  for (const kind of ['word', 'excel', 'wordTemplate', 'excelTemplate']) {
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

  it("documents made from the user's own keep its content: LibreOffice renders it", async () => {
    for (const [name, text] of [
      ['timeline', 'Merger timeline draft'],
      ['targets', 'Acquisition targets'],
    ] as const) {
      const rendered = await runProgram('pdftotext', [join(dir, 'out', `${name}.pdf`), '-']);
      assert.equal(rendered.code, 0, rendered.stderr);
      assert.match(rendered.stdout, new RegExp(text));
    }
  });

  it('the picture adds no page: each workbook prints on one', async () => {
    for (const name of ['payroll', 'targets']) {
      const info = await runProgram('pdfinfo', [join(dir, 'out', `${name}.pdf`)]);
      assert.match(info.stdout, /^Pages: +1$/m, name);
    }
  });
});
