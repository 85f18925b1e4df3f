// Segment jobs of one sandbox on Kysely (`segment_jobs` + `segment_job_segments`, migration 0005): guarded create, compare-and-set updates.
import type { Insertable, Kysely, Selectable, Transaction } from 'kysely';
import {
  ACTIVE_SEGMENT_JOB_STATUSES,
  type EpochMs, type SegmentJobPatch, type SegmentJobQuery, type SegmentJobRecord, type SegmentJobRepository, type SegmentJobStatus,
} from '../store.js';
import { failOnConflict } from './conflicts.js';
import type { Database, SegmentJobsTable } from './database.js';
import { countValue, fromJsonText, rowCount, toJsonText } from './stored-values.js';

function toRecord(row: Selectable<SegmentJobsTable>): SegmentJobRecord {
  return {
    id: row.id,
    status: row.status,
    source: row.source,
    requested: fromJsonText(row.requested) as SegmentJobRecord['requested'],
    segments: fromJsonText(row.segments) as SegmentJobRecord['segments'],
    metrics: fromJsonText(row.metrics),
    errors: fromJsonText(row.errors) as SegmentJobRecord['errors'],
    properties: fromJsonText(row.properties) as SegmentJobRecord['properties'],
    requestId: row.request_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}

/** The columns a patch sets (absent fields stay as they are). */
function columnsOf(patch: SegmentJobPatch): Partial<SegmentJobsTable> {
  const columns: Partial<SegmentJobsTable> = {};
  if (patch.status !== undefined) columns.status = patch.status;
  if (patch.requested !== undefined) columns.requested = toJsonText(patch.requested);
  if (patch.segments !== undefined) columns.segments = toJsonText(patch.segments);
  if (patch.metrics !== undefined) columns.metrics = toJsonText(patch.metrics);
  if (patch.errors !== undefined) columns.errors = toJsonText(patch.errors);
  if (patch.properties !== undefined) columns.properties = toJsonText(patch.properties);
  if (patch.startedAt !== undefined) columns.started_at = patch.startedAt;
  if (patch.finishedAt !== undefined) columns.finished_at = patch.finishedAt;
  if (patch.updatedAt !== undefined) columns.updated_at = patch.updatedAt;
  return columns;
}

/** {@link SegmentJobRepository} for one sandbox. */
export class KyselySegmentJobRepository implements SegmentJobRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly sandboxId: string,
  ) {}

  private inSandbox(db: Kysely<Database> | Transaction<Database> = this.db) {
    return db.selectFrom('segment_jobs').where('sandbox_id', '=', this.sandboxId);
  }

  async create(job: SegmentJobRecord, limit?: number): Promise<boolean> {
    const row: Insertable<SegmentJobsTable> = {
      id: job.id, sandbox_id: this.sandboxId, status: job.status, source: job.source, requested: toJsonText(job.requested),
      segments: toJsonText(job.segments), metrics: toJsonText(job.metrics), errors: toJsonText(job.errors), properties: toJsonText(job.properties),
      request_id: job.requestId, created_at: job.createdAt, updated_at: job.updatedAt, started_at: job.startedAt, finished_at: job.finishedAt,
    };
    return failOnConflict(() =>
      this.db.transaction().execute(async (trx) => {
        if (limit !== undefined) {
          // Locks the sandbox row (PostgreSQL) so concurrent creations count one after the other; SQLite serialises writers anyway.
          await trx.updateTable('sandboxes').set((eb) => ({ etag: eb.ref('etag') })).where('id', '=', this.sandboxId).execute();
          const active = await this.inSandbox(trx).where('status', 'in', [...ACTIVE_SEGMENT_JOB_STATUSES]).where('source', '=', job.source).select((eb) => eb.fn.countAll().as('count')).executeTakeFirstOrThrow();
          if (countValue(active.count) >= limit) return false;
        }
        await trx.insertInto('segment_jobs').values(row).execute();
        await this.writeSegmentIds(trx, job.id, job.segments.map((segment) => segment.segmentId));
        return true;
      }),
    );
  }

  async get(id: string): Promise<SegmentJobRecord | undefined> {
    const row = await this.inSandbox().selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : toRecord(row);
  }

  async getMany(ids: readonly string[]): Promise<readonly SegmentJobRecord[]> {
    if (ids.length === 0) return [];
    const rows = await this.inSandbox().selectAll().where('id', 'in', [...ids]).orderBy('created_at').orderBy('id').execute();
    return rows.map(toRecord);
  }

  async list(query: SegmentJobQuery): Promise<{ readonly items: readonly SegmentJobRecord[]; readonly total: number }> {
    if (query.statuses?.length === 0) return { items: [], total: 0 };
    let select = this.inSandbox();
    if (query.statuses !== undefined) select = select.where('status', 'in', [...query.statuses]);
    if (query.source !== undefined) select = select.where('source', '=', query.source);
    if (query.segmentId !== undefined) {
      const segmentId = query.segmentId;
      select = select.where((eb) => eb.exists(eb.selectFrom('segment_job_segments').select('segment_id')
        .whereRef('segment_job_segments.job_id', '=', 'segment_jobs.id').where('segment_job_segments.segment_id', '=', segmentId)));
    }
    const total = await select.select((eb) => eb.fn.countAll().as('count')).executeTakeFirstOrThrow();
    const rows = await select.selectAll().orderBy('created_at', query.order).orderBy('id', query.order).limit(query.limit).offset(query.offset).execute();
    return { items: rows.map(toRecord), total: countValue(total.count) };
  }

  async update(id: string, from: readonly SegmentJobStatus[], patch: SegmentJobPatch): Promise<SegmentJobRecord | undefined> {
    if (from.length === 0) return undefined;
    return this.db.transaction().execute(async (trx) => {
      const updated = await trx.updateTable('segment_jobs').set(columnsOf(patch))
        .where('id', '=', id).where('sandbox_id', '=', this.sandboxId).where('status', 'in', [...from])
        .returningAll().executeTakeFirst();
      if (updated === undefined) return undefined;
      if (patch.segments !== undefined) {
        await trx.deleteFrom('segment_job_segments').where('job_id', '=', id).execute();
        await this.writeSegmentIds(trx, id, patch.segments.map((segment) => segment.segmentId));
      }
      return toRecord(updated);
    });
  }

  async finish(id: string, patch: SegmentJobPatch & { readonly status: SegmentJobStatus; readonly finishedAt: EpochMs }, visibleAt: EpochMs): Promise<SegmentJobRecord | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const updated = await trx.updateTable('segment_jobs').set(columnsOf(patch))
        .where('id', '=', id).where('sandbox_id', '=', this.sandboxId).where('status', '=', 'PROCESSING')
        .returningAll().executeTakeFirst();
      if (updated === undefined) return undefined;
      if (patch.status === 'SUCCEEDED') {
        await trx.updateTable('segment_snapshots').set({ visible_at: visibleAt })
          .where('sandbox_id', '=', this.sandboxId).where('job_id', '=', id).where('visible_at', 'is', null).execute();
      }
      return toRecord(updated);
    });
  }

  async deleteAll(): Promise<number> {
    const result = await this.db.deleteFrom('segment_jobs').where('sandbox_id', '=', this.sandboxId).executeTakeFirst();
    return rowCount(result.numDeletedRows);
  }

  private async writeSegmentIds(trx: Transaction<Database>, jobId: string, segmentIds: readonly string[]): Promise<void> {
    const unique = [...new Set(segmentIds)];
    if (unique.length === 0) return;
    // Chunked: a job may list up to every audience of a sandbox, and drivers bound the parameters of one statement.
    for (let start = 0; start < unique.length; start += 500) {
      await trx.insertInto('segment_job_segments').values(unique.slice(start, start + 500).map((segmentId) => ({ job_id: jobId, segment_id: segmentId }))).execute();
    }
  }
}
