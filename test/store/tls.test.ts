/**
 * The ACME rows on both stores: one lease holder at a time (a lapsed lease can be taken over),
 * challenge answers that expire, the first account saved for a directory kept, and a
 * certificate replaced in place by the next order.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openStore } from '../../src/store/connect.js';
import { TlsRepository } from '../../src/store/repositories/tls.js';
import { storeDialects } from '../support/dialects.js';

const later = (ms: number) => new Date(Date.now() + ms).toISOString();

for (const dialect of storeDialects()) {
  describe(`tls rows (${dialect.name})`, () => {
    it('gives the ordering lease to one holder at a time, and to another once it lapses or is released', async () => {
      const store = await openStore(await dialect.newLocation());
      try {
        const tls = new TlsRepository(store.db);
        const taken = await Promise.all(['a', 'b', 'c', 'd'].map((holder) => tls.takeLease('cert', holder, later(60_000))));
        assert.equal(taken.filter(Boolean).length, 1, `one of four concurrent takers wins: ${taken}`);
        const winner = ['a', 'b', 'c', 'd'][taken.indexOf(true)]!;
        const other = winner === 'a' ? 'b' : 'a';
        assert.equal(await tls.takeLease('cert', winner, later(60_000)), true, 'the holder extends its own lease');
        assert.equal(await tls.takeLease('cert', other, later(60_000)), false);
        assert.equal(await tls.takeLease('other-cert', other, later(60_000)), true, 'leases are per certificate');
        await tls.releaseLease('cert', other);
        assert.equal(await tls.takeLease('cert', other, later(60_000)), false, 'only the holder releases');
        await tls.takeLease('cert', winner, later(-1));
        assert.equal(await tls.takeLease('cert', other, later(60_000)), true, 'a lapsed lease is taken over');
        await tls.releaseLease('cert', other);
        assert.equal(await tls.takeLease('cert', winner, later(60_000)), true);
      } finally {
        await store.close();
      }
    });

    it('answers challenges until they expire, two TXT values on one name, and forgets removed ones', async () => {
      const store = await openStore(await dialect.newLocation());
      try {
        const tls = new TlsRepository(store.db);
        await tls.putChallenge('dns:_acme-challenge.zone.test', 'apex', later(60_000));
        await tls.putChallenge('dns:_acme-challenge.zone.test', 'wildcard', later(60_000));
        await tls.putChallenge('http:tok', 'tok.thumb', later(-1));
        assert.deepEqual((await tls.challengeValues('dns:_acme-challenge.zone.test')).sort(), ['apex', 'wildcard']);
        assert.deepEqual(await tls.challengeValues('http:tok'), [], 'expired');
        await tls.removeChallenge('dns:_acme-challenge.zone.test', 'apex');
        assert.deepEqual(await tls.challengeValues('dns:_acme-challenge.zone.test'), ['wildcard']);
      } finally {
        await store.close();
      }
    });

    it('keeps the first account for a directory and replaces a certificate in place', async () => {
      const store = await openStore(await dialect.newLocation());
      try {
        const tls = new TlsRepository(store.db);
        const first = await tls.saveAccount({ directory: 'https://ca.test/dir', email: 'a@x.test', keyPem: 'KEY-A', url: null });
        const second = await tls.saveAccount({ directory: 'https://ca.test/dir', email: 'b@x.test', keyPem: 'KEY-B', url: null });
        assert.deepEqual(second, first);
        await tls.setAccountUrl('https://ca.test/dir', 'https://ca.test/acct/1');
        assert.equal((await tls.findAccount('https://ca.test/dir'))?.url, 'https://ca.test/acct/1');
        const cert = { id: 'c1', domains: ['zone.test', '*.zone.test'], certPem: 'C1', keyPem: 'K1', notBefore: later(0), notAfter: later(90_000) };
        await tls.saveCertificate(cert);
        await tls.saveCertificate({ ...cert, certPem: 'C2', keyPem: 'K2' });
        const kept = await tls.listCertificates();
        assert.equal(kept.length, 1);
        assert.deepEqual([kept[0]!.certPem, kept[0]!.keyPem, kept[0]!.domains], ['C2', 'K2', ['zone.test', '*.zone.test']]);
      } finally {
        await store.close();
      }
    });
  });
}
