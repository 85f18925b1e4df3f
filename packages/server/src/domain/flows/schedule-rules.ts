// Rules of an audience's export schedule (SPEC §8.1): frequencies per export mode, trigger types, dates and times.

import type { AudienceSchedule, ExportMode, Frequency, TriggerType } from './flow-types.js';

/** The frequencies each export mode allows (SPEC §8.1). */
export const FREQUENCIES_BY_EXPORT_MODE: Readonly<Record<ExportMode, readonly Frequency[]>> = {
  DAILY_FULL_EXPORT: ['ONCE', 'DAILY', 'WEEKLY', 'MONTHLY'],
  FIRST_FULL_THEN_INCREMENTAL: ['DAILY', 'EVERY_3_HOURS', 'EVERY_6_HOURS', 'EVERY_8_HOURS', 'EVERY_12_HOURS'],
};

// Keyed tables so that a new Frequency or TriggerType breaks the build until it is listed here.
const KNOWN_FREQUENCIES: Readonly<Record<Frequency, true>> = {
  ONCE: true, DAILY: true, WEEKLY: true, MONTHLY: true, EVERY_3_HOURS: true, EVERY_6_HOURS: true, EVERY_8_HOURS: true, EVERY_12_HOURS: true,
};
const KNOWN_TRIGGER_TYPES: Readonly<Record<TriggerType, true>> = { SCHEDULED: true, AFTER_SEGMENT_EVAL: true };

/** Frequencies that AFTER_SEGMENT_EVAL accepts (only with DAILY_FULL_EXPORT). */
const AFTER_SEGMENT_EVAL_FREQUENCIES: readonly Frequency[] = ['ONCE', 'DAILY'];

const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;
const TIME_PATTERN = /^(?:[01]\d|2[0-3]):[0-5]\d$/;

/**
 * A schedule as received, before its vocabulary is known to be valid: every field is an optional string, so
 * values such as `CHAINED` can be judged. An {@link AudienceSchedule} is assignable to it.
 */
export interface ScheduleFields {
  readonly frequency?: string | undefined;
  readonly triggerType?: string | undefined;
  readonly startDate?: string | undefined;
  readonly endDate?: string | undefined;
  readonly startTime?: string | undefined;
}

/** How {@link checkSchedule} judges a schedule. */
export interface ScheduleCheckOptions {
  /** Where the schedule sits, used as the prefix of every problem, e.g. `segmentSelectors.selectors[1].value.schedule`. */
  readonly where: string;
  /** The current time (epoch ms); today is its UTC date. */
  readonly now: number;
  /**
   * True when the schedule is added or changed. Only then must `startDate` not be before today and a ONCE
   * occurrence be in the future: stored schedules are not re-judged against the clock.
   */
  readonly isNewOrChanged: boolean;
}

/** True for `DAILY_FULL_EXPORT` and `FIRST_FULL_THEN_INCREMENTAL`. */
export function isExportMode(value: unknown): value is ExportMode {
  return typeof value === 'string' && Object.hasOwn(FREQUENCIES_BY_EXPORT_MODE, value);
}

function isFrequency(value: string | undefined): value is Frequency {
  return value !== undefined && Object.hasOwn(KNOWN_FREQUENCIES, value);
}

function isTriggerType(value: string): value is TriggerType {
  return Object.hasOwn(KNOWN_TRIGGER_TYPES, value);
}

/**
 * Judges a schedule together with the export mode of its audience (SPEC §8.1) and returns one sentence per
 * problem (empty when valid), so that a caller can collect every problem of a flow.
 * An unknown `exportMode` is the caller's problem to report; the rules that depend on it are then skipped.
 *
 * @example checkSchedule({ frequency: 'WEEKLY', startDate: '2025-01-07', startTime: '06:00' }, 'DAILY_FULL_EXPORT', { where: 'schedule', now, isNewOrChanged: true })
 */
export function checkSchedule(schedule: ScheduleFields, exportMode: string, options: ScheduleCheckOptions): string[] {
  const { where } = options;
  const triggerType = schedule.triggerType ?? 'SCHEDULED';
  const problems = frequencyProblems(schedule.frequency, exportMode, where);
  if (!isTriggerType(triggerType)) {
    problems.push(`${where}.triggerType must be SCHEDULED or AFTER_SEGMENT_EVAL, got "${triggerType}"`);
  } else if (triggerType === 'AFTER_SEGMENT_EVAL' && isExportMode(exportMode) && isFrequency(schedule.frequency)
    && (exportMode !== 'DAILY_FULL_EXPORT' || !AFTER_SEGMENT_EVAL_FREQUENCIES.includes(schedule.frequency))) {
    problems.push(`${where}.triggerType AFTER_SEGMENT_EVAL is only allowed with exportMode DAILY_FULL_EXPORT and frequency ONCE or DAILY`);
  }
  problems.push(...dateProblems(schedule, options));
  if (triggerType === 'SCHEDULED') problems.push(...startTimeProblems(schedule, options));
  return problems;
}

