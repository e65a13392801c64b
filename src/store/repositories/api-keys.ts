import { createHash, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import { newRowId, newSecret } from '../../core/ids.js';
import { isoNow } from '../../core/time.js';
import type { Database } from '../schema.js';

export type KeyRole = 'admin' | 'agent';

export interface ApiKey {
  id: string;
  name: string;
  role: KeyRole;
  createdAt: string;
  lastUsedAt: string | null;
}

function hashKey(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

export class ApiKeyRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Creates a key and returns it in clear text: the only time it is ever seen. */
  async create(name: string, role: KeyRole): Promise<{ key: string; record: ApiKey }> {
    const key = newSecret(role === 'admin' ? 'tpl_admin' : 'tpl_agent');
    const record = await this.insert(name, role, key);
    return { key, record };
  }

  /** Registers a key the operator chose (TRIPLINE_ADMIN_KEY); idempotent across restarts. */
  async ensure(name: string, role: KeyRole, key: string): Promise<ApiKey> {
    const existing = await this.db
      .selectFrom('api_keys')
      .selectAll()
      .where('key_hash', '=', hashKey(key).toString('hex'))
      .executeTakeFirst();
    if (existing) return this.toKey(existing);
    return this.insert(name, role, key);
  }

  async count(): Promise<number> {
    const row = await this.db.selectFrom('api_keys').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /**
   * Finds the key a request presented. The lookup is by SHA-256 of the key, so an index search
   * reveals nothing useful about the secret; the final check is a constant-time comparison.
   */
  async authenticate(presented: string): Promise<ApiKey | undefined> {
    const digest = hashKey(presented);
    const row = await this.db
      .selectFrom('api_keys')
      .selectAll()
      .where('key_hash', '=', digest.toString('hex'))
      .executeTakeFirst();
    if (!row) return undefined;
    const stored = Buffer.from(row.key_hash, 'hex');
    if (stored.length !== digest.length || !timingSafeEqual(stored, digest)) return undefined;
    return this.toKey(row);
  }

  async touch(id: string): Promise<void> {
    await this.db.updateTable('api_keys').set({ last_used_at: isoNow() }).where('id', '=', id).execute();
  }

  private async insert(name: string, role: KeyRole, key: string): Promise<ApiKey> {
    const row = {
      id: newRowId(),
      name,
      role,
      key_hash: hashKey(key).toString('hex'),
      created_at: isoNow(),
      last_used_at: null,
    };
    await this.db.insertInto('api_keys').values(row).execute();
    return this.toKey(row);
  }

  private toKey(row: { id: string; name: string; role: string; created_at: string; last_used_at: string | null }): ApiKey {
    return { id: row.id, name: row.name, role: row.role as KeyRole, createdAt: row.created_at, lastUsedAt: row.last_used_at };
  }
}
