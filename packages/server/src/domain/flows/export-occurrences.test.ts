// SPEC §8.1 occurrences and the scheduler's one-run decision: the SPEC's examples as a table, then random schedules
// against a brute-force enumeration that walks the calendar day by day (an independent reading of the SPEC table).
import { describe, expect, it } from 'vitest';
import { decideScheduledRun, dueOccurrences } from './export-occurrences.js';
import type { AudienceSchedule, Frequency } from './flow-types.js';

const at = (iso: string) => Date.parse(`${iso}Z`);
const schedule = (frequency: Frequency, startDate: string, startTime: string, endDate?: string): AudienceSchedule => ({
  frequency, triggerType: 'SCHEDULED', startDate, startTime, ...(endDate === undefined ? {} : { endDate }),
});

/** Every occurrence up to `upTo`, by walking the calendar: the SPEC §8.1 table read literally. */
function enumerate(s: AudienceSchedule, upTo: number): number[] {
  const [hours, minutes] = (s.startTime ?? '00:00').split(':').map(Number) as [number, number];
  const start = at(`${s.startDate}T00:00:00`);
  const end = s.endDate === undefined ? Number.POSITIVE_INFINITY : at(`${s.endDate}T00:00:00`);
  const startDay = new Date(start).getUTCDate();
  const out: number[] = [];
  for (let day = start; day < end && day <= upTo; day += 86_400_000) {
    const date = new Date(day);
    const daysSinceStart = Math.round((day - start) / 86_400_000);
    const lastOfMonth = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate();
    const hoursOfDay = (n: number) => {
      // EVERY_N_HOURS: startDate T + k·N hours; on this day, the hours h with (days·24 + h − T) ≡ 0 (mod N) and after T.
      const result: number[] = [];
      for (let hour = 0; hour < 24; hour += 1) {
        const sinceFirst = daysSinceStart * 24 + hour - hours;
        if (sinceFirst >= 0 && sinceFirst % n === 0) result.push(hour);
      }
      return result;
    };
    const times: Record<Frequency, number[]> = {
      ONCE: daysSinceStart === 0 ? [hours] : [],
      DAILY: [hours],
      WEEKLY: daysSinceStart % 7 === 0 ? [hours] : [],
      MONTHLY: date.getUTCDate() === Math.min(startDay, lastOfMonth) ? [hours] : [],
      EVERY_3_HOURS: hoursOfDay(3),
      EVERY_6_HOURS: hoursOfDay(6),
      EVERY_8_HOURS: hoursOfDay(8),
      EVERY_12_HOURS: hoursOfDay(12),
    };
    for (const hour of times[s.frequency]) {
      const occurrence = day + hour * 3_600_000 + (hour === hours || s.frequency.startsWith('EVERY') ? minutes * 60_000 : 0);
      if (occurrence <= upTo) out.push(occurrence);
    }
  }
  return out;
}

