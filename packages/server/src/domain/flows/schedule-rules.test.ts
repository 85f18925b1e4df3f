// Table-driven tests of the schedule rules of SPEC §8.1.

import { describe, expect, it } from 'vitest';
import type { AudienceSchedule } from './flow-types.js';
import { checkSchedule, isExportMode, isSameSchedule, normalizeSchedule, type ScheduleFields } from './schedule-rules.js';

/** 2025-01-07 05:00 UTC. */
const NOW = Date.UTC(2025, 0, 7, 5, 0);
const NEW = { where: 'schedule', now: NOW, isNewOrChanged: true } as const;
const STORED = { ...NEW, isNewOrChanged: false } as const;
const DAILY: ScheduleFields = { frequency: 'DAILY', triggerType: 'SCHEDULED', startDate: '2025-01-07', startTime: '06:00' };

describe('checkSchedule', () => {
  it.each<[string, ScheduleFields, string]>([
    ['a daily schedule starting today', DAILY, 'DAILY_FULL_EXPORT'],
    ['a schedule without triggerType (SCHEDULED is the default)', { frequency: 'WEEKLY', startDate: '2025-01-08', startTime: '00:00' }, 'DAILY_FULL_EXPORT'],
    ['a monthly schedule with an end date', { ...DAILY, frequency: 'MONTHLY', endDate: '2025-12-31' }, 'DAILY_FULL_EXPORT'],
    ['EVERY_8_HOURS for incremental exports at 23:59', { ...DAILY, frequency: 'EVERY_8_HOURS', startTime: '23:59' }, 'FIRST_FULL_THEN_INCREMENTAL'],
    ['DAILY for incremental exports', DAILY, 'FIRST_FULL_THEN_INCREMENTAL'],
    ['ONCE later today', { frequency: 'ONCE', startDate: '2025-01-07', startTime: '05:01' }, 'DAILY_FULL_EXPORT'],
    ['AFTER_SEGMENT_EVAL with DAILY and no start time', { frequency: 'DAILY', triggerType: 'AFTER_SEGMENT_EVAL', startDate: '2025-01-07' }, 'DAILY_FULL_EXPORT'],
    ['AFTER_SEGMENT_EVAL with ONCE today (no time to be in the future)', { frequency: 'ONCE', triggerType: 'AFTER_SEGMENT_EVAL', startDate: '2025-01-07' }, 'DAILY_FULL_EXPORT'],
    ['AFTER_SEGMENT_EVAL with an invalid start time, which is ignored', { frequency: 'DAILY', triggerType: 'AFTER_SEGMENT_EVAL', startDate: '2025-01-07', startTime: 'x' }, 'DAILY_FULL_EXPORT'],
    ['a leap day', { ...DAILY, startDate: '2028-02-29' }, 'DAILY_FULL_EXPORT'],
  ])('accepts %s', (_title, schedule, exportMode) => {
    expect(checkSchedule(schedule, exportMode, NEW)).toEqual([]);
  });

  it.each<[string, ScheduleFields, string, string[]]>([
    ['CHAINED, suggesting AFTER_SEGMENT_EVAL', { ...DAILY, frequency: 'CHAINED' }, 'DAILY_FULL_EXPORT',
      ['schedule.frequency CHAINED is not supported, use frequency ONCE or DAILY with triggerType AFTER_SEGMENT_EVAL to export after each segment evaluation']],
    ['an unknown frequency', { ...DAILY, frequency: 'HOURLY' }, 'DAILY_FULL_EXPORT',
      ['schedule.frequency must be one of ONCE, DAILY, WEEKLY, MONTHLY, EVERY_3_HOURS, EVERY_6_HOURS, EVERY_8_HOURS, EVERY_12_HOURS, got "HOURLY"']],
    ['a missing frequency', { ...DAILY, frequency: undefined }, 'DAILY_FULL_EXPORT', ['schedule.frequency is required']],
    ['hourly frequencies for full exports', { ...DAILY, frequency: 'EVERY_6_HOURS' }, 'DAILY_FULL_EXPORT',
      ['schedule.frequency EVERY_6_HOURS is not allowed with exportMode DAILY_FULL_EXPORT (allowed: ONCE, DAILY, WEEKLY, MONTHLY)']],
    ['WEEKLY for incremental exports', { ...DAILY, frequency: 'WEEKLY' }, 'FIRST_FULL_THEN_INCREMENTAL',
      ['schedule.frequency WEEKLY is not allowed with exportMode FIRST_FULL_THEN_INCREMENTAL (allowed: DAILY, EVERY_3_HOURS, EVERY_6_HOURS, EVERY_8_HOURS, EVERY_12_HOURS)']],
    ['ONCE for incremental exports', { frequency: 'ONCE', startDate: '2025-01-08', startTime: '06:00' }, 'FIRST_FULL_THEN_INCREMENTAL',
      ['schedule.frequency ONCE is not allowed with exportMode FIRST_FULL_THEN_INCREMENTAL (allowed: DAILY, EVERY_3_HOURS, EVERY_6_HOURS, EVERY_8_HOURS, EVERY_12_HOURS)']],
    ['an unknown trigger type', { ...DAILY, triggerType: 'ON_DEMAND' }, 'DAILY_FULL_EXPORT',
      ['schedule.triggerType must be SCHEDULED or AFTER_SEGMENT_EVAL, got "ON_DEMAND"']],
    ['AFTER_SEGMENT_EVAL with WEEKLY', { frequency: 'WEEKLY', triggerType: 'AFTER_SEGMENT_EVAL', startDate: '2025-01-07' }, 'DAILY_FULL_EXPORT',
      ['schedule.triggerType AFTER_SEGMENT_EVAL is only allowed with exportMode DAILY_FULL_EXPORT and frequency ONCE or DAILY']],
    ['AFTER_SEGMENT_EVAL with incremental exports', { frequency: 'DAILY', triggerType: 'AFTER_SEGMENT_EVAL', startDate: '2025-01-07' }, 'FIRST_FULL_THEN_INCREMENTAL',
      ['schedule.triggerType AFTER_SEGMENT_EVAL is only allowed with exportMode DAILY_FULL_EXPORT and frequency ONCE or DAILY']],
    ['a missing start date', { ...DAILY, startDate: undefined }, 'DAILY_FULL_EXPORT', ['schedule.startDate is required']],
    ['a start date in another format', { ...DAILY, startDate: '07/01/2025' }, 'DAILY_FULL_EXPORT', ['schedule.startDate must be a date YYYY-MM-DD, got "07/01/2025"']],
    ['a start date that does not exist', { ...DAILY, startDate: '2025-02-30' }, 'DAILY_FULL_EXPORT', ['schedule.startDate 2025-02-30 is not a calendar date']],
    ['a start date before today', { ...DAILY, startDate: '2025-01-06' }, 'DAILY_FULL_EXPORT', ['schedule.startDate 2025-01-06 must not be before today (2025-01-07 UTC)']],
    ['an end date equal to the start date', { ...DAILY, endDate: '2025-01-07' }, 'DAILY_FULL_EXPORT', ['schedule.endDate 2025-01-07 must be after startDate 2025-01-07']],
    ['an end date before the start date', { ...DAILY, endDate: '2025-01-01' }, 'DAILY_FULL_EXPORT', ['schedule.endDate 2025-01-01 must be after startDate 2025-01-07']],
    ['an end date that does not exist', { ...DAILY, endDate: '2025-13-01' }, 'DAILY_FULL_EXPORT', ['schedule.endDate 2025-13-01 is not a calendar date']],
    ['an empty end date', { ...DAILY, endDate: '' }, 'DAILY_FULL_EXPORT', ['schedule.endDate must be a date YYYY-MM-DD, got ""']],
    ['an end date with ONCE', { frequency: 'ONCE', startDate: '2025-01-08', endDate: '2025-01-09', startTime: '06:00' }, 'DAILY_FULL_EXPORT',
      ['schedule.endDate is not allowed with frequency ONCE']],
    ['a missing start time for SCHEDULED', { ...DAILY, startTime: undefined }, 'DAILY_FULL_EXPORT', ['schedule.startTime is required for triggerType SCHEDULED']],
    ['a start time of 24:00', { ...DAILY, startTime: '24:00' }, 'DAILY_FULL_EXPORT', ['schedule.startTime must be HH:mm (00:00–23:59), got "24:00"']],
    ['a start time without a leading zero', { ...DAILY, startTime: '6:00' }, 'DAILY_FULL_EXPORT', ['schedule.startTime must be HH:mm (00:00–23:59), got "6:00"']],
    ['a start time with seconds', { ...DAILY, startTime: '06:00:00' }, 'DAILY_FULL_EXPORT', ['schedule.startTime must be HH:mm (00:00–23:59), got "06:00:00"']],
    ['ONCE at the current minute', { frequency: 'ONCE', startDate: '2025-01-07', startTime: '05:00' }, 'DAILY_FULL_EXPORT',
      ['schedule of frequency ONCE must lie in the future, 2025-01-07 05:00 UTC has passed']],
    ['several problems at once', { frequency: 'CHAINED', startDate: '2025-1-7', endDate: '2025-01-01', startTime: '25:00' }, 'DAILY_FULL_EXPORT', [
      'schedule.frequency CHAINED is not supported, use frequency ONCE or DAILY with triggerType AFTER_SEGMENT_EVAL to export after each segment evaluation',
      'schedule.startDate must be a date YYYY-MM-DD, got "2025-1-7"',
      'schedule.startTime must be HH:mm (00:00–23:59), got "25:00"',
    ]],
  ])('refuses %s', (_title, schedule, exportMode, problems) => {
    expect(checkSchedule(schedule, exportMode, NEW)).toEqual(problems);
  });

  it('does not judge a stored (unchanged) schedule against the clock', () => {
    const pastOnce = { frequency: 'ONCE', startDate: '2024-12-01', startTime: '06:00' };
    expect(checkSchedule(pastOnce, 'DAILY_FULL_EXPORT', STORED)).toEqual([]);
    expect(checkSchedule({ ...DAILY, startDate: '2024-12-01' }, 'DAILY_FULL_EXPORT', STORED)).toEqual([]);
    expect(checkSchedule(pastOnce, 'DAILY_FULL_EXPORT', NEW)).toEqual([
      'schedule.startDate 2024-12-01 must not be before today (2025-01-07 UTC)',
      'schedule of frequency ONCE must lie in the future, 2024-12-01 06:00 UTC has passed',
    ]);
  });

  it('still applies the clock-free rules to a stored schedule', () => {
    expect(checkSchedule({ ...DAILY, frequency: 'WEEKLY' }, 'FIRST_FULL_THEN_INCREMENTAL', STORED)).toHaveLength(1);
  });

  it('skips the export-mode rules when the export mode is unknown (the caller reports it)', () => {
    expect(checkSchedule({ ...DAILY, frequency: 'EVERY_3_HOURS' }, 'SOMETIMES', NEW)).toEqual([]);
  });

  it('prefixes every problem with the given location', () => {
    const where = 'segmentSelectors.selectors[1].value.schedule';
    expect(checkSchedule({ ...DAILY, startTime: '7' }, 'DAILY_FULL_EXPORT', { ...NEW, where }))
      .toEqual(['segmentSelectors.selectors[1].value.schedule.startTime must be HH:mm (00:00–23:59), got "7"']);
  });
});

