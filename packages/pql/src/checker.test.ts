// Checker tests: every checker diagnostic with its position, suggestions, inSegment cycles, the type matrix, fields.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FieldCatalogue } from './catalogue.js';
import { type CheckOptions, MAX_HEIGHT, checkPql } from './checker.js';
import type { SegmentInfo } from './segment-check.js';

const CATALOGUE: FieldCatalogue = {
  profile: [
    { path: 'person.name.firstName', type: 'string' },
    { path: 'person.name.lastName', type: 'string' },
    { path: 'loyalty.points', type: 'integer' },
    { path: 'loyalty.score', type: 'number' },
    { path: 'loyalty.joinDate', type: 'date' },
    { path: 'lastPurchaseAt', type: 'date-time' },
    { path: 'consent.marketing', type: 'boolean' },
    { path: 'preferences.channels', type: 'array', items: 'string' },
    { path: 'lucky', type: 'array', items: 'integer' },
  ],
  event: [
    { path: 'eventType', type: 'string' },
    { path: 'web.pageName', type: 'string' },
    { path: 'commerce.order.priceTotal', type: 'number' },
  ],
};

const check = (text: string, options: Partial<CheckOptions> = {}) => checkPql(text, { catalogue: CATALOGUE, ...options });

/** The single diagnostic of `text` (fails when there is not exactly one). */
function onlyDiagnostic(text: string, options: Partial<CheckOptions> = {}) {
  const result = check(text, options);
  expect(result.ok).toBe(false);
  expect(result.expression).toBeUndefined();
  expect(result.diagnostics).toHaveLength(1);
  return result.diagnostics[0];
}

describe('PQL-UNKNOWN-FIELD', () => {
  it('reports the SPEC §5.5 example exactly, with its suggestion', () => {
    expect(onlyDiagnostic('person.name.fristName = "x"')).toEqual({
      severity: 'error', code: 'PQL-UNKNOWN-FIELD', message: 'unknown field "person.name.fristName"',
      line: 1, column: 1, endLine: 1, endColumn: 22, offset: 0, length: 21, construct: 'path',
      suggestions: ['person.name.firstName'],
    });
  });

  it('suggests fields with the same last segment, closest first, at most 3', () => {
    expect(onlyDiagnostic('firstName = "x"')).toMatchObject({ suggestions: ['person.name.firstName'] });
    expect(onlyDiagnostic('loyalty.point > 1')).toMatchObject({ suggestions: ['loyalty.points'] });
    expect(onlyDiagnostic('person.name.fastName = "x"')).toMatchObject({ suggestions: ['person.name.lastName', 'person.name.firstName'] });
  });

  it('says how to fix a path without any close field', () => {
    const diagnostic = onlyDiagnostic('zzz = 1');
    expect(diagnostic).toMatchObject({ message: 'unknown field "zzz": check the spelling against the profile schema' });
    expect(diagnostic).not.toHaveProperty('suggestions');
  });

  it('says that an object path is not a field and suggests its fields', () => {
    expect(onlyDiagnostic('person.name = "x"')).toMatchObject({
      message: 'unknown field "person.name": it is an object, name one of its fields, e.g. person.name.firstName',
      suggestions: ['person.name.firstName', 'person.name.lastName'], column: 1, endColumn: 12,
    });
  });

  it('resolves bare paths in xEvent[…] and VAR.path against the event schema, other bare paths against the profile', () => {
    expect(check('xEvent[web.pageName = "a"].count() > 1 and exists E from xEvent where E.eventType = "b" and loyalty.points > 1').ok).toBe(true);
    expect(onlyDiagnostic('xEvent[pageName = "a"].count() > 1')).toMatchObject({
      message: 'unknown field "pageName"', suggestions: ['web.pageName'], column: 8, endColumn: 16,
    });
    expect(onlyDiagnostic('exists E from xEvent where E.evenType = "b"')).toMatchObject({
      message: 'unknown field "E.evenType"', suggestions: ['E.eventType'], column: 28, endColumn: 38,
    });
    expect(onlyDiagnostic('exists E from xEvent where eventType = "b"')).toMatchObject({ message: 'unknown field "eventType": check the spelling against the profile schema' });
    expect(onlyDiagnostic('xEvent[loyalty.points > 1].count() > 1')).toMatchObject({ code: 'PQL-UNKNOWN-FIELD', message: expect.stringContaining('"loyalty.points"') });
  });

  it('knows the event fields timestamp and _id even when the catalogue leaves them out', () => {
    expect(check('exists E from xEvent where E.timestamp occurs last day and E._id = "x"').ok).toBe(true);
  });

  it('counts columns in code points on later lines', () => {
    expect(onlyDiagnostic('person.name.firstName = "😀" and\n  nope = 1')).toMatchObject({ line: 2, column: 3, endLine: 2, endColumn: 7, offset: 35 });
  });
});

