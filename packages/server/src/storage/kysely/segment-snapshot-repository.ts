// Membership snapshots of one sandbox on Kysely (`segment_snapshots`, migration 0005): invisible until their job succeeds.
import type { Insertable, Kysely, Selectable } from 'kysely';
import type { EpochMs, SegmentSnapshotRecord, SegmentSnapshotRepository } from '../store.js';
import { failOnConflict } from './conflicts.js';
import type { Database, SegmentSnapshotsTable } from './database.js';
import { fromJsonText, rowCount, toJsonText } from './stored-values.js';

function toRecord(row: Selectable<SegmentSnapshotsTable>): SegmentSnapshotRecord {
  return {
    id: row.id,
    segmentId: row.segment_id,
    jobId: row.job_id,
    evaluatedAt: row.evaluated_at,
    mergePolicyId: row.merge_policy_id,
    mergePolicyVersion: Number(row.merge_policy_version),
    definitionHash: row.definition_hash,
    filePath: row.file_path,
    counts: { realized: Number(row.realized), existing: Number(row.existing), exited: Number(row.exited) },
    byNamespace: fromJsonText(row.by_namespace) as Record<string, number>,
    visibleAt: row.visible_at,
    createdAt: row.created_at,
  };
}

/** Newest first: the order "latest snapshot" means everywhere. */
const newestFirst = (a: SegmentSnapshotRecord, b: SegmentSnapshotRecord): number =>
  (b.visibleAt ?? 0) - (a.visibleAt ?? 0) || b.evaluatedAt - a.evaluatedAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

/** {@link SegmentSnapshotRepository} for one sandbox. */
export class KyselySegmentSnapshotRepository implements SegmentSnapshotRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly sandboxId: string,
  ) {}

  private inSandbox() {
    return this.db.selectFrom('segment_snapshots').where('sandbox_id', '=', this.sandboxId);
  }

  async create(snapshot: SegmentSnapshotRecord): Promise<void> {
    const row: Insertable<SegmentSnapshotsTable> = {
      id: snapshot.id, sandbox_id: this.sandboxId, segment_id: snapshot.segmentId, job_id: snapshot.jobId, evaluated_at: snapshot.evaluatedAt,
      merge_policy_id: snapshot.mergePolicyId, merge_policy_version: snapshot.mergePolicyVersion, definition_hash: snapshot.definitionHash,
      file_path: snapshot.filePath, realized: snapshot.counts.realized, existing: snapshot.counts.existing, exited: snapshot.counts.exited,
      by_namespace: toJsonText(snapshot.byNamespace), visible_at: snapshot.visibleAt, created_at: snapshot.createdAt,
    };
    await failOnConflict(() => this.db.insertInto('segment_snapshots').values(row).execute());
  }

  async get(id: string): Promise<SegmentSnapshotRecord | undefined> {
    const row = await this.inSandbox().selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : toRecord(row);
  }

  async latestVisible(segmentIds?: readonly string[]): Promise<ReadonlyMap<string, SegmentSnapshotRecord>> {
    if (segmentIds?.length === 0) return new Map();
    // The newest visible time per audience, then the rows at that time (a handful per audience at most).
    let newest = this.inSandbox().where('visible_at', 'is not', null).select(['segment_id']).select((eb) => eb.fn.max('visible_at').as('latest')).groupBy('segment_id');
    if (segmentIds !== undefined) newest = newest.where('segment_id', 'in', [...segmentIds]);
    const rows = await this.db.selectFrom('segment_snapshots as s')
      .innerJoin(newest.as('n'), (join) => join.onRef('n.segment_id', '=', 's.segment_id').onRef('n.latest', '=', 's.visible_at'))
      .where('s.sandbox_id', '=', this.sandboxId)
      .selectAll('s')
      .execute();
    const latest = new Map<string, SegmentSnapshotRecord>();
    for (const record of rows.map(toRecord).sort(newestFirst)) if (!latest.has(record.segmentId)) latest.set(record.segmentId, record);
    return latest;
  }

  async listOfJob(jobId: string): Promise<readonly SegmentSnapshotRecord[]> {
    const rows = await this.inSandbox().selectAll().where('job_id', '=', jobId).orderBy('segment_id').execute();
    return rows.map(toRecord);
  }

  async listVisible(segmentId: string): Promise<readonly SegmentSnapshotRecord[]> {
    const rows = await this.inSandbox().selectAll().where('segment_id', '=', segmentId).where('visible_at', 'is not', null).execute();
    return rows.map(toRecord).sort(newestFirst);
  }

  async listExpired(keepLatest: number, before: EpochMs): Promise<readonly SegmentSnapshotRecord[]> {
    const rows = await this.inSandbox().selectAll().where((eb) => eb.or([
      eb('visible_at', '<', before),
      eb.and([eb('visible_at', 'is', null), eb('created_at', '<', before)]),
    ])).execute();
    const candidates = rows.map(toRecord);
    const visibleAudiences = [...new Set(candidates.filter((s) => s.visibleAt !== null).map((s) => s.segmentId))];
    const kept = new Set<string>();
    for (const segmentId of visibleAudiences) for (const snapshot of (await this.listVisible(segmentId)).slice(0, keepLatest)) kept.add(snapshot.id);
    return candidates.filter((snapshot) => !kept.has(snapshot.id));
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('segment_snapshots').where('id', '=', id).where('sandbox_id', '=', this.sandboxId).executeTakeFirst();
    return rowCount(result.numDeletedRows) > 0;
  }

  async deleteAll(): Promise<number> {
    const result = await this.db.deleteFrom('segment_snapshots').where('sandbox_id', '=', this.sandboxId).executeTakeFirst();
    return rowCount(result.numDeletedRows);
  }
}
