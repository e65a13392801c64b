import { createHash, timingSafeEqual } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import { ConflictError, NotFoundError } from '../../core/errors.js';
import { newRowId, newSecret } from '../../core/ids.js';
import { isoNow } from '../../core/time.js';
import type { ApiKeysTable, Database } from '../schema.js';

export const KEY_ROLES = ['admin', 'viewer', 'agent'] as const;
export type KeyRole = (typeof KEY_ROLES)[number];

/** Where a key came from: the API (and agent enrolment), TRIPLINE_ADMIN_KEY, or the first start. */
export type KeyOrigin = 'api' | 'env' | 'generated';

export interface ApiKey {
  id: string;
  name: string;
  role: KeyRole;
  /** The key's non-secret start, for lists and logs; null for keys stored before prefixes were. */
  prefix: string | null;
  origin: KeyOrigin;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export type Authentication = { ok: true; key: ApiKey } | { ok: false; reason: 'unknown' | 'revoked' };

function hashKey(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

// Bounded, so a client cannot get a long label of its choosing into the log.
const GENERATED_PREFIX = /^tpl_[a-z]{1,12}_/;
/** Random characters shown after tpl_<role>_: 12 bits of a 256-bit key, enough to tell keys apart. */
const SHOWN_RANDOM_CHARS = 2;
/** Of a key the operator chose (TRIPLINE_ADMIN_KEY, at least 32 characters): the first 4. */
const SHOWN_CHOSEN_CHARS = 4;

/**
 * The part of a key that may be shown and logged. Generated keys show their tpl_<role>_ label and
 * two random characters; any other text (an operator's own key, or whatever a client sent) shows
 * only its first four characters, so a log line never gives away a useful share of a secret.
 */
export function keyPrefix(key: string): string {
  const label = GENERATED_PREFIX.exec(key)?.[0];
  const shown = label ? key.slice(0, label.length + SHOWN_RANDOM_CHARS) : key.slice(0, SHOWN_CHOSEN_CHARS);
  return shown.replace(/[^\x21-\x7e]/g, '?');
}

function keyFromRow(row: Selectable<ApiKeysTable>): ApiKey {
  return {
    id: row.id,
    name: row.name,
    role: row.role as KeyRole,
    prefix: row.prefix,
    origin: row.origin as KeyOrigin,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}

export class ApiKeyRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Creates a key and returns it in clear text: the only time it is ever seen. */
  async create(name: string, role: KeyRole, origin: KeyOrigin = 'api'): Promise<{ key: string; record: ApiKey }> {
    const key = newSecret(`tpl_${role}`);
    const record = await this.insert(name, role, key, origin);
    return { key, record };
  }

  /** Registers a key chosen outside the server (TRIPLINE_ADMIN_KEY). */
  async register(name: string, role: KeyRole, key: string, origin: KeyOrigin): Promise<ApiKey> {
    // Replicas started together with one TRIPLINE_ADMIN_KEY each find no row and register it at
    // once: the second insert changes nothing, and both answer with the row that won.
    await this.insert(name, role, key, origin, { ifAbsent: true });
    const stored = await this.findByKey(key);
    if (!stored) throw new Error('a registered key was not found right after its insert');
    return stored;
  }

  /** The row of a key given in clear text, revoked or not. */
  async findByKey(key: string): Promise<ApiKey | undefined> {
    const row = await this.db.selectFrom('api_keys').selectAll().where('key_hash', '=', hashKey(key).toString('hex')).executeTakeFirst();
    return row ? keyFromRow(row) : undefined;
  }

  async find(id: string): Promise<ApiKey | undefined> {
    const row = await this.db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? keyFromRow(row) : undefined;
  }

  /** Every key, revoked ones included, oldest first: who has had access is part of the answer. */
  async list(): Promise<ApiKey[]> {
    const rows = await this.db.selectFrom('api_keys').selectAll().orderBy('created_at').orderBy('id').execute();
    return rows.map(keyFromRow);
  }

  /** Keys still in force that came from the given origin. */
  async activeFrom(origin: KeyOrigin): Promise<ApiKey[]> {
    const rows = await this.db.selectFrom('api_keys').selectAll().where('origin', '=', origin).where('revoked_at', 'is', null).execute();
    return rows.map(keyFromRow);
  }

  /** Marks where a key now comes from: a key put into TRIPLINE_ADMIN_KEY becomes the env key. */
  async setOrigin(id: string, origin: KeyOrigin): Promise<void> {
    await this.db.updateTable('api_keys').set({ origin }).where('id', '=', id).execute();
  }

  async countActiveAdmins(): Promise<number> {
    const row = await this.db
      .selectFrom('api_keys')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('role', '=', 'admin')
      .where('revoked_at', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /**
   * Finds the key a request presented. The lookup is by SHA-256 of the key, so an index search
   * reveals nothing useful about the secret; the final check is a constant-time comparison.
   */
  async authenticate(presented: string): Promise<Authentication> {
    const digest = hashKey(presented);
    const row = await this.db.selectFrom('api_keys').selectAll().where('key_hash', '=', digest.toString('hex')).executeTakeFirst();
    if (!row) return { ok: false, reason: 'unknown' };
    const stored = Buffer.from(row.key_hash, 'hex');
    if (stored.length !== digest.length || !timingSafeEqual(stored, digest)) return { ok: false, reason: 'unknown' };
    if (row.revoked_at !== null) return { ok: false, reason: 'revoked' };
    return { ok: true, key: keyFromRow(row) };
  }

  /**
   * Revokes a key: every request with it is refused from now on. Revoking a revoked key changes
   * nothing. The last admin key in force cannot be revoked, so the server cannot be locked out.
   */
  async revoke(id: string, at = isoNow()): Promise<ApiKey> {
    return this.db.transaction().execute(async (trx) => {
      const keys = new ApiKeyRepository(trx);
      const key = await keys.find(id);
      if (!key) throw new NotFoundError('key', id);
      if (key.revokedAt !== null) return key;
      if (key.role === 'admin' && (await keys.countActiveAdmins()) <= 1) {
        throw new ConflictError('this is the last admin key in force: create another admin key before revoking it', { id });
      }
      await trx.updateTable('api_keys').set({ revoked_at: at }).where('id', '=', id).execute();
      return { ...key, revokedAt: at };
    });
  }

  /** Stores when keys were last used; called with a batch of uses, not once per request. */
  async recordUse(uses: Iterable<[id: string, at: string]>): Promise<void> {
    for (const [id, at] of uses) {
      // Another replica may have stored a later use already; never move the time back.
      await this.db
        .updateTable('api_keys')
        .set({ last_used_at: at })
        .where('id', '=', id)
        .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', at)]))
        .execute();
    }
  }

  private async insert(name: string, role: KeyRole, key: string, origin: KeyOrigin, options: { ifAbsent?: boolean } = {}): Promise<ApiKey> {
    const row: Selectable<ApiKeysTable> = {
      id: newRowId(),
      name,
      role,
      key_hash: hashKey(key).toString('hex'),
      prefix: keyPrefix(key),
      created_at: isoNow(),
      last_used_at: null,
      revoked_at: null,
      origin,
    };
    const insert = this.db.insertInto('api_keys').values(row);
    await (options.ifAbsent ? insert.onConflict((oc) => oc.column('key_hash').doNothing()) : insert).execute();
    return keyFromRow(row);
  }
}
