// The scheduler's pure decision on a fake clock: due occurrences in UTC, month ends, leap days, catch-up without bursts.
import { describe, expect, it } from 'vitest';
import { dueFiring } from './due-firing.js';
import { parseQuartzCron } from './quartz-cron.js';

const at = (iso: string) => Date.parse(iso);

describe('dueFiring', () => {
  it.each([
    // [cron, firedThrough, now, expected due occurrence or null]
    ['0 0 1 * * ?', '2025-01-01T00:00:00Z', '2025-01-01T00:59:59.999Z', null],
    ['0 0 1 * * ?', '2025-01-01T00:00:00Z', '2025-01-01T01:00:00Z', '2025-01-01T01:00:00Z'],
    ['0 0 1 * * ?', '2025-01-01T01:00:00Z', '2025-01-01T01:00:00Z', null],
    ['0 0 1 * * ?', '2025-01-01T01:00:00Z', '2025-01-02T00:59:59Z', null],
    ['0 0 1 * * ?', '2025-01-01T01:00:00Z', '2025-01-02T01:00:14Z', '2025-01-02T01:00:00Z'],
    // Downtime: one catch-up firing for the latest missed occurrence (Jan 5), not five.
    ['0 0 1 * * ?', '2025-01-01T01:00:00Z', '2025-01-05T12:00:00Z', '2025-01-05T01:00:00Z'],
    ['0 0 1 * * ?', '2025-01-05T01:00:00Z', '2025-01-05T12:00:15Z', null],
    // Month ends: the 31st skips short months.
    ['0 0 2 31 * ?', '2025-01-31T02:00:00Z', '2025-03-30T23:59:59Z', null],
    ['0 0 2 31 * ?', '2025-01-31T02:00:00Z', '2025-04-01T00:00:00Z', '2025-03-31T02:00:00Z'],
    // L = last day of the month, leap and common years.
    ['0 0 3 L * ?', '2024-01-31T03:00:00Z', '2024-02-29T03:00:00Z', '2024-02-29T03:00:00Z'],
    ['0 0 3 L * ?', '2023-01-31T03:00:00Z', '2023-02-28T03:00:00Z', '2023-02-28T03:00:00Z'],
    ['0 0 3 L * ?', '2023-01-31T03:00:00Z', '2023-02-27T23:00:00Z', null],
    // Leap day only: nothing for years, then exactly Feb 29; catch-up across years finds the latest one.
    ['0 0 0 29 2 ?', '2024-02-29T00:00:00Z', '2027-06-01T00:00:00Z', null],
    ['0 0 0 29 2 ?', '2024-02-29T00:00:00Z', '2028-02-29T00:00:00Z', '2028-02-29T00:00:00Z'],
    ['0 0 0 29 2 ?', '2019-03-01T00:00:00Z', '2025-01-01T00:00:00Z', '2024-02-29T00:00:00Z'],
    // UTC has no DST: 02:30 exists on the European (Mar 30) and US (Mar 9) spring-forward days.
    ['0 30 2 * * ?', '2025-03-29T02:30:00Z', '2025-03-30T02:30:00Z', '2025-03-30T02:30:00Z'],
    ['0 30 2 * * ?', '2025-03-08T02:30:00Z', '2025-03-09T02:30:00Z', '2025-03-09T02:30:00Z'],
    ['0 30 1 * * ?', '2025-10-25T01:30:00Z', '2025-10-26T03:00:00Z', '2025-10-26T01:30:00Z'],
    // Weekdays (Quartz numbering: 2 = Monday) and a year field.
    ['0 0 6 ? * 2', '2025-01-01T00:00:00Z', '2025-01-12T00:00:00Z', '2025-01-06T06:00:00Z'],
    ['0 0 1 1 1 ? 2030', '2025-01-01T00:00:00Z', '2029-12-31T23:59:59Z', null],
    ['0 0 1 1 1 ? 2030', '2025-01-01T00:00:00Z', '2031-06-01T00:00:00Z', '2030-01-01T01:00:00Z'],
  ])('%s handled through %s, at %s → %s', (cron, firedThrough, now, expected) => {
    const due = dueFiring({ state: 'active', cron: parseQuartzCron(cron), firedThrough: at(firedThrough) }, at(now));
    expect(due).toBe(expected === null ? undefined : at(expected));
  });

  it('never fires an inactive schedule, however late', () => {
    const cron = parseQuartzCron('0 0 1 * * ?');
    expect(dueFiring({ state: 'inactive', cron, firedThrough: at('2025-01-01T00:00:00Z') }, at('2025-02-01T00:00:00Z'))).toBeUndefined();
  });

  it('walks a fake clock through a month firing each day exactly once, at its occurrence', () => {
    const cron = parseQuartzCron('0 0 1 * * ?');
    let firedThrough = at('2025-01-31T12:00:00Z');
    const fired: string[] = [];
    for (let now = firedThrough; now <= at('2025-03-01T12:00:00Z'); now += 15_000) {
      const due = dueFiring({ state: 'active', cron, firedThrough }, now);
      if (due !== undefined) {
        fired.push(new Date(due).toISOString());
        firedThrough = due;
      }
    }
    const expected = Array.from({ length: 29 }, (_, day) => new Date(Date.UTC(2025, 1, 1 + day, 1)).toISOString());
    expect(fired).toEqual(expected);
  });
});
