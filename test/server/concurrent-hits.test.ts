import assert from 'node:assert/strict';
import { Agent, request } from 'node:http';
import { describe, it } from 'node:test';
import { storeDialects } from '../support/dialects.js';
import { startTestServer } from '../support/server.js';

const TOTAL = 4000;
const IN_FLIGHT = 256;

function get(agent: Agent, base: URL, path: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request({ agent, host: base.hostname, port: base.port, path }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.setTimeout(60_000, () => req.destroy());
    req.on('error', () => resolve(0));
    req.end();
  });
}

for (const dialect of storeDialects()) {
  describe(`concurrent hits on ${dialect.name}`, () => {
    it(`stores every one of ${TOTAL} concurrent hits that got a 200`, async () => {
      // All IN_FLIGHT connections come from 127.0.0.1: the per-source cap is raised to admit them;
      // flood sampling is off: this is about every acknowledged hit being durable in full.
      const server = await startTestServer({
        db: await dialect.newLocation(),
        maxConnectionsPerSource: IN_FLIGHT,
        flood: { threshold: TOTAL, sampleEvery: 1 },
      });
      try {
        const { body: token } = await server.api('POST', '/tokens', { kind: 'http', memo: 'flood' });
        const base = new URL(server.url);
        const agent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
        const statuses = await Promise.all(Array.from({ length: TOTAL }, (_, n) => get(agent, base, `/p/${token.id}/x.gif?n=${n}`)));
        agent.destroy();
        const acknowledged = new Set(statuses.flatMap((status, n) => (status === 200 ? [String(n)] : [])));
        assert.ok(acknowledged.size > TOTAL * 0.9, `only ${acknowledged.size} of ${TOTAL} requests got a 200`);

        const stored = new Set<string>();
        let cursor: string | null = null;
        do {
          const page: { body: { items: { detail: { query: string } }[]; nextCursor: string | null } } = await server.api(
            'GET',
            `/tokens/${token.id}/hits?limit=500${cursor ? `&cursor=${cursor}` : ''}`,
          );
          for (const hit of page.body.items) stored.add(hit.detail.query.replace('n=', ''));
          cursor = page.body.nextCursor;
        } while (cursor);
        const missing = [...acknowledged].filter((n) => !stored.has(n));
        assert.deepEqual(missing, [], 'every acknowledged hit is in the store');
        assert.equal((await server.api('GET', `/tokens/${token.id}`)).body.hitCount, stored.size);
      } finally {
        await server.close();
      }
    });
  });
}