describe('dueOccurrences', () => {
  it.each([
    ['ONCE at its start', schedule('ONCE', '2025-01-31', '06:00'), '2025-01-01T00:00:00', '2025-02-10T00:00:00', '2025-01-31T06:00:00', 1],
    ['DAILY from 01-31', schedule('DAILY', '2025-01-31', '06:00'), '2025-01-31T06:00:00', '2025-02-03T07:00:00', '2025-02-03T06:00:00', 3],
    ['WEEKLY on Fridays', schedule('WEEKLY', '2025-01-31', '06:00'), '2025-01-01T00:00:00', '2025-02-14T05:59:00', '2025-02-07T06:00:00', 2],
    ['MONTHLY on the 31st falls on 02-28', schedule('MONTHLY', '2025-01-31', '06:00'), '2025-01-31T06:00:00', '2025-03-01T00:00:00', '2025-02-28T06:00:00', 1],
    ['MONTHLY on the 31st falls on 04-30', schedule('MONTHLY', '2025-01-31', '06:00'), '2025-03-31T06:00:00', '2025-05-01T00:00:00', '2025-04-30T06:00:00', 1],
    ['MONTHLY on the 31st in a leap year falls on 02-29', schedule('MONTHLY', '2028-01-31', '06:00'), '2028-01-31T06:00:00', '2028-03-01T00:00:00', '2028-02-29T06:00:00', 1],
    ['MONTHLY on 02-29 comes back on 03-29', schedule('MONTHLY', '2028-02-29', '00:00'), '2028-02-29T00:00:00', '2028-03-30T00:00:00', '2028-03-29T00:00:00', 1],
    ['EVERY_8_HOURS across midnight', schedule('EVERY_8_HOURS', '2025-01-31', '06:00'), '2025-01-31T00:00:00', '2025-02-01T06:00:00', '2025-02-01T06:00:00', 4],
    ['DAILY with endDate exclusive: the last export on the day before', schedule('DAILY', '2025-01-04', '10:00', '2025-01-11'), '2025-01-01T00:00:00', '2025-02-01T00:00:00', '2025-01-10T10:00:00', 7],
    ['EVERY_12_HOURS stops before endDate', schedule('EVERY_12_HOURS', '2025-01-04', '18:00', '2025-01-05'), '2025-01-01T00:00:00', '2025-02-01T00:00:00', '2025-01-04T18:00:00', 1],
  ])('%s', (_what, s, after, upTo, latest, count) => {
    expect(dueOccurrences(s, at(after), at(upTo))).toEqual({ latest: at(latest), count });
  });

  it('finds nothing before the start, after a ONCE has passed, or for AFTER_SEGMENT_EVAL', () => {
    expect(dueOccurrences(schedule('DAILY', '2025-02-01', '06:00'), at('2025-01-01T00:00:00'), at('2025-02-01T05:59:59'))).toBeUndefined();
    expect(dueOccurrences(schedule('ONCE', '2025-02-01', '06:00'), at('2025-02-01T06:00:00'), at('2025-03-01T00:00:00'))).toBeUndefined();
    expect(dueOccurrences({ frequency: 'DAILY', triggerType: 'AFTER_SEGMENT_EVAL', startDate: '2025-01-01' }, 0, at('2026-01-01T00:00:00'))).toBeUndefined();
  });

  it('counts ten years of missed occurrences without walking them', () => {
    expect(dueOccurrences(schedule('EVERY_3_HOURS', '2020-01-01', '00:00'), 0, at('2029-12-31T21:00:00'))).toEqual({
      latest: at('2029-12-31T21:00:00'), count: ((Date.UTC(2030, 0, 1) - Date.UTC(2020, 0, 1)) / 3_600_000) / 3,
    });
  });

  it('agrees with a day-by-day walk of the calendar on 3,000 random schedules and windows', () => {
    let seed = 42;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const frequencies: Frequency[] = ['ONCE', 'DAILY', 'WEEKLY', 'MONTHLY', 'EVERY_3_HOURS', 'EVERY_6_HOURS', 'EVERY_8_HOURS', 'EVERY_12_HOURS'];
    for (let i = 0; i < 3_000; i += 1) {
      const startDay = Date.UTC(2027, 10, 1) + Math.floor(random() * 200) * 86_400_000;
      const startDate = new Date(startDay).toISOString().slice(0, 10);
      const startTime = `${String(Math.floor(random() * 24)).padStart(2, '0')}:${String(Math.floor(random() * 60)).padStart(2, '0')}`;
      const frequency = frequencies[Math.floor(random() * frequencies.length)] as Frequency;
      const endDate = frequency !== 'ONCE' && random() < 0.5 ? new Date(startDay + (1 + Math.floor(random() * 120)) * 86_400_000).toISOString().slice(0, 10) : undefined;
      const s = schedule(frequency, startDate, startTime, endDate);
      const after = startDay + Math.floor((random() - 0.2) * 90 * 86_400_000);
      const upTo = after + Math.floor(random() * 120 * 86_400_000);
      const expected = enumerate(s, upTo).filter((occurrence) => occurrence > after);
      const want = expected.length === 0 ? undefined : { latest: expected[expected.length - 1], count: expected.length };
      expect(dueOccurrences(s, after, upTo), JSON.stringify({ s, after: new Date(after), upTo: new Date(upTo) })).toEqual(want);
    }
  });
});

describe('decideScheduledRun', () => {
  const daily = schedule('DAILY', '2025-01-01', '06:00');

  it('creates an on-time SCHEDULED run for the one due occurrence up to 300 s late', () => {
    expect(decideScheduledRun(daily, at('2025-01-05T06:00:00'), at('2025-01-06T06:05:00'))).toEqual({ occurrence: at('2025-01-06T06:00:00'), trigger: 'SCHEDULED', skipped: 0 });
  });

  it('creates a CATCH_UP run when the one due occurrence is more than 300 s late', () => {
    expect(decideScheduledRun(daily, at('2025-01-05T06:00:00'), at('2025-01-06T06:05:01'))).toEqual({ occurrence: at('2025-01-06T06:00:00'), trigger: 'CATCH_UP', skipped: 0 });
  });

  it('after downtime creates one CATCH_UP run for the latest missed occurrence and skips the others, never a burst', () => {
    expect(decideScheduledRun(daily, at('2025-01-01T06:00:00'), at('2025-01-10T06:01:00'))).toEqual({ occurrence: at('2025-01-10T06:00:00'), trigger: 'CATCH_UP', skipped: 8 });
  });

  it('creates nothing when nothing is due since the watermark', () => {
    expect(decideScheduledRun(daily, at('2025-01-06T06:00:00'), at('2025-01-07T05:59:59'))).toBeUndefined();
  });
});
