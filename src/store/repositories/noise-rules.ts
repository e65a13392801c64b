import type { Kysely, Selectable } from 'kysely';
import { NotFoundError } from '../../core/errors.js';
import type { NoiseRule, NoiseRuleKind } from '../../core/model/noise.js';
import type { Database, NoiseRulesTable } from '../schema.js';

function ruleFromRow(row: Selectable<NoiseRulesTable>): NoiseRule {
  return { id: row.id, tokenId: row.token_id, kind: row.kind as NoiseRuleKind, pattern: row.pattern, note: row.note, createdAt: row.created_at };
}

export class NoiseRuleRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async create(rule: NoiseRule): Promise<NoiseRule> {
    await this.db
      .insertInto('noise_rules')
      .values({ id: rule.id, token_id: rule.tokenId, kind: rule.kind, pattern: rule.pattern, note: rule.note, created_at: rule.createdAt })
      .execute();
    return rule;
  }

  /** Every rule, oldest first: an installation has tens, not thousands, so there is no paging. */
  async list(filter: { tokenId?: string } = {}): Promise<NoiseRule[]> {
    const rows = await this.db
      .selectFrom('noise_rules')
      .selectAll()
      .$if(filter.tokenId !== undefined, (q) => q.where('token_id', '=', filter.tokenId!))
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(ruleFromRow);
  }

  async find(id: string): Promise<NoiseRule | undefined> {
    const row = await this.db.selectFrom('noise_rules').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? ruleFromRow(row) : undefined;
  }

  async delete(id: string): Promise<void> {
    const result = await this.db.deleteFrom('noise_rules').where('id', '=', id).executeTakeFirst();
    if (Number(result.numDeletedRows) === 0) throw new NotFoundError('noise rule', id);
  }
}