describe('normalizeSchedule', () => {
  it('defaults triggerType to SCHEDULED and omits absent optional fields', () => {
    expect(normalizeSchedule({ frequency: 'DAILY', startDate: '2025-01-07', startTime: '06:00' }))
      .toStrictEqual({ frequency: 'DAILY', triggerType: 'SCHEDULED', startDate: '2025-01-07', startTime: '06:00' });
  });

  it('drops startTime for AFTER_SEGMENT_EVAL', () => {
    expect(normalizeSchedule({ frequency: 'ONCE', triggerType: 'AFTER_SEGMENT_EVAL', startDate: '2025-01-07', startTime: '06:00' }))
      .toStrictEqual({ frequency: 'ONCE', triggerType: 'AFTER_SEGMENT_EVAL', startDate: '2025-01-07' });
  });

  it('keeps an end date', () => {
    expect(normalizeSchedule({ ...DAILY, endDate: '2025-02-01' })?.endDate).toBe('2025-02-01');
  });

  it.each([['CHAINED', 'SCHEDULED'], ['DAILY', 'LATER'], [undefined, 'SCHEDULED']])(
    'cannot represent frequency %s with triggerType %s',
    (frequency, triggerType) => {
      expect(normalizeSchedule({ frequency, triggerType, startDate: '2025-01-07' })).toBeUndefined();
    },
  );
});

describe('isSameSchedule', () => {
  const stored: AudienceSchedule = { frequency: 'DAILY', triggerType: 'AFTER_SEGMENT_EVAL', startDate: '2025-01-07' };

  it('ignores a start time that AFTER_SEGMENT_EVAL does not store', () => {
    expect(isSameSchedule(stored, { ...stored, startTime: '06:00' })).toBe(true);
  });

  it.each<[string, AudienceSchedule]>([
    ['another start date', { ...stored, startDate: '2025-01-08' }],
    ['an end date', { ...stored, endDate: '2025-02-01' }],
    ['another frequency', { ...stored, frequency: 'ONCE' }],
    ['another trigger type', { ...stored, triggerType: 'SCHEDULED', startTime: '06:00' }],
  ])('notices %s', (_title, changed) => {
    expect(isSameSchedule(stored, changed)).toBe(false);
  });
});

describe('isExportMode', () => {
  it.each([['DAILY_FULL_EXPORT', true], ['FIRST_FULL_THEN_INCREMENTAL', true], ['daily_full_export', false], ['toString', false], [3, false]])(
    'judges %s as %s',
    (value, expected) => {
      expect(isExportMode(value)).toBe(expected);
    },
  );
});
