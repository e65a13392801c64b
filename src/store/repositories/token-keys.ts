import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

/** Keys that name tokens (TokenKeysTable): written with the token, read by listeners. */
export class TokenKeyRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Construct over the token's transaction, so a token never exists without its keys. */
  async add(tokenId: string, keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.db
      .insertInto('token_keys')
      .values(keys.map((key) => ({ key, token_id: tokenId })))
      .execute();
  }

  async tokenIdFor(key: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('token_keys').select('token_id').where('key', '=', key).executeTakeFirst();
    return row?.token_id;
  }
}
