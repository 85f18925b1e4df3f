// SPEC §5.3 semantics of the compiled SQL on DuckDB: two-valued logic, arithmetic, aggregates, strings, arrays,
// nested event scopes and inSegment, with members worked out by hand (the reference evaluator must agree).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPql, compilePql } from '../src/index.js';
import { TEST_RELATIONS, loadWorld, openTestDuckDb, selectMembers } from './support/duckdb-relations.js';
import type { TestWorld } from './support/fixture.js';
import { referenceMembers } from './support/reference-evaluator.js';

const NOW = new Date('2025-06-18T12:00:00.000Z');
const ev = (timestamp: string, type: string, price?: number) => ({ timestamp, type, ...(price === undefined ? {} : { price }) });

const world: TestWorld = {
  catalogue: {
    profile: [
      { path: 'n', type: 'integer' }, { path: 'x', type: 'number' }, { path: 's', type: 'string' }, { path: 'b', type: 'boolean' },
      { path: 'tags', type: 'array', items: 'string' }, { path: 'nums', type: 'array', items: 'integer' },
    ],
    event: [{ path: 'timestamp', type: 'date-time' }, { path: '_id', type: 'string' }, { path: 'type', type: 'string' }, { path: 'price', type: 'number' }],
  },
  profiles: [
    { id: 1, attributes: { n: 7, x: 2.5, s: 'Abc', b: true, tags: ['a', 'b', 'a'], nums: [1, 2] },
      events: [ev('2025-06-01T00:00:00.000Z', 'buy', 10), ev('2025-06-02T00:00:00.000Z', 'buy', 30), ev('2025-06-03T00:00:00.000Z', 'view')] },
    { id: 2, attributes: { n: 0, x: 0, s: 'abc', b: false, tags: [], nums: [] }, events: [ev('2025-06-05T00:00:00.000Z', 'view')] },
    { id: 3, attributes: {}, events: [] },
    { id: 4, attributes: { n: -3, x: -0.5, s: '50% off_now', tags: ['c'] }, events: [ev('2025-06-04T00:00:00.000Z', 'buy')] },
    { id: 5, attributes: { n: 2, s: 'é' }, events: [ev('2025-06-06T00:00:00.000Z', 'buy', 5), ev('2025-06-07T00:00:00.000Z', 'view', 1)] },
    { id: 6, attributes: { s: '\uFFFF' }, events: [] },
    { id: 7, attributes: { s: '😀x' }, events: [] },
    { id: 8, attributes: { s: 'a\\b' }, events: [] },
  ],
  memberships: { seg: [1, 3] },
};

