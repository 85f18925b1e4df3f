// Batches of one sandbox on Kysely (`batches`, migration 0002): filtered and ordered by SQL, replace is a compare-and-set.
import type { Insertable, Kysely, Selectable } from 'kysely';
import type { BatchQuery, BatchRecord, BatchRecordPatch, BatchRepository } from '../store.js';
import { failOnConflict } from './conflicts.js';
import type { BatchesTable, Database } from './database.js';
import { fromJsonText, rowCount, toJsonText } from './stored-values.js';

function toRecord(row: Selectable<BatchesTable>): BatchRecord {
  return {
    id: row.id,
    datasetId: row.dataset_id,
    status: row.status,
    inputFormat: row.input_format,
    errorThreshold: row.error_threshold === null ? null : Number(row.error_threshold),
    etag: row.etag,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    completedAt: row.completed_at,
    createdBy: row.created_by,
    details: fromJsonText(row.details),
  };
}

/** {@link BatchRepository} for one sandbox. */
export class KyselyBatchRepository implements BatchRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly sandboxId: string,
  ) {}

  private inSandbox() {
    return this.db.selectFrom('batches').where('sandbox_id', '=', this.sandboxId);
  }

  async create(batch: BatchRecord): Promise<void> {
    const row: Insertable<BatchesTable> = {
      id: batch.id, sandbox_id: this.sandboxId, dataset_id: batch.datasetId, status: batch.status, input_format: batch.inputFormat,
      error_threshold: batch.errorThreshold, etag: batch.etag, created_at: batch.createdAt, updated_at: batch.updatedAt,
      completed_at: batch.completedAt, created_by: batch.createdBy, details: toJsonText(batch.details),
    };
    await failOnConflict(() => this.db.insertInto('batches').values(row).execute());
  }

  async get(id: string): Promise<BatchRecord | undefined> {
    const row = await this.inSandbox().selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : toRecord(row);
  }

  async list(query: BatchQuery): Promise<readonly BatchRecord[]> {
    if (query.datasetIds?.length === 0) return [];
    let select = this.inSandbox().selectAll();
    if (query.datasetIds !== undefined) select = select.where('dataset_id', 'in', [...query.datasetIds]);
    if (query.status !== undefined) select = select.where('status', '=', query.status);
    select = query.order === 'newest-first'
      ? select.orderBy('created_at', 'desc').orderBy('id', 'desc')
      : select.orderBy('completed_at').orderBy('id');
    // SQLite accepts OFFSET only after a LIMIT.
    if (query.limit !== undefined || query.offset !== undefined) select = select.limit(query.limit ?? Number.MAX_SAFE_INTEGER);
    if (query.offset !== undefined && query.offset > 0) select = select.offset(query.offset);
    return (await select.execute()).map(toRecord);
  }

  /** One conditional UPDATE decides between concurrent writers; only when it changes nothing do we look why. */
  async replace(id: string, expectedEtag: string, patch: BatchRecordPatch): Promise<BatchRecord | 'stale' | undefined> {
    const replaced = await this.db
      .updateTable('batches')
      .set({
        status: patch.status, input_format: patch.inputFormat, error_threshold: patch.errorThreshold, etag: patch.etag,
        updated_at: patch.updatedAt, completed_at: patch.completedAt, details: toJsonText(patch.details),
      })
      .where('id', '=', id)
      .where('sandbox_id', '=', this.sandboxId)
      .where('etag', '=', expectedEtag)
      .returningAll()
      .executeTakeFirst();
    if (replaced !== undefined) return toRecord(replaced);
    const exists = await this.inSandbox().select('id').where('id', '=', id).executeTakeFirst();
    return exists === undefined ? undefined : 'stale';
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('batches').where('id', '=', id).where('sandbox_id', '=', this.sandboxId).executeTakeFirst();
    return rowCount(result.numDeletedRows) > 0;
  }

  async deleteAll(): Promise<number> {
    const result = await this.db.deleteFrom('batches').where('sandbox_id', '=', this.sandboxId).executeTakeFirst();
    return rowCount(result.numDeletedRows);
  }
}
