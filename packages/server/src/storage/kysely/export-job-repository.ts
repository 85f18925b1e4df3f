// Export jobs of one sandbox on Kysely (`export_jobs`, migration 0007): integer ids, newest-first keyset listing.
import type { Kysely, Selectable, Updateable } from 'kysely';
import type { ExportJobPatch, ExportJobQuery, ExportJobRecord, ExportJobRepository, ExportJobStatus, NewExportJob } from '../store.js';
import type { Database, ExportJobsTable } from './database.js';
import { fromJsonStringArray, fromJsonText, rowCount, toJsonText } from './stored-values.js';

function toRecord(row: Selectable<ExportJobsTable>): ExportJobRecord {
  const errors = fromJsonText(row.errors);
  return {
    id: Number(row.id), status: row.status, request: fromJsonText(row.request), batchIds: fromJsonStringArray(row.batch_ids),
    metrics: row.metrics === null ? null : fromJsonText(row.metrics), errors: Array.isArray(errors) ? errors : [],
    segmentJobId: row.segment_job_id, computeJobId: row.compute_job_id, requestId: row.request_id, createdBy: row.created_by,
    createdAt: row.created_at, updatedAt: row.updated_at,
  };
}

function toChanges(patch: ExportJobPatch): Updateable<ExportJobsTable> {
  const changes: Updateable<ExportJobsTable> = { updated_at: patch.updatedAt };
  if (patch.status !== undefined) changes.status = patch.status;
  if (patch.batchIds !== undefined) changes.batch_ids = JSON.stringify(patch.batchIds);
  if (patch.metrics !== undefined) changes.metrics = toJsonText(patch.metrics);
  if (patch.errors !== undefined) changes.errors = JSON.stringify(patch.errors);
  if (patch.segmentJobId !== undefined) changes.segment_job_id = patch.segmentJobId;
  return changes;
}

/** {@link ExportJobRepository} for one sandbox. */
export class KyselyExportJobRepository implements ExportJobRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly sandboxId: string,
  ) {}

  private inSandbox() {
    return this.db.selectFrom('export_jobs').where('sandbox_id', '=', this.sandboxId);
  }

  async create(job: NewExportJob): Promise<ExportJobRecord> {
    const row = await this.db.insertInto('export_jobs').values({
      sandbox_id: this.sandboxId, status: job.status, request: toJsonText(job.request), batch_ids: JSON.stringify(job.batchIds),
      metrics: job.metrics === null || job.metrics === undefined ? null : toJsonText(job.metrics), errors: JSON.stringify(job.errors),
      segment_job_id: job.segmentJobId, compute_job_id: job.computeJobId, request_id: job.requestId, created_by: job.createdBy,
      created_at: job.createdAt, updated_at: job.updatedAt,
    }).returningAll().executeTakeFirstOrThrow();
    return toRecord(row);
  }

  async get(id: number): Promise<ExportJobRecord | undefined> {
    if (!Number.isSafeInteger(id)) return undefined;
    const row = await this.inSandbox().selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : toRecord(row);
  }

  async list(query: ExportJobQuery): Promise<readonly ExportJobRecord[]> {
    if (query.statuses?.length === 0) return [];
    let select = this.inSandbox().selectAll();
    if (query.statuses !== undefined) select = select.where('status', 'in', [...query.statuses]);
    const before = query.before;
    if (before !== undefined) {
      select = select.where((eb) => eb.or([eb('created_at', '<', before.createdAt), eb.and([eb('created_at', '=', before.createdAt), eb('id', '<', before.id)])]));
    }
    const rows = await select.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(query.limit).execute();
    return rows.map(toRecord);
  }

  async update(id: number, from: readonly ExportJobStatus[], patch: ExportJobPatch): Promise<ExportJobRecord | undefined> {
    if (from.length === 0) return undefined;
    const row = await this.db.updateTable('export_jobs').set(toChanges(patch))
      .where('id', '=', id).where('sandbox_id', '=', this.sandboxId).where('status', 'in', [...from]).returningAll().executeTakeFirst();
    return row === undefined ? undefined : toRecord(row);
  }

  async listWaitingFor(segmentJobId: string): Promise<readonly ExportJobRecord[]> {
    const rows = await this.inSandbox().selectAll().where('segment_job_id', '=', segmentJobId).where('status', '=', 'NEW').orderBy('id').execute();
    return rows.map(toRecord);
  }

  async deleteAll(): Promise<number> {
    const result = await this.db.deleteFrom('export_jobs').where('sandbox_id', '=', this.sandboxId).executeTakeFirst();
    return rowCount(result.numDeletedRows);
  }
}