function frequencyProblems(frequency: string | undefined, exportMode: string, where: string): string[] {
  if (frequency === undefined || frequency === '') return [`${where}.frequency is required`];
  if (frequency === 'CHAINED') {
    return [`${where}.frequency CHAINED is not supported, use frequency ONCE or DAILY with triggerType AFTER_SEGMENT_EVAL to export after each segment evaluation`];
  }
  if (!isFrequency(frequency)) {
    return [`${where}.frequency must be one of ${Object.keys(KNOWN_FREQUENCIES).join(', ')}, got "${frequency}"`];
  }
  if (isExportMode(exportMode) && !FREQUENCIES_BY_EXPORT_MODE[exportMode].includes(frequency)) {
    const allowed = FREQUENCIES_BY_EXPORT_MODE[exportMode].join(', ');
    return [`${where}.frequency ${frequency} is not allowed with exportMode ${exportMode} (allowed: ${allowed})`];
  }
  return [];
}

function dateProblems(schedule: ScheduleFields, options: ScheduleCheckOptions): string[] {
  const { where } = options;
  const { startDate, endDate } = schedule;
  const problems: string[] = [];
  const startDateProblem = calendarDateProblem(startDate, `${where}.startDate`);
  if (startDateProblem !== undefined) problems.push(startDateProblem);
  const today = utcDateOf(options.now);
  if (startDateProblem === undefined && options.isNewOrChanged && startDate !== undefined && startDate < today) {
    problems.push(`${where}.startDate ${startDate} must not be before today (${today} UTC)`);
  }
  if (endDate === undefined) return problems;
  if (schedule.frequency === 'ONCE') return [...problems, `${where}.endDate is not allowed with frequency ONCE`];
  const endDateProblem = endDate === '' ? `${where}.endDate must be a date YYYY-MM-DD, got ""` : calendarDateProblem(endDate, `${where}.endDate`);
  if (endDateProblem !== undefined) problems.push(endDateProblem);
  else if (startDateProblem === undefined && startDate !== undefined && endDate <= startDate) {
    problems.push(`${where}.endDate ${endDate} must be after startDate ${startDate}`);
  }
  return problems;
}

function startTimeProblems(schedule: ScheduleFields, options: ScheduleCheckOptions): string[] {
  const { where } = options;
  const { startTime, startDate } = schedule;
  if (startTime === undefined || startTime === '') return [`${where}.startTime is required for triggerType SCHEDULED`];
  if (!TIME_PATTERN.test(startTime)) return [`${where}.startTime must be HH:mm (00:00–23:59), got "${startTime}"`];
  const onceIsJudged = schedule.frequency === 'ONCE' && options.isNewOrChanged && startDate !== undefined && isCalendarDate(startDate);
  if (onceIsJudged && Date.parse(`${startDate}T${startTime}:00Z`) <= options.now) {
    return [`${where} of frequency ONCE must lie in the future, ${startDate} ${startTime} UTC has passed`];
  }
  return [];
}

function calendarDateProblem(value: string | undefined, where: string): string | undefined {
  if (value === undefined || value === '') return `${where} is required`;
  if (!DATE_PATTERN.test(value)) return `${where} must be a date YYYY-MM-DD, got "${value}"`;
  if (!isCalendarDate(value)) return `${where} ${value} is not a calendar date`;
  return undefined;
}

/** True for `YYYY-MM-DD` naming a day that exists (no 2025-02-30). */
function isCalendarDate(value: string): boolean {
  if (!DATE_PATTERN.test(value)) return false;
  const parsed = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().startsWith(value);
}

function utcDateOf(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10);
}

/**
 * The stored form of a schedule: `triggerType` defaults to SCHEDULED, `startTime` is dropped for
 * AFTER_SEGMENT_EVAL, absent optional fields are omitted. Undefined when `frequency` or `triggerType` is not a
 * known value (the schedule cannot be represented; {@link checkSchedule} says why).
 */
export function normalizeSchedule(schedule: ScheduleFields): AudienceSchedule | undefined {
  const triggerType = schedule.triggerType ?? 'SCHEDULED';
  if (!isFrequency(schedule.frequency) || !isTriggerType(triggerType)) return undefined;
  return {
    frequency: schedule.frequency,
    triggerType,
    startDate: schedule.startDate ?? '',
    ...(schedule.endDate === undefined ? {} : { endDate: schedule.endDate }),
    ...(schedule.startTime === undefined || triggerType === 'AFTER_SEGMENT_EVAL' ? {} : { startTime: schedule.startTime }),
  };
}

/** True when both schedules produce the same occurrences as stored (compared in their normalized form). */
export function isSameSchedule(left: AudienceSchedule, right: AudienceSchedule): boolean {
  const a = normalizeSchedule(left);
  const b = normalizeSchedule(right);
  return a !== undefined && b !== undefined && a.frequency === b.frequency && a.triggerType === b.triggerType
    && a.startDate === b.startDate && a.endDate === b.endDate && a.startTime === b.startTime;
}
