// Quartz expression validation: what is accepted, and the exact message for each kind of mistake.
import { describe, expect, it } from 'vitest';
import { AppError } from '../../errors.js';
import { ONCE_PER_DAY_MESSAGE, parseQuartzCron } from './quartz-cron.js';

const NOW = Date.UTC(2026, 0, 15, 9, 0, 0);

function messageOf(text: string): string {
  try {
    parseQuartzCron(text, NOW);
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('VALIDATION');
    return (error as AppError).message;
  }
  throw new Error(`'${text}' was accepted`);
}

describe('parseQuartzCron', () => {
  it.each([
    ['0 0 1 * * ?', Date.UTC(2026, 0, 16, 1)],
    ['0 15 10 ? * MON-FRI', Date.UTC(2026, 0, 15, 10, 15)],
    ['0 0 12 L * ?', Date.UTC(2026, 0, 31, 12)],
    ['0 0 12 ? * 6L', Date.UTC(2026, 0, 30, 12)], // last Friday of January 2026
    ['0 0 12 ? * 6#3', Date.UTC(2026, 0, 16, 12)], // third Friday
    ['0 0 12 ? * 2', Date.UTC(2026, 0, 19, 12)], // Quartz 2 = Monday
    ['0 0 0 29 2 ?', Date.UTC(2028, 1, 29)],
    ['0 0 1 1/10 * ?', Date.UTC(2026, 0, 21, 1)],
    ['0 0 1 * * ? 2027', Date.UTC(2027, 0, 1, 1)],
    ['  59 59 23 * * *  ', Date.UTC(2026, 0, 15, 23, 59, 59)],
  ])('accepts %j (next firing after now computed by hand)', (text, next) => {
    expect(parseQuartzCron(text, NOW).nextAfter(NOW)).toBe(next);
  });

  it.each([
    '0 */5 * * * ?', '0 0 1,13 * * ?', '* 0 1 * * ?', '0 0 0-23 * * ?', '0 0 */2 * * ?', '0 0 ? * * ?', '0 0 1/1 * * ?', '0 0 01x * * ?',
  ])('refuses %j: more than once a day', (text) => {
    expect(messageOf(text)).toBe(ONCE_PER_DAY_MESSAGE);
  });

  it.each([
    ['0 0 1 * *', "Invalid cron expression '0 0 1 * *': expected 6 or 7 space-separated fields (seconds minutes hours day-of-month month day-of-week [year]), got 5; e.g. '0 0 1 * * ?' fires at 01:00 UTC daily"],
    ['', "Invalid cron expression '': expected 6 or 7 space-separated fields (seconds minutes hours day-of-month month day-of-week [year]), got 0; e.g. '0 0 1 * * ?' fires at 01:00 UTC daily"],
    ['0 0 1 * * ? * *', "Invalid cron expression '0 0 1 * * ? * *': expected 6 or 7 space-separated fields (seconds minutes hours day-of-month month day-of-week [year]), got 8; e.g. '0 0 1 * * ?' fires at 01:00 UTC daily"],
    ['0 0 24 * * ?', "Invalid cron expression '0 0 24 * * ?': hours must be from 0 to 23, got 24"],
    ['60 0 1 * * ?', "Invalid cron expression '60 0 1 * * ?': seconds must be from 0 to 59, got 60"],
    ['0 0 1 32 * ?', "Invalid cron expression '0 0 1 32 * ?': day-of-month must be from 1 to 31, got 32"],
    ['0 0 1 0 * ?', "Invalid cron expression '0 0 1 0 * ?': day-of-month must be from 1 to 31, got 0"],
    ['0 0 1 * 13 ?', "Invalid cron expression '0 0 1 * 13 ?': month must be from 1 to 12, got 13"],
    ['0 0 1 ? * 8', "Invalid cron expression '0 0 1 ? * 8': day-of-week must be from 1 to 7, got 8"],
    ['0 0 1 ? * 0', "Invalid cron expression '0 0 1 ? * 0': day-of-week must be from 1 to 7, got 0"],
    ['0 0 1 * * ? 2100', "Invalid cron expression '0 0 1 * * ? 2100': year must be from 1970 to 2099, got 2100"],
    ['0 0 1 ? * ?', "Invalid cron expression '0 0 1 ? * ?': day-of-month and day-of-week cannot both be '?'; use '*' in one of them"],
    ['0 0 1 15 * 2', "Invalid cron expression '0 0 1 15 * 2': day-of-month and day-of-week cannot both be set; put '?' in one of them"],
    ['0 0 1 * ? *', "Invalid cron expression '0 0 1 * ? *': '?' is allowed only in day-of-month or day-of-week, not in month"],
    ['0 0 1 1/0 * ?', "Invalid cron expression '0 0 1 1/0 * ?': day-of-month step must be a positive integer, got '0'"],
    ['0 0 1 1,,2 * ?', "Invalid cron expression '0 0 1 1,,2 * ?': day-of-month has an empty list item"],
    ['0 0 1 31 2 ?', "Invalid cron expression '0 0 1 31 2 ?': it never fires after 2026-01-15T09:00:00.000Z"],
    ['0 0 1 * * ? 2020', "Invalid cron expression '0 0 1 * * ? 2020': it never fires after 2026-01-15T09:00:00.000Z"],
  ])('refuses %j saying what is wrong', (text, message) => {
    expect(messageOf(text)).toBe(message);
  });

  it('reports what the cron parser found for other mistakes, and bounds the length', () => {
    expect(messageOf('0 0 1 * JUNK ?')).toMatch(/^Invalid cron expression '0 0 1 \* JUNK \?': .+/);
    expect(messageOf(`0 0 1 * * ? ${'1'.repeat(300)}`)).toBe('Invalid cron expression: at most 200 characters');
  });

  it('parses a stored expression that no longer fires without refusing it', () => {
    const past = parseQuartzCron('0 0 1 * * ? 2020');
    expect(past.nextAfter(NOW)).toBeUndefined();
    expect(past.latestAtOrBefore(NOW)).toBe(Date.UTC(2020, 11, 31, 1));
  });
});
