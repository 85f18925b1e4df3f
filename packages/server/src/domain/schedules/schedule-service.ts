// The batch segmentation schedule of a sandbox (SPEC §5.8): created with the sandbox, at most one, validated on every write.
import { AppError } from '../../errors.js';
import { StoreConflictError, type SandboxScopedStore, type SegmentScheduleRecord, type SegmentScheduleState } from '../../storage/store.js';
import type { Clock, IdGenerator } from '../runtime.js';
import { parseQuartzCron } from './quartz-cron.js';

export type SegmentSchedule = SegmentScheduleRecord;

export const DEFAULT_SCHEDULE_NAME = 'profile-default';
export const ALL_PUBLISHED = '*';
export const ONE_SCHEDULE_MESSAGE = 'Only one batch_segmentation schedule is allowed per sandbox';
export const EXPORT_TYPE_MESSAGE = 'Schedule type export is not supported';
/** Bounds on what a client can make us store. */
export const MAX_SCHEDULE_SEGMENTS = 1_500;
export const MAX_SEGMENT_ID_LENGTH = 100;
export const MAX_SCHEDULE_NAME_LENGTH = 200;

/** What a client sends (POST body, or the PATCHed schedule); unchecked values. */
export interface ScheduleInput {
  readonly name?: unknown;
  readonly type?: unknown;
  readonly segments?: unknown;
  readonly cron?: unknown;
  readonly state?: unknown;
}

type Validated = Pick<SegmentScheduleRecord, 'name' | 'segments' | 'cron' | 'state'>;

export const scheduleNotFound = (id: string) => new AppError('NOT_FOUND', `Schedule ${id} not found`);

function shown(value: unknown): string {
  return value === undefined ? 'nothing' : JSON.stringify(value);
}

function validateSegments(value: unknown, problems: string[]): readonly string[] {
  const hint = `properties.segments must be a list of 1 to ${MAX_SCHEDULE_SEGMENTS} audience ids, or ["*"] for every published audience`;
  if (value === undefined) return [ALL_PUBLISHED];
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_SCHEDULE_SEGMENTS) {
    problems.push(`${hint}; got ${Array.isArray(value) ? `${value.length} entries` : shown(value)}`);
    return [];
  }
  const bad: unknown = (value as unknown[]).find((id) => typeof id !== 'string' || id.trim() === '' || id.length > MAX_SEGMENT_ID_LENGTH);
  if (bad !== undefined) problems.push(`properties.segments: every entry must be an audience id of 1 to ${MAX_SEGMENT_ID_LENGTH} characters, got ${shown(bad)}`);
  else if (value.includes(ALL_PUBLISHED) && value.length > 1) problems.push('properties.segments: "*" (every published audience) cannot be combined with audience ids');
  return [...new Set(value as string[])];
}

export class SegmentScheduleService {
  constructor(private readonly deps: { clock: Clock; ids: IdGenerator; defaultCron: string }) {}

  /** Creates the sandbox's default schedule (active, default cron) unless it has one: the sandbox creation hook. */
  async ensureDefault(scope: SandboxScopedStore): Promise<void> {
    if ((await scope.schedules.find()) !== undefined) return;
    const now = this.deps.clock.now();
    try {
      await scope.schedules.create({
        id: this.deps.ids.uuid(), name: DEFAULT_SCHEDULE_NAME, type: 'batch_segmentation', segments: [ALL_PUBLISHED], cron: this.deps.defaultCron,
        state: 'active', firedThrough: now, lastFiredAt: null, lastRunId: null, createdAt: now, updatedAt: now, createdBy: 'system', updatedBy: 'system',
      });
    } catch (error) {
      // A concurrent call created it first: the sandbox has its schedule either way.
      if (!(error instanceof StoreConflictError)) throw error;
    }
  }

  async list(scope: SandboxScopedStore): Promise<SegmentSchedule[]> {
    const schedule = await scope.schedules.find();
    return schedule === undefined ? [] : [schedule];
  }

  async get(scope: SandboxScopedStore, id: string): Promise<SegmentSchedule> {
    const schedule = await scope.schedules.get(id);
    if (schedule === undefined) throw scheduleNotFound(id);
    return schedule;
  }

  /** POST: only when the sandbox has none; `state` defaults to inactive. */
  async create(scope: SandboxScopedStore, input: ScheduleInput, by: string): Promise<SegmentSchedule> {
    const validated = this.validate({ ...input, state: input.state ?? 'inactive' });
    if ((await scope.schedules.find()) !== undefined) throw new AppError('BAD_REQUEST', ONE_SCHEDULE_MESSAGE);
    const now = this.deps.clock.now();
    const schedule = {
      ...validated, id: this.deps.ids.uuid(), type: 'batch_segmentation' as const, firedThrough: now, lastFiredAt: null, lastRunId: null,
      createdAt: now, updatedAt: now, createdBy: by, updatedBy: by,
    };
    try {
      await scope.schedules.create(schedule);
    } catch (error) {
      if (error instanceof StoreConflictError) throw new AppError('BAD_REQUEST', ONE_SCHEDULE_MESSAGE, { cause: error });
      throw error;
    }
    return { ...schedule, sandboxId: scope.sandboxId };
  }

  /**
   * Replaces the patchable fields (PATCH, after its operations are applied). A new cron or an activation starts
   * from now: occurrences before it are not caught up.
   */
  async update(scope: SandboxScopedStore, id: string, input: ScheduleInput, by: string): Promise<SegmentSchedule> {
    const current = await this.get(scope, id);
    const validated = this.validate({ ...input, type: 'batch_segmentation' });
    const now = this.deps.clock.now();
    const restarts = validated.cron !== current.cron || (validated.state === 'active' && current.state !== 'active');
    const updated = await scope.schedules.update(id, { ...validated, ...(restarts ? { firedThrough: now } : {}), updatedAt: now, updatedBy: by });
    if (updated === undefined) throw scheduleNotFound(id);
    return updated;
  }

  async delete(scope: SandboxScopedStore, id: string): Promise<void> {
    if (!(await scope.schedules.delete(id))) throw scheduleNotFound(id);
  }

  /** Sandbox reset/delete: the schedule goes with everything else (reset recreates the default). */
  async clear(scope: SandboxScopedStore): Promise<void> {
    await scope.schedules.deleteAll();
  }

  private validate(input: ScheduleInput): Validated {
    if (input.type === 'export') throw new AppError('VALIDATION', EXPORT_TYPE_MESSAGE);
    const problems: string[] = [];
    if (input.type !== 'batch_segmentation') problems.push(`type must be batch_segmentation, got ${shown(input.type)}`);
    const name = typeof input.name === 'string' ? input.name.trim() : '';
    if (name === '' || name.length > MAX_SCHEDULE_NAME_LENGTH) problems.push(`name must be a non-blank string of at most ${MAX_SCHEDULE_NAME_LENGTH} characters, got ${shown(input.name)}`);
    if (input.state !== 'active' && input.state !== 'inactive') problems.push(`state must be active or inactive, got ${shown(input.state)}`);
    const segments = validateSegments(input.segments, problems);
    if (typeof input.cron !== 'string') problems.push(`schedule must be a Quartz cron expression such as "0 0 1 * * ?", got ${shown(input.cron)}`);
    if (problems.length > 0) throw new AppError('VALIDATION', problems.join('; '));
    // Cron last: its messages (e.g. the once-per-24-hours rule) are exact SPEC text, not joined with others.
    parseQuartzCron(input.cron as string, this.deps.clock.now());
    return { name, segments, cron: (input.cron as string).trim(), state: input.state as SegmentScheduleState };
  }
}
