// Audiences of one sandbox on Kysely (`segment_definitions` + `segment_references`, migration 0004).
import { sql } from 'kysely';
import type { Insertable, Kysely, Selectable, Transaction } from 'kysely';
import type {
  SegmentDefinitionPatch,
  SegmentDefinitionQuery,
  SegmentDefinitionRecord,
  SegmentDefinitionRepository,
  SegmentEvaluationInfo,
} from '../store.js';
import { failOnConflict } from './conflicts.js';
import type { Database, SegmentDefinitionsTable } from './database.js';
import { countValue, fromJsonStringArray, fromJsonText, rowCount, toJsonText } from './stored-values.js';

/** The uniqueness key of a name: NFC-normalised and lower-cased, so `VIP` and `vip` are one name. */
export function foldSegmentName(name: string): string {
  return name.normalize('NFC').toLowerCase();
}

/** `%`, `_` and the escape character itself matched literally in a LIKE pattern (escape `\`). */
function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}

function toEvaluationInfo(text: string): SegmentEvaluationInfo {
  const value = fromJsonText(text) as Partial<Record<keyof SegmentEvaluationInfo, unknown>>;
  return { batch: value.batch === true, continuous: value.continuous === true, synchronous: value.synchronous === true };
}

function toRecord(row: Selectable<SegmentDefinitionsTable>): SegmentDefinitionRecord {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    expression: row.expression,
    mergePolicyId: row.merge_policy_id,
    lifecycleState: row.lifecycle_state,
    evaluationInfo: toEvaluationInfo(row.evaluation_info),
    dependencies: fromJsonStringArray(row.dependencies),
    fields: fromJsonStringArray(row.fields),
    etag: row.etag,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    createdBy: row.created_by,
    updatedBy: row.updated_by,
  };
}

/** Ids ordered the same on both dialects (PostgreSQL's collation would order them differently). */
const byCodePoint = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Ids per statement of {@link KyselySegmentDefinitionRepository.getMany}. */
const GET_MANY_CHUNK = 500;

const SORT_COLUMNS = { name: 'name_key', creationTime: 'created_at', updateTime: 'updated_at' } as const;