describe('PQL-TYPE-MISMATCH', () => {
  const VALUES: Record<string, string> = {
    string: 'person.name.firstName', integer: 'loyalty.points', number: 'loyalty.score', boolean: 'consent.marketing',
    date: 'loyalty.joinDate', 'date-time': 'lastPurchaseAt', 'array of string': 'preferences.channels',
  };
  const COMPATIBLE = [['integer', 'number'], ['date', 'date-time']];
  const compatible = (a: string, b: string): boolean =>
    a === b ? a !== 'array of string' : COMPATIBLE.some(([x, y]) => (a === x && b === y) || (a === y && b === x));

  for (const [left, leftPath] of Object.entries(VALUES)) {
    for (const [right, rightPath] of Object.entries(VALUES)) {
      const ok = compatible(left, right);
      it(`${left} = ${right} is ${ok ? 'accepted' : 'rejected'}`, () => {
        const result = check(`${leftPath} = ${rightPath}`);
        if (ok) expect(result.diagnostics).toEqual([]);
        else expect(result.diagnostics).toEqual([expect.objectContaining({ code: 'PQL-TYPE-MISMATCH', message: expect.stringMatching(new RegExp(`^cannot compare ${left} with ${right}`)), column: 1, construct: 'comparison' })]);
      });
    }
  }

  it.each([
    ['consent.marketing < true', 'cannot compare boolean with boolean using <: booleans support only = and !='],
    ['loyalty.points = "1"', 'cannot compare integer with string'],
    ['lastPurchaseAt > 3', 'cannot compare date-time with integer'],
    ['loyalty.points in ["a"]', 'cannot compare integer with array of string'],
    ['preferences.channels in ["a"]', 'in expects a single value, found array of string: use intersects or subsetOf for arrays'],
    ['loyalty.points like "1%"', 'like expects string, found integer'],
    ['loyalty.points.startsWith("1")', 'startsWith expects string, found integer'],
    ['preferences.channels.equals("a")', 'equals expects string, found array of string'],
    ['person.name.firstName.includes("a")', 'includes expects array, found string'],
    ['person.name.firstName.count() > 1', 'count expects array, found string'],
    ['preferences.channels.includes(1)', 'includes expects string, found integer'],
    ['lucky.includes("7")', 'includes expects integer, found string'],
    ['preferences.channels.intersects([1, 2])', 'intersects expects array of string, found array of number'],
    ['preferences.channels.subsetOf([[1]])', 'subsetOf expects an array of single values, found an array of arrays'],
    ['person.name.firstName + 1 > 2', '+ expects number, found string'],
    ['-consent.marketing', '- expects number, found boolean'],
    ['person.name.firstName occurs last day', 'occurs expects date or date-time, found string'],
    ['lastPurchaseAt occurs before loyalty.points', 'occurs expects date or date-time, found integer'],
    ['(sum X.eventType over X from xEvent) > 1', 'sum expects number, found string'],
    ['(max X.web.pageName over X from xEvent) > 1', 'max expects number, date or date-time, found string'],
    ['loyalty.points', 'the expression expects boolean, found integer: write a condition, e.g. a comparison'],
    ['loyalty.points and true', 'and expects boolean, found integer: write a condition, e.g. a comparison'],
    ['not person.name.firstName', 'not expects boolean, found string: write a condition, e.g. a comparison'],
    ['exists E from xEvent where E.eventType', 'where expects boolean, found string: write a condition, e.g. a comparison'],
    ['xEvent[1].count() > 0', 'xEvent[…] expects boolean, found integer: write a condition, e.g. a comparison'],
  ])('%s → %s', (text, message) => {
    expect(onlyDiagnostic(text)).toMatchObject({ code: 'PQL-TYPE-MISMATCH', message });
  });

  it('accepts what the SPEC allows', () => {
    for (const text of [
      'loyalty.points / loyalty.points > 0.5', 'loyalty.points % 2 = loyalty.score', 'loyalty.joinDate < lastPurchaseAt',
      'loyalty.joinDate = today and lastPurchaseAt < now and lastPurchaseAt > date(2024, 1, 1)', 'consent.marketing',
      'consent.marketing != false', 'loyalty.points in [1, 2.5]', 'lastPurchaseAt in [date(2024, 1, 1)]', 'loyalty.joinDate in [now]',
      'preferences.channels.intersects([])', 'lucky.includes(1.5)', 'preferences.channels.distinct().count() = lucky.count()',
      '(min X.timestamp over X from xEvent) occurs this week', '(average X.commerce.order.priceTotal over X from xEvent) > 1',
      '(loyalty.points = 1).isNull()', 'preferences.channels.isNotNull()', 'not not consent.marketing',
    ]) expect([text, check(text).diagnostics]).toEqual([text, []]);
  });

  it('reports the method and its argument span for argument mismatches', () => {
    expect(onlyDiagnostic('preferences.channels.includes(1)')).toMatchObject({ column: 22, endColumn: 33, construct: 'method' });
  });
});

