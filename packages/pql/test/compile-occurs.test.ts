// occurs and temporal comparisons on DuckDB: every form and unit around calendar boundaries, with members worked out
// by hand; the same conditions against a time *field* (per-row SQL) must select the same members as against now/today.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPql, compilePql } from '../src/index.js';
import { TEST_RELATIONS, loadWorld, openTestDuckDb, selectMembers } from './support/duckdb-relations.js';
import type { TestWorld } from './support/fixture.js';
import { referenceMembers } from './support/reference-evaluator.js';

/** Wednesday 18 June 2025, 12:00 UTC; this week is Mon 16 – Sun 22 June. */
const NOW = new Date('2025-06-18T12:00:00.000Z');

/** `t` (date-time) and `d` (date) per profile; `ref`/`refDay` hold now/today on every profile. */
const T: Record<number, string> = {
  1: '2025-06-18T11:59:59.999Z', 2: '2025-06-18T12:00:00.000Z', 3: '2025-06-18T00:00:00.000Z', 4: '2025-06-17T23:59:59.999Z',
  5: '2025-06-16T00:00:00.000Z', 6: '2025-06-15T23:59:59.999Z', 7: '2025-06-01T00:00:00.000Z', 8: '2025-05-31T23:59:59.999Z',
  9: '2025-01-01T00:00:00.000Z', 10: '2024-12-31T23:59:59.999Z', 11: '2025-06-19T00:00:00.000Z', 12: '2025-06-25T10:00:00.000Z',
  14: '2025-06-18T09:00:00.000Z', 15: '2025-06-18T09:00:00.001Z',
};
const D: Record<number, string> = {
  1: '2025-06-18', 2: '2025-06-17', 3: '2025-06-16', 4: '2025-06-15', 5: '2025-06-01', 6: '2025-05-31', 7: '2025-01-01',
  8: '2024-12-31', 9: '2025-06-19', 10: '2025-06-23',
};

const world: TestWorld = {
  catalogue: {
    profile: [
      { path: 't', type: 'date-time' }, { path: 'd', type: 'date' }, { path: 'ref', type: 'date-time' }, { path: 'refDay', type: 'date' },
    ],
    event: [{ path: 'timestamp', type: 'date-time' }, { path: '_id', type: 'string' }],
  },
  profiles: Array.from({ length: 15 }, (_, i) => i + 1).map((id) => ({
    id,
    attributes: { t: T[id] ?? null, d: D[id] ?? null, ref: NOW.toISOString(), refDay: '2025-06-18' },
    events: [],
  })),
  memberships: {},
};