/** {@link SegmentDefinitionRepository} for one sandbox. */
export class KyselySegmentDefinitionRepository implements SegmentDefinitionRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly sandboxId: string,
  ) {}

  private inSandbox() {
    return this.db.selectFrom('segment_definitions').where('sandbox_id', '=', this.sandboxId);
  }

  private columnsOf(patch: SegmentDefinitionPatch) {
    return {
      name: patch.name,
      name_key: foldSegmentName(patch.name),
      description: patch.description,
      expression: patch.expression,
      merge_policy_id: patch.mergePolicyId,
      lifecycle_state: patch.lifecycleState,
      evaluation_info: toJsonText(patch.evaluationInfo),
      dependencies: toJsonText(patch.dependencies),
      fields: toJsonText(patch.fields),
      etag: patch.etag,
      updated_at: patch.updatedAt,
      updated_by: patch.updatedBy,
    };
  }

  /** Makes `segment_references` of `id` equal its (unique) dependencies. */
  private async writeReferences(trx: Transaction<Database>, id: string, dependencies: readonly string[]): Promise<void> {
    await trx.deleteFrom('segment_references').where('segment_id', '=', id).execute();
    const unique = [...new Set(dependencies)];
    if (unique.length === 0) return;
    await trx
      .insertInto('segment_references')
      .values(unique.map((referenced) => ({ segment_id: id, sandbox_id: this.sandboxId, referenced_id: referenced })))
      .execute();
  }

  async create(definition: SegmentDefinitionRecord): Promise<void> {
    const row: Insertable<SegmentDefinitionsTable> = {
      ...this.columnsOf(definition),
      id: definition.id,
      sandbox_id: this.sandboxId,
      created_at: definition.createdAt,
      created_by: definition.createdBy,
    };
    await failOnConflict(() =>
      this.db.transaction().execute(async (trx) => {
        await trx.insertInto('segment_definitions').values(row).execute();
        await this.writeReferences(trx, definition.id, definition.dependencies);
      }),
    );
  }

  async get(id: string): Promise<SegmentDefinitionRecord | undefined> {
    const row = await this.inSandbox().selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : toRecord(row);
  }

  async getMany(ids: readonly string[]): Promise<readonly SegmentDefinitionRecord[]> {
    const unique = [...new Set(ids)];
    const records: SegmentDefinitionRecord[] = [];
    // Bounded IN lists: SQLite and PostgreSQL both cap the parameters of one statement.
    for (let start = 0; start < unique.length; start += GET_MANY_CHUNK) {
      const rows = await this.inSandbox().selectAll().where('id', 'in', unique.slice(start, start + GET_MANY_CHUNK)).execute();
      records.push(...rows.map(toRecord));
    }
    return records;
  }

  async list(query: SegmentDefinitionQuery): Promise<{ readonly items: readonly SegmentDefinitionRecord[]; readonly total: number }> {
    let filtered = this.inSandbox();
    if (query.nameContains !== undefined && query.nameContains !== '') {
      const pattern = `%${likeLiteral(foldSegmentName(query.nameContains))}%`;
      filtered = filtered.where(sql<boolean>`name_key like ${pattern} escape '\\'`);
    }
    if (query.lifecycleState !== undefined) filtered = filtered.where('lifecycle_state', '=', query.lifecycleState);
    const counted = await filtered.select((eb) => eb.fn.countAll().as('count')).executeTakeFirstOrThrow();
    const column = SORT_COLUMNS[query.sortField];
    const rows = await filtered
      .selectAll()
      .orderBy(column, query.sort)
      .orderBy('id', query.sort)
      .limit(query.limit)
      .offset(query.offset)
      .execute();
    return { items: rows.map(toRecord), total: countValue(counted.count) };
  }

  async replace(id: string, expectedEtag: string, patch: SegmentDefinitionPatch): Promise<SegmentDefinitionRecord | 'stale' | undefined> {
    return failOnConflict(() =>
      this.db.transaction().execute(async (trx) => {
        const replaced = await trx
          .updateTable('segment_definitions')
          .set(this.columnsOf(patch))
          .where('id', '=', id)
          .where('sandbox_id', '=', this.sandboxId)
          .where('etag', '=', expectedEtag)
          .returningAll()
          .executeTakeFirst();
        if (replaced === undefined) {
          const exists = await trx.selectFrom('segment_definitions').select('id').where('id', '=', id).where('sandbox_id', '=', this.sandboxId).executeTakeFirst();
          return exists === undefined ? undefined : 'stale';
        }
        await this.writeReferences(trx, id, patch.dependencies);
        return toRecord(replaced);
      }),
    );
  }

  async delete(id: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const owned = await trx.selectFrom('segment_definitions').select('id').where('id', '=', id).where('sandbox_id', '=', this.sandboxId).executeTakeFirst();
      if (owned === undefined) return false;
      await trx.deleteFrom('segment_references').where('segment_id', '=', id).execute();
      const result = await trx.deleteFrom('segment_definitions').where('id', '=', id).where('sandbox_id', '=', this.sandboxId).executeTakeFirst();
      return rowCount(result.numDeletedRows) > 0;
    });
  }

  async referencing(id: string): Promise<readonly string[]> {
    const rows = await this.db
      .selectFrom('segment_references')
      .select('segment_id')
      .where('sandbox_id', '=', this.sandboxId)
      .where('referenced_id', '=', id)
      .execute();
    return rows.map((row) => row.segment_id).sort(byCodePoint);
  }

  async usingMergePolicy(mergePolicyId: string): Promise<readonly string[]> {
    const rows = await this.inSandbox().select('id').where('merge_policy_id', '=', mergePolicyId).execute();
    return rows.map((row) => row.id).sort(byCodePoint);
  }

  async deleteAll(): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('segment_references').where('sandbox_id', '=', this.sandboxId).execute();
      const result = await trx.deleteFrom('segment_definitions').where('sandbox_id', '=', this.sandboxId).executeTakeFirst();
      return rowCount(result.numDeletedRows);
    });
  }
}
