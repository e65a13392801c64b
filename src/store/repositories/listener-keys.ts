import type { Kysely } from 'kysely';
import { isoNow } from '../../core/time.js';
import type { Database } from '../schema.js';

/** The listeners' own private keys (ListenerKeysTable). */
export class ListenerKeyRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * The key stored under `name`, made with `generate` on first use. Servers starting together on
   * one store race to insert; the first row wins and every server reads that one back.
   */
  async getOrCreate(name: string, generate: () => string): Promise<string> {
    const stored = await this.find(name);
    if (stored !== undefined) return stored;
    await this.db
      .insertInto('listener_keys')
      .values({ name, private_key: generate(), created_at: isoNow() })
      .onConflict((c) => c.column('name').doNothing())
      .execute();
    return (await this.find(name))!;
  }

  private async find(name: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('listener_keys').select('private_key').where('name', '=', name).executeTakeFirst();
    return row?.private_key;
  }
}