/** [condition, members by hand] */
const CASES: ReadonlyArray<readonly [string, readonly number[]]> = [
  // Two-valued logic: a comparison with a missing operand is false, and `not` negates that false.
  ['n = 7', [1]],
  ['n != 7', [2, 4, 5]],
  ['not (n = 7)', [2, 3, 4, 5, 6, 7, 8]],
  ['not (n != 7)', [1, 3, 6, 7, 8]],
  ['not (s.startsWith("a"))', [1, 3, 4, 5, 6, 7]],
  ['not (tags.includes("a"))', [2, 3, 4, 5, 6, 7, 8]],
  ['not b', [2, 3, 4, 5, 6, 7, 8]],
  ['b', [1]],
  ['b = false', [2]],
  ['(n > 0) = false', [2, 3, 4, 6, 7, 8]],
  ['not (n > 0 or x > 0)', [2, 3, 4, 6, 7, 8]],
  ['n.isNull() and not (s = "x")', [3, 6, 7, 8]],
  // Arithmetic: missing → missing, ÷0 and %0 → missing, integer ÷ integer → number.
  ['n + 1 > 0', [1, 2, 5]],
  ['not (n + 1 > 0)', [3, 4, 6, 7, 8]],
  ['n / 2 = 3.5', [1]],
  ['(n / n).isNull()', [2, 3, 6, 7, 8]],
  ['(n % n).isNull()', [2, 3, 6, 7, 8]],
  ['(x % x).isNull()', [2, 3, 5, 6, 7, 8]],
  ['(1 / x).isNull()', [2, 3, 5, 6, 7, 8]],
  ['n % 2 = -1', [4]],
  ['-n = 3', [4]],
  ['n * x > 0', [1, 4]],
  // Aggregates: sum over none = 0, average/min/max over none missing; count() of a missing array = 0.
  ['(sum E.price over E from xEvent where E.type = "buy") = 0', [2, 3, 4, 6, 7, 8]],
  ['(sum E.price over E from xEvent) = 40', [1]],
  ['(average E.price over E from xEvent where E.type = "buy").isNull()', [2, 3, 4, 6, 7, 8]],
  ['(average E.price over E from xEvent where E.type = "buy") = 20', [1]],
  ['(min E.price over E from xEvent) = 1', [5]],
  ['(max E.timestamp over E from xEvent).isNull()', [3, 6, 7, 8]],
  ['xEvent[type = "buy"].count() = 0', [2, 3, 6, 7, 8]],
  ['xEvent[price > 1].count() = 2', [1]],
  ['tags.count() = 0', [2, 3, 5, 6, 7, 8]],
  ['tags.distinct().count() = 2', [1]],
  ['tags.distinct().isNull()', []],
  ['tags.distinct().count() = 0', [2, 3, 5, 6, 7, 8]],
  ['nums.includes(2) and nums.supersetOf([1, 2]) and nums.subsetOf([1, 2, 3])', [1]],
  ['nums.subsetOf([])', [2]],
  // Strings: case flags, like with escapes, RE2 matches, code-point order.
  ['s.startsWith("ab")', [2]],
  ['s.startsWith("AB", false)', [1, 2]],
  ['s.doesNotStartWith("AB", false)', [4, 5, 6, 7, 8]],
  ['s.equals("ABC", false)', [1, 2]],
  ['s.notEqualTo("ABC", false)', [4, 5, 6, 7, 8]],
  ['s.contains("C", false)', [1, 2]],
  ['s like "50\\\\% off\\\\_%"', [4]],
  ['s like "5_% off%"', [4]],
  ['s like "_x"', [7]],
  ['s like "a\\\\\\\\b"', [8]],
  ['s like "a\\\\b"', []],
  ['s like "a\\\\"', []],
  ['s.matches("(?i)^ABC$")', [1, 2]],
  ['s.matches("^abc$")', [2]],
  ['s > "z"', [5, 6, 7]],
  ['s < "😀"', [1, 2, 4, 5, 6, 8]],
  ['s >= "Abc" and s < "a"', [1]],
  // in / notIn, including empty lists.
  ['n in [0, 7]', [1, 2]],
  ['n notIn [0, 7]', [4, 5]],
  ['n in [2.0, 7]', [1, 5]],
  ['s notIn []', [1, 2, 4, 5, 6, 7, 8]],
  // Nested event scopes, bare profile paths inside them, and inSegment.
  ['exists E from xEvent where E.type = "buy" and (exists F from xEvent where F.type = "view" and F.timestamp > E.timestamp)', [1, 5]],
  ['exists E from xEvent where E.type = "buy" and n > 0', [1, 5]],
  ['exists E from xEvent where E.type = "view" and xEvent[type = "buy" and timestamp < E.timestamp].count() >= 2', [1]],
  ['select E from xEvent where not (E.price > 5)', [1, 2, 4, 5]],
  // Tests of aggregates against constants (semi-joins on grouped events), incl. none-values that pass the test.
  ['(sum E.price over E from xEvent where E.type = "view") = 0', [1, 2, 3, 4, 6, 7, 8]],
  ['xEvent[type = "buy"].count() < 2', [2, 3, 4, 5, 6, 7, 8]],
  ['2 <= xEvent[type = "buy"].count()', [1]],
  ['not (xEvent[type = "buy"].count() >= 1)', [2, 3, 6, 7, 8]],
  ['xEvent[type = "buy"].count() != 1', [1, 2, 3, 6, 7, 8]],
  ['(max E.timestamp over E from xEvent) > date(2025, 6, 4)', [2, 5]],
  ['(min E.timestamp over E from xEvent where E.type = "buy") occurs between date(2025, 6, 1) and date(2025, 6, 4)', [1, 4]],
  ['(average E.price over E from xEvent) >= -1', [1, 5]],
  ['(sum E.price over E from xEvent) > -1', [1, 2, 3, 4, 5, 6, 7, 8]],
  ['(sum E.price over E from xEvent) < 10', [2, 3, 4, 5, 6, 7, 8]],
  ['exists E from xEvent where E.price > n', [1, 5]],
  ['inSegment("seg")', [1, 3]],
  ['not inSegment("seg") and inSegment("other").isNull() = false', [2, 4, 5, 6, 7, 8]],
];