describe('PQL-INVALID-REGEX', () => {
  it.each([
    ['(?=a)', 'lookaround (?=…) is not supported by RE2 (at character 1)'],
    ['a(?<!b)', 'lookaround (?<!…) is not supported by RE2 (at character 2)'],
    ['(a)\\1', 'backreference \\1 is not supported by RE2 (at character 4)'],
    ['(a)\\k<n>', 'named backreference \\k<…> is not supported by RE2 (at character 4)'],
    ['(?<n>a)', 'named group (?<…>) is not supported here (at character 1): use a plain group (…)'],
    ['a\\u0041', 'escape \\u is not supported by RE2 (at character 2): write \\x{41} for a code point'],
    ['\\cJ', 'escape \\c is not supported by RE2 (at character 1)'],
    ['[\\b]', 'escape \\b is not supported by RE2 (at character 2)'],
    ['[^]', 'missing ] to close a character class: write [\\s\\S] for any character'],
  ])('rejects %s (not RE2)', (pattern, detail) => {
    const text = `person.name.firstName.matches(${JSON.stringify(pattern)})`;
    expect(onlyDiagnostic(text)).toMatchObject({ code: 'PQL-INVALID-REGEX', message: `invalid regular expression: ${detail}`, column: 31, construct: 'method' });
  });

  it('rejects malformed patterns with the engine detail', () => {
    expect(onlyDiagnostic('person.name.firstName.matches("(ab")')).toMatchObject({ code: 'PQL-INVALID-REGEX', message: expect.stringMatching(/^invalid regular expression: .+/) });
    expect(onlyDiagnostic('person.name.firstName.matches("a(?i)b")')).toMatchObject({ code: 'PQL-INVALID-REGEX' });
  });

  it('accepts a leading (?i), escapes and character classes that look like lookaround', () => {
    for (const pattern of ['(?i)^jo(h)?n$', '\\(?=', '[(?=]', '[\\]1]\\d+', '^\\w+@example\\.com$', '\\x{41}\\p{L}\\pN\\b', '[^]a]', '\\Q.\\E\\-\\/']) {
      expect(check(`person.name.firstName.matches(${JSON.stringify(pattern)})`).diagnostics).toEqual([]);
    }
  });
});

