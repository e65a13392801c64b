/**
 * Hits stored before details carried their `type` tag are read back tagged, from the fields each
 * trigger always wrote, and then satisfy the model's schema: no migration rewrites old rows.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hitSchema } from '../../src/core/model/hit.js';
import { newRowId, newTokenId } from '../../src/core/ids.js';
import { isoNow } from '../../src/core/time.js';
import { openStore } from '../../src/store/connect.js';
import { HitRepository, hitToRow, type Hit } from '../../src/store/repositories/hits.js';
import { TokenRepository } from '../../src/store/repositories/tokens.js';
import { storeDialects } from '../support/dialects.js';

const process = {
  pid: 42,
  uid: 0,
  auid: null,
  binary: '/usr/bin/cat',
  arguments: ['/srv/decoy'],
  cwd: '/',
  startTime: '2026-01-01T00:00:00.000Z',
  execId: 'eA',
  containerId: null,
  cgroup: '/',
};

/** Details as the triggers wrote them before the tag, by the tag they should get. */
const UNTAGGED: Record<string, Record<string, unknown>> = {
  http: { method: 'GET', path: '/assets/x/logo.gif', query: '', headers: { 'user-agent': 'curl/8' } },
  dns: { qtype: 'A', qclass: 'IN', name: 'x.canary.example', transport: 'udp', data: null, summary: 'DNS A x.canary.example via udp' },
  file: {
    node: 'db-1',
    policy: 'decoys',
    hook: 'security_file_permission',
    actions: ['post'],
    summary: 'cat (pid 42, uid 0) read /srv/decoy',
    access: { time: '2026-01-01T00:00:00.000Z', access: 'read', path: '/srv/decoy', dev: 1, ino: 2, permission: true, process, parent: null },
  },
  none: {},
};

for (const dialect of storeDialects()) {
  describe(`hit details on ${dialect.name}`, () => {
    it('are read back with their tag, old rows included, and match the model', async () => {
      const store = await openStore(await dialect.newLocation());
      try {
        const tokenId = newTokenId();
        await new TokenRepository(store.db).create({ id: tokenId, kind: 'http', memo: 'old hits', createdAt: isoNow() });
        const ids: Record<string, string> = {};
        for (const [type, detail] of Object.entries(UNTAGGED)) {
          ids[type] = newRowId();
          const hit: Hit = {
            id: ids[type]!,
            tokenId,
            kind: 'http',
            at: isoNow(),
            source: '192.0.2.1',
            userAgent: null,
            detail: detail as unknown as Hit['detail'],
          };
          await store.db.insertInto('hits').values(hitToRow(hit)).execute();
        }
        const hits = new HitRepository(store.db);
        for (const [type, id] of Object.entries(ids)) {
          const read = await hits.get(id);
          assert.equal(read?.detail.type, type);
          assert.deepEqual(hitSchema.parse(read).detail, { ...UNTAGGED[type], type }, `${type}: the stored fields are all the model's`);
        }
      } finally {
        await store.close();
      }
    });
  });
}
