// The batch segmentation scheduler (SPEC §5.8): each tick fires the due schedules, one segment job per firing, never twice.
import { AppError } from '../../errors.js';
import type { SandboxScopedStore, SegmentScheduleRecord, Store } from '../../storage/store.js';
import type { Clock, IdGenerator } from '../runtime.js';
import { dueFiring } from './due-firing.js';
import { parseQuartzCron } from './quartz-cron.js';

/** Creates the `scheduler` segment job of a firing (the segment job service; it queues or merges per SPEC §5.8). */
export interface ScheduledJobLauncher {
  createScheduledJob(scope: SandboxScopedStore, requested: readonly string[], properties: { readonly scheduleId: string; readonly runId: string }): Promise<{ readonly id: string }>;
}

/** The name of the cross-process lock only one process ticks under. */
export const SCHEDULER_DUTY = 'segmentation-scheduler';

/** What a tick did, per schedule that was due (for logs and tests). */
export type SchedulerEvent =
  | { readonly type: 'fired'; readonly sandboxId: string; readonly scheduleId: string; readonly occurrence: number; readonly runId: string; readonly jobId: string }
  /** The job was refused for a reason a retry cannot fix (e.g. no audience left): the firing stays recorded. */
  | { readonly type: 'refused'; readonly sandboxId: string; readonly scheduleId: string; readonly occurrence: number; readonly runId: string; readonly error: AppError }
  /** The job could not be created (e.g. the database failed): the firing is undone and retried next tick. */
  | { readonly type: 'error'; readonly sandboxId: string; readonly scheduleId: string; readonly error: unknown }
  | { readonly type: 'invalid-cron'; readonly sandboxId: string; readonly scheduleId: string; readonly error: unknown };

export interface SegmentationSchedulerDeps {
  readonly store: Pick<Store, 'segmentSchedules' | 'sandbox' | 'runExclusive'>;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly launcher: ScheduledJobLauncher;
  readonly onEvent?: ((event: SchedulerEvent) => void) | undefined;
}

export class SegmentationScheduler {
  constructor(private readonly deps: SegmentationSchedulerDeps) {}

  /**
   * Fires every due schedule once, unless another process is ticking now (then does nothing: its tick covers
   * them). Resolves with what happened; `ran` is false when another process held the duty.
   */
  async tick(): Promise<{ readonly ran: boolean; readonly events: readonly SchedulerEvent[] }> {
    const outcome = await this.deps.store.runExclusive(SCHEDULER_DUTY, () => this.fireDue());
    return outcome.ran ? { ran: true, events: outcome.value } : { ran: false, events: [] };
  }

  private async fireDue(): Promise<SchedulerEvent[]> {
    const events: SchedulerEvent[] = [];
    const report = (event: SchedulerEvent) => {
      events.push(event);
      this.deps.onEvent?.(event);
    };
    for (const schedule of await this.deps.store.segmentSchedules.listActive()) {
      const event = await this.fireIfDue(schedule);
      if (event !== undefined) report(event);
    }
    return events;
  }

  /**
   * Records the firing first (compare-and-set on `firedThrough`, so two processes or a restart never fire one
   * occurrence twice), then creates the job; if that fails for a transient reason the record is undone.
   */
  private async fireIfDue(schedule: SegmentScheduleRecord): Promise<SchedulerEvent | undefined> {
    const { id: scheduleId, sandboxId } = schedule;
    let occurrence: number | undefined;
    try {
      occurrence = dueFiring({ state: schedule.state, cron: parseQuartzCron(schedule.cron), firedThrough: schedule.firedThrough }, this.deps.clock.now());
    } catch (error) {
      return { type: 'invalid-cron', sandboxId, scheduleId, error };
    }
    if (occurrence === undefined) return undefined;
    const scope = this.deps.store.sandbox(sandboxId);
    const firing = { occurrence, runId: this.deps.ids.uuid() };
    if (!(await scope.schedules.recordFiring(scheduleId, schedule.firedThrough, firing))) return undefined;
    try {
      const job = await this.deps.launcher.createScheduledJob(scope, schedule.segments, { scheduleId, runId: firing.runId });
      return { type: 'fired', sandboxId, scheduleId, occurrence, runId: firing.runId, jobId: job.id };
    } catch (error) {
      if (error instanceof AppError) return { type: 'refused', sandboxId, scheduleId, occurrence, runId: firing.runId, error };
      await scope.schedules.undoFiring(scheduleId, firing, schedule).catch(() => undefined);
      return { type: 'error', sandboxId, scheduleId, error };
    }
  }
}