describe('inSegment', () => {
  const AUDIENCES: Record<string, SegmentInfo> = {
    a: { id: 'a', mergePolicyId: 'mp1', dependencies: ['b'] },
    b: { id: 'b', mergePolicyId: 'mp1', dependencies: ['self'] },
    c: { id: 'c', mergePolicyId: 'mp1', dependencies: [] },
    d: { id: 'd', mergePolicyId: 'mp2', dependencies: ['c'] },
  };
  const options: Partial<CheckOptions> = { segment: (id) => AUDIENCES[id], selfId: 'self', mergePolicyId: 'mp1' };

  it('unknown ids, and every id when no lookup is given, are PQL-UNKNOWN-SEGMENT', () => {
    expect(onlyDiagnostic('inSegment("zzz")', options)).toMatchObject({ code: 'PQL-UNKNOWN-SEGMENT', message: 'unknown audience "zzz"', column: 1, endColumn: 17, construct: 'inSegment' });
    expect(onlyDiagnostic('inSegment("c")')).toMatchObject({ code: 'PQL-UNKNOWN-SEGMENT', message: 'unknown audience "c"' });
  });

  it('follows dependencies back to the audience itself: PQL-CYCLE with the chain', () => {
    expect(onlyDiagnostic('consent.marketing and inSegment("a")', options)).toMatchObject({
      code: 'PQL-CYCLE', message: 'inSegment cycle: self -> a -> b -> self', column: 23, endColumn: 37,
    });
    expect(onlyDiagnostic('inSegment("self")', options)).toMatchObject({ code: 'PQL-CYCLE', message: 'inSegment cycle: self -> self' });
  });

  it('a referenced audience with another merge policy is PQL-MERGE-POLICY-MISMATCH', () => {
    expect(onlyDiagnostic('inSegment("d")', options)).toMatchObject({ code: 'PQL-MERGE-POLICY-MISMATCH', message: 'audience "d" uses merge policy mp2' });
  });

  it('lists the dependencies in first-use order, once each', () => {
    expect(check('inSegment("c") or inSegment("c") and not inSegment("zzz")', options)).toMatchObject({ ok: false, dependencies: ['c', 'zzz'] });
    expect(check('inSegment("c")', options)).toMatchObject({ ok: true, dependencies: ['c'], fields: [] });
  });
});

describe('results', () => {
  it('collects several diagnostics in one pass, in source order', () => {
    const result = check('nope = 1 and loyalty.points = "x" or person.name.firstName.matches("(?=x)")');
    expect(result.diagnostics.map((d) => [d.code, d.column])).toEqual([
      ['PQL-UNKNOWN-FIELD', 1], ['PQL-TYPE-MISMATCH', 14], ['PQL-INVALID-REGEX', 68],
    ]);
  });

  it('returns parse diagnostics unchanged', () => {
    expect(check('a = ')).toMatchObject({ ok: false, diagnostics: [{ code: 'PQL-SYNTAX' }], dependencies: [], fields: [] });
    expect(check('  ')).toMatchObject({ ok: false, diagnostics: [{ code: 'PQL-EMPTY' }] });
  });

  it('lists the profile fields used, then the event fields as xEvent.<path>, each once in first-use order', () => {
    const result = check('xEvent[web.pageName = "a"].count() > loyalty.points and exists E from xEvent where E.eventType = "x" and loyalty.points > 1 and E.web.pageName = "b" and consent.marketing');
    expect(result).toMatchObject({ ok: true, fields: ['loyalty.points', 'consent.marketing', 'xEvent.web.pageName', 'xEvent.eventType'] });
    expect(result.expression).toBeDefined();
  });

  it('walks long and/or chains without recursion, and rejects trees deeper than MAX_HEIGHT', () => {
    expect(check(Array(2800).fill('loyalty.points = 1').join(' or ')).ok).toBe(true);
    expect(check(Array(2000).fill('loyalty.points * 2 - 1 > 0').join(' and ')).ok).toBe(true);
    expect(check(`loyalty.points${' + 1'.repeat(MAX_HEIGHT)} > 0`).diagnostics).toEqual([expect.objectContaining({
      code: 'PQL-SYNTAX', column: 1, message: `expression is nested too deeply: ${MAX_HEIGHT + 2} levels, at most ${MAX_HEIGHT}; simplify it or split it into audiences combined with inSegment`,
    })]);
    expect(check(`preferences.channels${'.distinct()'.repeat(5000)}.count() > 0`)).toMatchObject({ ok: false, diagnostics: [{ code: 'PQL-SYNTAX' }] });
  });

  it('never throws, whatever the text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 80 }), (text) => {
      const result = check(text);
      expect(result.ok).toBe(result.diagnostics.length === 0);
    }), { numRuns: 300 });
  });
});
