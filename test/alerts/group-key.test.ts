import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { groupKey, sameGroup } from '../../src/alerts/group-key.js';
import type { HitDetail } from '../../src/core/model/hit-detail.js';
import type { Hit } from '../../src/store/repositories/hits.js';

function hit(tokenId: string, source: string, userAgent: string | null, detail: HitDetail = { type: 'none' } as HitDetail): Hit {
  return { id: `${tokenId}-${source}`, tokenId, kind: 'http', at: '2026-11-30T00:00:00.000Z', source, userAgent, detail };
}

describe('alert grouping keys', () => {
  const fileHit = (binary: string) =>
    hit('t1', 'host-a', null, { type: 'file', path: '/srv/decoy', access: { process: { binary, uid: 0 } } } as unknown as HitDetail);
  const hits = [
    hit('t1', '10.0.0.1', 'curl/8'),
    hit('t1', '10.0.0.1', 'curl/8'),
    hit('t1', '10.0.0.2', 'curl/8'),
    hit('t1', '10.0.0.1', 'wget/1'),
    hit('t2', '10.0.0.1', 'curl/8'),
    hit('t1', '10.0.0.1', null),
    hit('t1', '10.0.0.1', ''),
    fileHit('/usr/bin/cat'),
    fileHit('/usr/bin/cat'),
    fileHit('/usr/bin/less'),
  ];

  test('sameGroup says yes only for hits whose keys are equal', () => {
    for (const a of hits) for (const b of hits) if (sameGroup(a, b)) assert.equal(groupKey(a), groupKey(b), `${a.id} ${b.id}`);
  });

  test('sameGroup says yes for network hits of one token, source and user agent', () => {
    assert.equal(sameGroup(hits[0]!, hits[1]!), true);
    assert.equal(sameGroup(hits[0]!, hits[2]!), false);
    assert.equal(sameGroup(hits[0]!, hits[3]!), false);
    assert.equal(sameGroup(hits[0]!, hits[4]!), false);
  });

  test('keys differ where whoever caused the hit differs', () => {
    assert.notEqual(groupKey(hits[0]!), groupKey(hits[2]!));
    assert.notEqual(groupKey(hits[7]!), groupKey(hits[9]!));
    assert.equal(groupKey(hits[7]!), groupKey(hits[8]!));
  });
});