/** [condition, members by hand]. Profile 13 has no t and 11–15 no d: never members. */
const CASES: ReadonlyArray<readonly [string, readonly number[]]> = [
  ['t occurs this day', [1, 2, 3, 14, 15]],
  ['t occurs last day', [4]],
  ['t occurs next day', [11]],
  ['t occurs this week', [1, 2, 3, 4, 5, 11, 14, 15]],
  ['t occurs last week', [6]],
  ['t occurs next week', [12]],
  ['t occurs this month', [1, 2, 3, 4, 5, 6, 7, 11, 12, 14, 15]],
  ['t occurs last month', [8]],
  ['t occurs this year', [1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 14, 15]],
  ['t occurs last year', [10]],
  ['t occurs this hour', [2]],
  ['t occurs last hour', [1]],
  ['t occurs last minute', [1]],
  ['t occurs this second', [2]],
  ['t occurs < 3 hours before now', [1, 2, 15]],
  ['t occurs <= 3 hours before now', [1, 2, 14, 15]],
  ['t occurs = 0 days before now', [1, 2, 3, 14, 15]],
  ['t occurs = 1 day before now', [4]],
  ['t occurs > 1 days before now', [5, 6, 7, 8, 9, 10]],
  ['t occurs != 0 days before now', [4, 5, 6, 7, 8, 9, 10]],
  ['t occurs = 1 week before now', [6]],
  ['t occurs >= 1 month before now', [8, 9, 10]],
  ['t occurs = 1 year before now', [10]],
  ['t occurs < 1 day after now', [1, 2, 3, 14, 15]],
  ['t occurs = 1 day after now', [11]],
  ['t occurs <= 1 week after now', [1, 2, 3, 4, 5, 11, 12, 14, 15]],
  ['t occurs < 1 second after now', [2]],
  ['t occurs between date(2025, 6, 1) and date(2025, 6, 17)', [4, 5, 6, 7]],
  ['t occurs between date(2025, 6, 1) and now', [1, 2, 3, 4, 5, 6, 7, 14, 15]],
  ['t occurs before today', [4, 5, 6, 7, 8, 9, 10]],
  ['t occurs before now', [1, 3, 4, 5, 6, 7, 8, 9, 10, 14, 15]],
  ['t occurs after today', [11, 12]],
  ['t occurs after now', [11, 12]],
  ['t occurs on today', [1, 2, 3, 14, 15]],
  ['t occurs on date(2025, 5, 31)', [8]],
  ['t occurs on now', [1, 2, 3, 14, 15]],
  ['d occurs this week', [1, 2, 3, 9]],
  ['d occurs last week', [4]],
  ['d occurs next week', [10]],
  ['d occurs = 1 day before today', [2]],
  ['d occurs <= 2 days before now', [1, 2, 3]],
  ['d occurs < 12 hours before now', []],
  ['d occurs <= 12 hours before now', [1]],
  ['d occurs <= 36 hours before now', [1, 2]],
  ['d occurs before now', [1, 2, 3, 4, 5, 6, 7, 8]],
  ['d occurs after now', [9, 10]],
  ['d occurs after today', [9, 10]],
  ['d occurs on now', [1]],
  ['d occurs between date(2025, 6, 15) and today', [1, 2, 3, 4]],
  ['d occurs between date(2025, 1, 1) and now', [1, 2, 3, 4, 5, 6, 7]],
  ['d = now', []],
  ['d != now', [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]],
  ['d < now', [1, 2, 3, 4, 5, 6, 7, 8]],
  ['d <= today', [1, 2, 3, 4, 5, 6, 7, 8]],
  ['now > d', [1, 2, 3, 4, 5, 6, 7, 8]],
  ['d >= now', [9, 10]],
  ['t >= today and t < date(2025, 6, 19)', [1, 2, 3, 14, 15]],
  ['t = now', [2]],
  ['not (t occurs this day)', [4, 5, 6, 7, 8, 9, 10, 11, 12, 13]],
  ['t occurs <= 100000 years before now', [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 15]], // D counts years: later this year is D = 0
  ['t occurs > 100000 years after now', []],
];

describe('occurs and temporal comparisons', () => {
  let db: Awaited<ReturnType<typeof openTestDuckDb>>;
  beforeAll(async () => {
    db = await openTestDuckDb();
    await loadWorld(db.connection, world);
  });
  afterAll(() => db.close());

  async function members(text: string): Promise<number[]> {
    const checked = checkPql(text, { catalogue: world.catalogue });
    expect(checked.diagnostics).toEqual([]);
    if (checked.expression === undefined) throw new Error('no checked expression');
    return selectMembers(db.connection, compilePql(checked.expression, { dialect: 'duckdb', now: NOW, relations: TEST_RELATIONS }));
  }

  it.each(CASES)('%s', async (text, expected) => {
    expect(await members(text)).toEqual(expected);
    expect(referenceMembers(world, text, NOW)).toEqual(expected);
  });

  const dynamic = CASES.filter(([text]) => /\b(now|today)\b/.test(text) && !/100000/.test(text))
    .map(([text, expected]) => [text.replace(/\bnow\b/g, 'ref').replace(/\btoday\b/g, 'refDay'), expected] as const);

  it.each(dynamic)('against a time field: %s', async (text, expected) => {
    expect(await members(text)).toEqual(expected);
  });

  it('compiles occurs against constants to plain range predicates on the column', () => {
    const checked = checkPql('t occurs <= 30 days before now and d occurs last month', { catalogue: world.catalogue });
    if (checked.expression === undefined) throw new Error('no checked expression');
    expect(compilePql(checked.expression, { dialect: 'duckdb', now: NOW, relations: TEST_RELATIONS }).sql).toBe(
      'SELECT p."$profile" FROM "$profiles" AS p WHERE ((p."t" BETWEEN TIMESTAMP \'2025-05-19 00:00:00\' AND TIMESTAMP \'2025-06-18 23:59:59.999999\')'
      + ' AND (p."d" BETWEEN DATE \'2025-05-01\' AND DATE \'2025-05-31\'))',
    );
  });
});
