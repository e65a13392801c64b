/**
 * Builds a large store for the scale benchmarks: tokens, one alert each, and hits spread over a
 * month, loaded through the store's bulk-load path (many rows a statement, one transaction a
 * chunk) with every count the hit path keeps. One "heavy" token gets a large share of the hits,
 * so its charts and deep pages are the expensive ones to show.
 */
import { newRowId, newTokenId } from '../../src/core/ids.js';
import { bulkLoadHits } from '../../src/store/bulk-load.js';
import { openStore } from '../../src/store/connect.js';
import { encodeCursor } from '../../src/store/paging.js';
import { AlertRepository } from '../../src/store/repositories/alerts.js';
import type { Hit } from '../../src/store/repositories/hits.js';
import { TokenRepository } from '../../src/store/repositories/tokens.js';

export interface ScaleShape {
  tokens: number;
  /** All hits, the heavy token's included. */
  hits: number;
  /** Of those, the heavy token's. */
  heavyHits: number;
  days: number;
}

export interface BuiltStore {
  heavyTokenId: string;
  /** A cursor half-way down the heavy token's hits, newest first. */
  deepCursor: string;
  tokenIds: string[];
  seconds: number;
}

const HITS_PER_LOAD = 20_000;
const END = Date.parse('2030-06-30T00:00:00.000Z');

/** A fixed sequence, so every run builds the same store. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

export async function buildScaleStore(location: string, shape: ScaleShape): Promise<BuiltStore> {
  const started = performance.now();
  const store = await openStore(location);
  try {
    const createdAt = new Date(END - shape.days * 86_400_000 - 1000).toISOString();
    const tokenIds = Array.from({ length: shape.tokens }, () => newTokenId());
    await store.db.transaction().execute(async (trx) => {
      for (const [i, id] of tokenIds.entries()) {
        const kind = i % 3 === 0 ? 'dns' : 'http';
        await new TokenRepository(trx).create({ id, kind, memo: `bench token ${i} on host-${i % 97}`, createdAt });
        const at = new Date(END - (i % 1000) * 60_000).toISOString();
        await new AlertRepository(trx).insert({
          id: newRowId(),
          tokenId: id,
          tokenKind: kind,
          tokenMemo: `bench token ${i}`,
          groupKey: id.padEnd(64, '0').slice(0, 64),
          source: `198.51.100.${i % 250}`,
          userAgent: 'bench/1',
          firstHitId: newRowId(),
          firstHitAt: at,
          lastHitAt: at,
          hitCount: 1,
          windowStart: at,
          windowEnd: at,
          digestScheduled: false,
          closedAt: null,
          foldedKeys: 0,
          createdAt: at,
        });
      }
    });
    const heavyTokenId = tokenIds[0]!;
    const next = random(12_345);
    const span = shape.days * 86_400_000;
    const heavy: { at: string; id: string }[] = [];
    for (let loaded = 0; loaded < shape.hits; loaded += HITS_PER_LOAD) {
      const batch: Hit[] = [];
      for (let i = loaded; i < Math.min(shape.hits, loaded + HITS_PER_LOAD); i++) {
        const isHeavy = i < shape.heavyHits;
        // Each token's hits are loaded together, so a load moves few tokens' counts.
        const other = Math.floor(((i - shape.heavyHits) * (tokenIds.length - 1)) / (shape.hits - shape.heavyHits));
        const tokenId = isHeavy || tokenIds.length === 1 ? heavyTokenId : tokenIds[1 + other]!;
        const millis = END - Math.floor(next() * span);
        const hit: Hit = {
          id: newRowId(millis),
          tokenId,
          kind: 'http',
          at: new Date(millis).toISOString(),
          source: `203.0.113.${Math.floor(next() * 250)}`,
          userAgent: 'Mozilla/5.0 (bench)',
          detail: { type: 'http', method: 'GET', path: `/assets/${tokenId}/logo.gif`, query: '', headers: { accept: '*/*', 'accept-language': 'en' } },
        };
        if (isHeavy) heavy.push({ at: hit.at, id: hit.id });
        batch.push(hit);
      }
      // In index order, so the B-tree inserts of a load land near each other.
      batch.sort((a, b) => (a.tokenId === b.tokenId ? (a.at < b.at ? -1 : 1) : a.tokenId < b.tokenId ? -1 : 1));
      await bulkLoadHits(store.db, batch);
    }
    heavy.sort((a, b) => (a.at === b.at ? (a.id < b.id ? 1 : -1) : a.at < b.at ? 1 : -1));
    const middle = heavy[Math.floor(heavy.length / 2)]!;
    return { heavyTokenId, deepCursor: encodeCursor({ key: middle.at, id: middle.id }), tokenIds, seconds: (performance.now() - started) / 1000 };
  } finally {
    await store.close();
  }
}
