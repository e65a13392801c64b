/**
 * The document and web-lure kinds on the trigger plane: for every request shape their artifacts
 * make (a reader's GET, svn's OPTIONS and PROPFIND, the fingerprint page's report, a DNS
 * question), a disabled token and an unknown id get the very answer a live token gets, nothing
 * in it names the product, and only the live token records a hit.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { newTokenId } from '../../src/core/ids.js';
import { greyscalePng } from '../../src/tokens/documents/png.js';
import { encodeQuery, startDnsTestServer, udpExchange, ZONE } from '../dns/support.js';
import { hitsOf } from '../support/api.js';
import { rawHttpBytes } from '../support/raw-http.js';

type Server = Awaited<ReturnType<typeof startDnsTestServer>>;

/** A live and a disabled token of one kind, made with the same request. */
async function liveAndDisabled(server: Server, body: Record<string, unknown>): Promise<[{ id: string; url: string }, { id: string; url: string }]> {
  const live = await server.api('POST', '/tokens', body);
  const disabled = await server.api('POST', '/tokens', body);
  assert.equal(live.status, 201, JSON.stringify(live.body));
  await server.api('PATCH', `/tokens/${disabled.body.id}`, { enabled: false });
  return [live.body, disabled.body];
}

/** The answer's bytes with the id (which the path carries back nowhere, but be sure) blanked. */
async function answer(server: Server, url: string, id: string, method = 'GET', query = ''): Promise<string> {
  const bytes = await rawHttpBytes(server.url, `${new URL(url).pathname}${query}`, method);
  return bytes.toString('latin1').replaceAll(id, 'ID');
}

describe('document and web-lure kinds answer live, disabled and unknown ids alike', () => {
  let server: Server;
  before(async () => {
    server = await startDnsTestServer(['127.0.0.1']);
  });
  after(() => server.close());

  const httpKinds: { kind: string; options?: Record<string, unknown>; methods: string[] }[] = [
    { kind: 'word', methods: ['GET', 'HEAD'] },
    { kind: 'excel', methods: ['GET'] },
    { kind: 'pdf', methods: ['GET'] },
    { kind: 'qr', methods: ['GET'] },
    { kind: 'cloned-site', options: { hosts: 'login.example.com' }, methods: ['GET'] },
    { kind: 'svn', methods: ['OPTIONS', 'PROPFIND', 'GET'] },
  ];
  for (const { kind, options, methods } of httpKinds) {
    it(`${kind}: the same bytes for ${methods.join(', ')}, and a hit only for the live token`, async () => {
      const [live, disabled] = await liveAndDisabled(server, { kind, memo: `${kind} plane`, ...(options ? { options } : {}) });
      const unknown = newTokenId();
      for (const method of methods) {
        const query = kind === 'cloned-site' ? '?l=https%3A%2F%2Fevil.example%2Flogin&r=' : '';
        const expected = await answer(server, live.url, live.id, method, query);
        assert.doesNotMatch(expected, /tripline/i);
        assert.equal(await answer(server, disabled.url, disabled.id, method, query), expected, `${method}: disabled`);
        assert.equal(await answer(server, live.url.replace(live.id, unknown), unknown, method, query), expected, `${method}: unknown`);
      }
      assert.equal((await hitsOf(server, live.id)).length, methods.length);
      assert.equal((await hitsOf(server, disabled.id)).length, 0);
    });
  }

  for (const kind of ['log4shell', 'pdf']) {
    it(`${kind}: DNS questions for its names get the same reply whatever the id`, async () => {
      const [live, disabled] = await liveAndDisabled(server, { kind, memo: `${kind} dns` });
      const replyFor = async (id: string) => {
        const reply = await udpExchange(server.dnsPort, encodeQuery(`xbuild-07.l4j.${id}.${ZONE}`, 'A', 7));
        return reply!.toString('hex').replaceAll(Buffer.from(id).toString('hex'), 'ID');
      };
      const expected = await replyFor(live.id);
      assert.equal(await replyFor(disabled.id), expected);
      assert.equal(await replyFor(newTokenId()), expected);
      assert.equal((await hitsOf(server, live.id)).length, 1);
      assert.equal((await hitsOf(server, disabled.id)).length, 0);
    });
  }

  it('fingerprinting redirect: a disabled token serves the same page and the same redirect as a live one', async () => {
    const [live, disabled] = await liveAndDisabled(server, {
      kind: 'http',
      memo: 'fp',
      redirect: 'https://example.org/landing',
      options: { fingerprint: true },
    });
    for (const query of ['', '?v=eyJzY3JlZW4iOiIxeDEifQ', '?v=0']) {
      const expected = await answer(server, live.url, live.id, 'GET', query);
      assert.doesNotMatch(expected, /tripline/i);
      assert.equal(await answer(server, disabled.url, disabled.id, 'GET', query), expected, `query ${query}`);
    }
    const [page, report] = [await answer(server, live.url, live.id), await answer(server, live.url, live.id, 'GET', '?v=0')];
    assert.match(page, /^HTTP\/1\.1 200 [\s\S]*content-type: text\/html/i);
    assert.doesNotMatch(page, /example\.org/, 'the page does not carry the target');
    assert.match(report, /^HTTP\/1\.1 302 [\s\S]*location: https:\/\/example\.org\/landing/i);
    assert.equal((await hitsOf(server, disabled.id)).length, 0);
  });

  it('custom image: a disabled token serves the same image as a live one', async () => {
    const image = greyscalePng(2, 2, Uint8Array.from([0, 255, 255, 0]));
    const [live, disabled] = await liveAndDisabled(server, { kind: 'http', memo: 'img', options: { image: image.toString('base64') } });
    const expected = await answer(server, live.url, live.id);
    assert.ok(expected.endsWith(image.toString('latin1')));
    assert.equal(await answer(server, disabled.url, disabled.id), expected);
  });

  it('refuses bad options with the field named', async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ kind: 'cloned-site', memo: 'm' }, /options\.hosts is required/],
      [{ kind: 'cloned-site', memo: 'm', options: { hosts: 'not a host!' } }, /options\.hosts must be/],
      [{ kind: 'http', memo: 'm', options: { fingerprint: true } }, /options\.fingerprint needs a redirect/],
      [{ kind: 'http', memo: 'm', options: { image: Buffer.from('not an image').toString('base64') } }, /PNG, GIF, JPEG or WebP/],
      [{ kind: 'word', memo: 'm', options: { template: Buffer.from('not a zip').toString('base64') } }, /not a Word \(\.docx\) file/],
      [{ kind: 'excel', memo: 'm', options: { template: '%%%' } }, /base64/],
      [{ kind: 'qr', memo: 'm', options: { caption: '<script>' } }, /options\.caption/],
    ];
    for (const [body, message] of cases) {
      const refused = await server.api('POST', '/tokens', body);
      assert.equal(refused.status, 400, JSON.stringify(body));
      assert.match(JSON.stringify(refused.body), message);
    }
  });
});
