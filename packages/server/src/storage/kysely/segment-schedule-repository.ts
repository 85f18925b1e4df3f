// Batch segmentation schedules on Kysely (`segment_schedules`, migration 0006): one per sandbox, firings by compare-and-set.
import type { Insertable, Kysely, Selectable, Updateable } from 'kysely';
import type {
  SegmentScheduleDirectory, SegmentScheduleFiring, SegmentSchedulePatch, SegmentScheduleRecord, SegmentScheduleRepository,
} from '../store.js';
import { failOnConflict } from './conflicts.js';
import type { Database, SegmentSchedulesTable } from './database.js';
import { fromJsonStringArray, rowCount } from './stored-values.js';

function toRecord(row: Selectable<SegmentSchedulesTable>): SegmentScheduleRecord {
  return {
    id: row.id, sandboxId: row.sandbox_id, name: row.name, type: row.type, segments: fromJsonStringArray(row.segments), cron: row.cron,
    state: row.state, firedThrough: row.fired_through, lastFiredAt: row.last_fired_at, lastRunId: row.last_run_id,
    createdAt: row.created_at, updatedAt: row.updated_at, createdBy: row.created_by, updatedBy: row.updated_by,
  };
}

function toChanges(patch: SegmentSchedulePatch): Updateable<SegmentSchedulesTable> {
  const changes: Updateable<SegmentSchedulesTable> = { updated_at: patch.updatedAt, updated_by: patch.updatedBy };
  if (patch.name !== undefined) changes.name = patch.name;
  if (patch.segments !== undefined) changes.segments = JSON.stringify(patch.segments);
  if (patch.cron !== undefined) changes.cron = patch.cron;
  if (patch.state !== undefined) changes.state = patch.state;
  if (patch.firedThrough !== undefined) changes.fired_through = patch.firedThrough;
  return changes;
}

/** {@link SegmentScheduleRepository} for one sandbox. */
export class KyselySegmentScheduleRepository implements SegmentScheduleRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly sandboxId: string,
  ) {}

  private inSandbox() {
    return this.db.selectFrom('segment_schedules').where('sandbox_id', '=', this.sandboxId);
  }

  async create(schedule: Omit<SegmentScheduleRecord, 'sandboxId'>): Promise<void> {
    const row: Insertable<SegmentSchedulesTable> = {
      id: schedule.id, sandbox_id: this.sandboxId, name: schedule.name, type: schedule.type, segments: JSON.stringify(schedule.segments),
      cron: schedule.cron, state: schedule.state, fired_through: schedule.firedThrough, last_fired_at: schedule.lastFiredAt,
      last_run_id: schedule.lastRunId, created_at: schedule.createdAt, updated_at: schedule.updatedAt, created_by: schedule.createdBy,
      updated_by: schedule.updatedBy,
    };
    await failOnConflict(() => this.db.insertInto('segment_schedules').values(row).execute());
  }

  async get(id: string): Promise<SegmentScheduleRecord | undefined> {
    const row = await this.inSandbox().selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : toRecord(row);
  }

  async find(): Promise<SegmentScheduleRecord | undefined> {
    const row = await this.inSandbox().selectAll().executeTakeFirst();
    return row === undefined ? undefined : toRecord(row);
  }

  async update(id: string, patch: SegmentSchedulePatch): Promise<SegmentScheduleRecord | undefined> {
    const row = await this.db.updateTable('segment_schedules').set(toChanges(patch))
      .where('id', '=', id).where('sandbox_id', '=', this.sandboxId).returningAll().executeTakeFirst();
    return row === undefined ? undefined : toRecord(row);
  }

  async recordFiring(id: string, expectedFiredThrough: number, firing: SegmentScheduleFiring): Promise<boolean> {
    const result = await this.db.updateTable('segment_schedules')
      .set({ fired_through: firing.occurrence, last_fired_at: firing.occurrence, last_run_id: firing.runId })
      .where('id', '=', id).where('sandbox_id', '=', this.sandboxId)
      .where('state', '=', 'active').where('fired_through', '=', expectedFiredThrough)
      .executeTakeFirst();
    return rowCount(result.numUpdatedRows) === 1;
  }

  async undoFiring(id: string, firing: SegmentScheduleFiring, previous: Pick<SegmentScheduleRecord, 'firedThrough' | 'lastFiredAt' | 'lastRunId'>): Promise<boolean> {
    const result = await this.db.updateTable('segment_schedules')
      .set({ fired_through: previous.firedThrough, last_fired_at: previous.lastFiredAt, last_run_id: previous.lastRunId })
      .where('id', '=', id).where('sandbox_id', '=', this.sandboxId)
      .where('fired_through', '=', firing.occurrence).where('last_run_id', '=', firing.runId)
      .executeTakeFirst();
    return rowCount(result.numUpdatedRows) === 1;
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('segment_schedules').where('id', '=', id).where('sandbox_id', '=', this.sandboxId).executeTakeFirst();
    return rowCount(result.numDeletedRows) === 1;
  }

  async deleteAll(): Promise<number> {
    const result = await this.db.deleteFrom('segment_schedules').where('sandbox_id', '=', this.sandboxId).executeTakeFirst();
    return rowCount(result.numDeletedRows);
  }
}

/** {@link SegmentScheduleDirectory} over `segment_schedules` joined to live sandboxes. */
export class KyselySegmentScheduleDirectory implements SegmentScheduleDirectory {
  constructor(private readonly db: Kysely<Database>) {}

  async listActive(): Promise<readonly SegmentScheduleRecord[]> {
    const rows = await this.db.selectFrom('segment_schedules')
      .innerJoin('sandboxes', 'sandboxes.id', 'segment_schedules.sandbox_id')
      .selectAll('segment_schedules')
      .where('segment_schedules.state', '=', 'active').where('sandboxes.state', '<>', 'deleted')
      .orderBy('segment_schedules.sandbox_id').execute();
    return rows.map(toRecord);
  }
}