describe('compiled semantics on DuckDB', () => {
  let db: Awaited<ReturnType<typeof openTestDuckDb>>;
  beforeAll(async () => {
    db = await openTestDuckDb();
    await loadWorld(db.connection, world);
  });
  afterAll(() => db.close());

  const compile = (text: string) => {
    const checked = checkPql(text, { catalogue: world.catalogue, segment: (id) => ({ id, mergePolicyId: 'mp', dependencies: [] }) });
    expect(checked.diagnostics).toEqual([]);
    if (checked.expression === undefined) throw new Error('no checked expression');
    return compilePql(checked.expression, { dialect: 'duckdb', now: NOW, relations: TEST_RELATIONS });
  };

  it.each(CASES)('%s', async (text, expected) => {
    expect(await selectMembers(db.connection, compile(text))).toEqual(expected);
    expect(referenceMembers(world, text, NOW)).toEqual(expected);
  });

  it('binds every string literal as a parameter, hostile ones included, and never splices its text', async () => {
    const hostile = ["it's", 'say "hi"', '$1', '-- comment', 'line\nbreak', "'); DROP TABLE \"$profiles\"; --", '\\'];
    for (const value of hostile) {
      const literal = JSON.stringify(value);
      const text = `s = ${literal} or s like ${literal} or s.contains(${literal}, false) or s in [${literal}] or tags.includes(${literal})`
        + ` or s.matches(${JSON.stringify(value.replace(/[\\$()]/g, '\\$&'))}) or inSegment(${literal})`
        + ` or exists E from xEvent where E.type = ${literal}`;
      const compiled = compile(text);
      expect(compiled.parameters.length).toBe(8);
      expect(compiled.parameters).toContain(value);
      const withoutPlaceholders = compiled.sql.replace(/\$\d+/g, '');
      for (const fragment of value.split(/\s+/).filter((part) => part.length > 1 && !/^[$\\]/.test(part))) {
        expect(withoutPlaceholders).not.toContain(fragment);
      }
      // Only profile 8 (`a\b`) contains a backslash.
      expect(await selectMembers(db.connection, compiled)).toEqual(value === '\\' ? [8] : []);
    }
  });

  it('compiles a long or-list flat, within the engine\'s expression depth', async () => {
    const text = [...Array.from({ length: 4000 }, (_, i) => `n = ${i + 100}`), 'n = 7', 's = "abc"'].join(' or ');
    const compiled = compile(text);
    expect(compiled.sql).toMatch(/WHERE \(\(p\."n" = 100\) OR \(p\."n" = 101\) OR /);
    expect(await selectMembers(db.connection, compiled)).toEqual([1, 2]);
  });

  it('uses a distinct alias for every nested event scope, correlating only constructs that read outside their event', () => {
    const { sql } = compile('exists E from xEvent where E.type = "a" and (exists F from xEvent where F.timestamp > E.timestamp) and xEvent[type = "b"].count() > 0');
    expect(sql).toBe('SELECT p."$profile" FROM "$profiles" AS p WHERE EXISTS (SELECT 1 FROM "$events" AS e1 WHERE e1."$profile" = p."$profile"'
      + ' AND ((e1."type" = $1) AND EXISTS (SELECT 1 FROM "$events" AS e2 WHERE e2."$profile" = p."$profile" AND (e2."timestamp" > e1."timestamp"))'
      + ' AND (p."$profile" IN (SELECT e3."$profile" FROM "$events" AS e3 WHERE (e3."type" = $2) GROUP BY e3."$profile" HAVING count(*) > 0))))');
  });
});
