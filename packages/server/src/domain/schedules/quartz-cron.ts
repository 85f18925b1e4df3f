// Quartz cron expressions of the batch segmentation schedule (SPEC §5.8): validation with precise messages, UTC occurrences.
import { Cron } from 'croner';
import { AppError } from '../../errors.js';

/** SPEC §5.8: seconds, minutes and hours must each be one number, so a schedule fires at most once a day. */
export const ONCE_PER_DAY_MESSAGE = 'Jobs can only be scheduled once per 24 hours';
/** Longer text is refused before it is parsed. */
export const MAX_CRON_LENGTH = 200;

const FIELD_NAMES = ['seconds', 'minutes', 'hours', 'day-of-month', 'month', 'day-of-week', 'year'] as const;
const RANGES: Readonly<Record<(typeof FIELD_NAMES)[number], readonly [number, number]>> = {
  seconds: [0, 59], minutes: [0, 59], hours: [0, 23], 'day-of-month': [1, 31], month: [1, 12], 'day-of-week': [1, 7], year: [1970, 2099],
};
const SINGLE_NUMBER = /^\d{1,2}$/;
/** A field without `?`, `*` or steps that names specific days (for the day-of-month/day-of-week rule). */
const isUnspecified = (field: string) => field === '?' || field === '*';

/** A parsed, valid schedule expression: occurrences in UTC, to the second. */
export interface QuartzCron {
  readonly text: string;
  /** The latest occurrence at or before `time` (epoch ms), or undefined when none. */
  latestAtOrBefore(time: number): number | undefined;
  /** The first occurrence strictly after `time` (epoch ms), or undefined when none. */
  nextAfter(time: number): number | undefined;
}

function invalid(text: string, detail: string): AppError {
  return new AppError('VALIDATION', `Invalid cron expression '${text}': ${detail}`);
}

/** Plain numbers in a field (outside names and the L/W/# suffixes), checked against the field's range. */
function checkNumbers(text: string, name: (typeof FIELD_NAMES)[number], field: string): void {
  const [min, max] = RANGES[name];
  for (const item of field.split(',')) {
    if (item === '') throw invalid(text, `${name} has an empty list item`);
    const [base = '', step, extra] = item.split('/');
    if (extra !== undefined) throw invalid(text, `${name} has more than one '/' in '${item}'`);
    if (step !== undefined && !/^[1-9]\d*$/.test(step)) throw invalid(text, `${name} step must be a positive integer, got '${step}'`);
    const ends = name === 'day-of-week' ? base.split('#')[0]?.replace(/L$/, '').split('-') ?? [] : base.replace(/W$/, '').split('-');
    for (const end of ends) {
      if (/^\d+$/.test(end) && (Number(end) < min || Number(end) > max)) throw invalid(text, `${name} must be from ${min} to ${max}, got ${end}`);
    }
  }
}

/** Quartz `5L` (last Friday of the month) in croner's spelling `5#L`. */
const toCronerDayOfWeek = (field: string) => field.split(',').map((item) => item.replace(/^(\d)L$/, '$1#L')).join(',');

/**
 * Parses and validates a Quartz expression `sec min hour day-of-month month day-of-week [year]` (UTC).
 * Throws VALIDATION (400) saying what is wrong; sub-daily schedules get SPEC's exact message.
 * With `now` (a client's new expression), an expression that never fires after it is refused too; stored
 * expressions are parsed without it.
 * @example parseQuartzCron('0 0 1 * * ?', Date.now()).nextAfter(Date.UTC(2025, 0, 1)) // Date.UTC(2025, 0, 1, 1)
 */
export function parseQuartzCron(text: string, now?: number): QuartzCron {
  if (text.length > MAX_CRON_LENGTH) throw new AppError('VALIDATION', `Invalid cron expression: at most ${MAX_CRON_LENGTH} characters`);
  const fields = text.trim().split(/\s+/);
  if (text.trim() === '' || fields.length < 6 || fields.length > 7) {
    throw invalid(text, `expected 6 or 7 space-separated fields (seconds minutes hours day-of-month month day-of-week [year]), got ${text.trim() === '' ? 0 : fields.length}; e.g. '0 0 1 * * ?' fires at 01:00 UTC daily`);
  }
  const [seconds = '', minutes = '', hours = '', dayOfMonth = '', month = '', dayOfWeek = '', year] = fields;
  if (![seconds, minutes, hours].every((field) => SINGLE_NUMBER.test(field))) throw new AppError('VALIDATION', ONCE_PER_DAY_MESSAGE);
  fields.forEach((field, index) => {
    const name = FIELD_NAMES[index] ?? 'year';
    if (field === '?' && name !== 'day-of-month' && name !== 'day-of-week') throw invalid(text, `'?' is allowed only in day-of-month or day-of-week, not in ${name}`);
    checkNumbers(text, name, field);
  });
  if (dayOfMonth === '?' && dayOfWeek === '?') throw invalid(text, "day-of-month and day-of-week cannot both be '?'; use '*' in one of them");
  if (!isUnspecified(dayOfMonth) && !isUnspecified(dayOfWeek)) {
    throw invalid(text, "day-of-month and day-of-week cannot both be set; put '?' in one of them");
  }
  let cron: Cron;
  try {
    const pattern = [seconds, minutes, hours, dayOfMonth, month, toCronerDayOfWeek(dayOfWeek), ...(year === undefined ? [] : [year])].join(' ');
    // Quartz `start/step` (e.g. `1/10` = 1, 11, 21, 31) is croner's "sloppy" stepping.
    cron = new Cron(pattern, { timezone: 'UTC', mode: '6-or-7-parts', alternativeWeekdays: true, sloppyRanges: true, paused: true });
  } catch (error) {
    throw invalid(text, (error instanceof Error ? error.message : String(error)).replace(/^CronPattern: /, ''));
  }
  const parsed: QuartzCron = {
    text,
    latestAtOrBefore: (time) => cron.previousRuns(1, new Date(time + 1))[0]?.getTime(),
    nextAfter: (time) => cron.nextRun(new Date(time))?.getTime() ?? undefined,
  };
  if (now !== undefined && parsed.nextAfter(now) === undefined) throw invalid(text, `it never fires after ${new Date(now).toISOString()}`);
  return parsed;
}
