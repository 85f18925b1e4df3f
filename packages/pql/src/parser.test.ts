// Parser tests: precedence and associativity, occurs forms, path scopes, methods, limits and spans.
import { describe, expect, it } from 'vitest';
import { childrenOf, sexpr } from '../test/ast-sexpr.js';
import type { Expr } from './ast.js';
import { parsePql } from './parser.js';

function tree(text: string): string {
  const result = parsePql(text);
  if (!('ast' in result)) throw new Error(`expected ${text} to parse: ${JSON.stringify(result.diagnostics)}`);
  return sexpr(result.ast);
}

describe('precedence and associativity', () => {
  it.each([
    ['a or b and c', '(or a (and b c))'],
    ['a and b or c', '(or (and a b) c)'],
    ['a or b or c', '(or (or a b) c)'],
    ['a and b and c', '(and (and a b) c)'],
    ['not a and b', '(and (not a) b)'],
    ['not not a', '(not (not a))'],
    ['not a = 1', '(not (= a 1))'],
    ['a = 1 + 2', '(= a (+ 1 2))'],
    ['1 + 2 * 3', '(+ 1 (* 2 3))'],
    ['1 * 2 + 3', '(+ (* 1 2) 3)'],
    ['1 - 2 - 3', '(- (- 1 2) 3)'],
    ['8 / 4 / 2', '(/ (/ 8 4) 2)'],
    ['7 % 3 * 2', '(* (% 7 3) 2)'],
    ['-a * b', '(* (neg a) b)'],
    ['- - a', '(neg (neg a))'],
    ['-a.count()', '(neg (.count a))'],
    ['(1 + 2) * 3', '(* (+ 1 2) 3)'],
    ['a + 1 in [1, 2]', '(in (+ a 1) [1 2])'],
    ['a like "x" and b', '(and (like a "x") b)'],
    ['a occurs last day or b', '(or (occurs a (last day)) b)'],
    ['a.b.c.d', 'a.b.c.d'],
    ['a.count = 1', '(= a.count 1)'],
    ['1.5 < 2', '(< 1.5 2)'],
    ['a.isNull() or b.isNotNull()', '(or (.isNull a) (.isNotNull b))'],
  ])('%s parses as %s', (text, expected) => {
    expect(tree(text)).toBe(expected);
  });
});

describe('occurs', () => {
  it.each([
    ['t occurs < 3 hours after now', '(occurs t (< 3 hour after now))'],
    ['t occurs >= 1 second before today', '(occurs t (>= 1 second before today))'],
    ['t occurs != 2 minutes before other.time', '(occurs t (!= 2 minute before other.time))'],
    ['t occurs > 1 week after date(2024, 2, 29)', '(occurs t (> 1 week after (date 2024 2 29)))'],
    ['t occurs = 1 year before now', '(occurs t (= 1 year before now))'],
    ['t occurs last week', '(occurs t (last week))'],
    ['t occurs this year', '(occurs t (this year))'],
    ['t occurs next months', '(occurs t (next month))'],
    ['t occurs between a.start and now', '(occurs t (between a.start now))'],
    ['t occurs before today', '(occurs t (before today))'],
    ['t occurs after other', '(occurs t (after other))'],
    ['t occurs on date(2025, 1, 31)', '(occurs t (on (date 2025 1 31)))'],
  ])('%s parses as %s', (text, expected) => {
    expect(tree(text)).toBe(expected);
  });

  it('normalises every unit, singular or plural', () => {
    const units = ['second', 'minute', 'hour', 'day', 'week', 'month', 'year'];
    for (const unit of units) {
      expect(tree(`t occurs last ${unit}s`)).toBe(`(occurs t (last ${unit}))`);
      expect(tree(`t occurs last ${unit}`)).toBe(`(occurs t (last ${unit}))`);
    }
  });
});

describe('path scopes', () => {
  it('bare paths inside xEvent[…] are event paths, outside they are profile paths', () => {
    expect(tree('xEvent[a.b = c].count() > d')).toBe('(> (xcount (= @a.b @c)) d)');
  });

  it('inside exists, VAR.path is a variable path and other paths are profile paths', () => {
    expect(tree('exists E from xEvent where E.a = b.c and F.x = 1')).toBe('(exists E (and (= $E.a b.c) (= F.x 1)))');
  });

  it('an aggregate without where ends after xEvent, so it can be compared without parentheses', () => {
    expect(tree('min X.a over X from xEvent > 3')).toBe('(> (min X $X.a) 3)');
  });

  it('a where clause extends to the end of the enclosing parentheses', () => {
    expect(tree('(select X from xEvent where X.a = 1 or X.b = 2) and c')).toBe('(and (select X (or (= $X.a 1) (= $X.b 2))) c)');
  });

  it('nested exists see both variables', () => {
    expect(tree('exists A from xEvent where exists B from xEvent where A.t = B.t')).toBe('(exists A (exists B (= $A.t $B.t)))');
  });

  it('keywords may be field names after a dot', () => {
    expect(tree('a.select.and = 1')).toBe('(= a.select.and 1)');
  });
});

describe('literals and methods', () => {
  it.each([
    ['a in []', '(in a [])'],
    ['a in [1, 2.5]', '(in a [1 2.5])'],
    ['a in [date(2024, 1, 1), today]', '(in a [(date 2024 1 1) today])'],
    ['a in [[1], [2, 3]]', '(in a [[1] [2 3]])'],
    ['a.includes(1)', '(.includes a 1)'],
    ['a.startsWith("x", true)', '(.startsWith a "x" true)'],
    ['a.notEqualTo("x")', '(.notEqualTo a "x")'],
    ['a.doesNotStartWith("x")', '(.doesNotStartWith a "x")'],
    ['a.doesNotEndWith("x")', '(.doesNotEndWith a "x")'],
    ['a.contains("x")', '(.contains a "x")'],
    ['false = a', '(= false a)'],
  ])('%s parses as %s', (text, expected) => {
    expect(tree(text)).toBe(expected);
  });
});

describe('limits', () => {
  it('100,000 nested parentheses are rejected as too long, without a stack overflow', () => {
    const text = `${'('.repeat(100_000)}a${')'.repeat(100_000)}`;
    expect(parsePql(text)).toMatchObject({ diagnostics: [{ message: `expression is too long: ${text.length} characters, at most 65536`, offset: 65536 }] });
  });

  it('100,000 nested not are rejected without a stack overflow', () => {
    const text = `${'not '.repeat(100_000)}a`;
    expect(parsePql(text)).toMatchObject({ diagnostics: [{ message: expect.stringMatching(/^expression is too long/) }] });
  });

  it('nesting deeper than the limit is a diagnostic at the first token past it', () => {
    const text = `${'('.repeat(20_000)}a${')'.repeat(20_000)}`;
    expect(parsePql(text)).toMatchObject({
      diagnostics: [{ message: "expression is nested too deeply: at most 200 levels of parentheses, 'not', '-' or arrays", offset: 200, column: 201 }],
    });
    expect(parsePql(`${'not '.repeat(10_000)}a`)).toMatchObject({ diagnostics: [{ offset: 800 }] });
    expect(parsePql(`${'-'.repeat(10_000)}a`)).toMatchObject({ diagnostics: [{ offset: 200 }] });
    expect(parsePql(`a in ${'['.repeat(10_000)}`)).toMatchObject({ diagnostics: [{ offset: 205 }] });
    expect(parsePql(`${'xEvent['.repeat(5_000)}a`)).toMatchObject({ diagnostics: [{ offset: 7 * 200 + 6 }] });
    expect(parsePql(`${'exists E from xEvent where '.repeat(1_000)}E.a = 1`)).toMatchObject({ diagnostics: [{ offset: 27 * 200 }] });
    expect(parsePql(`x.includes(${'['.repeat(5_000)}`)).toMatchObject({ diagnostics: [{ offset: 11 + 200 }] });
  });

  it('nesting at the limit is accepted, and limits can be set per call', () => {
    expect(tree(`${'('.repeat(200)}a${')'.repeat(200)}`)).toBe('a');
    expect(parsePql('(a)', { maxLength: 100, maxDepth: 0 })).toHaveProperty('diagnostics');
    expect(parsePql('a = 1', { maxLength: 4, maxDepth: 10 })).toMatchObject({ diagnostics: [{ message: 'expression is too long: 5 characters, at most 4' }] });
  });
});

function walk(node: Expr, visit: (node: Expr) => void): void {
  visit(node);
  for (const child of childrenOf(node)) walk(child, visit);
}

describe('spans', () => {
  it('each node spans exactly its source text, and a where clause runs to the end of the expression', () => {
    const text = 'exists E from xEvent where (E.a.b = "x" and -E.n * 2 >= 3)\n or p.q.endsWith("z", false)';
    const result = parsePql(text);
    if (!('ast' in result)) throw new Error('expected a tree');
    const slices: string[] = [];
    walk(result.ast, (node) => slices.push(text.slice(node.span.offset, node.span.offset + node.span.length)));
    expect(slices).toEqual([
      text,
      '(E.a.b = "x" and -E.n * 2 >= 3)\n or p.q.endsWith("z", false)',
      'E.a.b = "x" and -E.n * 2 >= 3',
      'E.a.b = "x"', 'E.a.b', '"x"',
      '-E.n * 2 >= 3', '-E.n * 2', '-E.n', 'E.n', '2', '3',
      'p.q.endsWith("z", false)', 'p.q', '"z"', 'false',
    ]);
  });

  it('occurs, aggregates, xEvent counts and inSegment span their whole construct', () => {
    const text = '(sum X.v over X from xEvent) > xEvent[t occurs between date(2024, 1, 1) and now].count() or inSegment("s")';
    const result = parsePql(text);
    if (!('ast' in result)) throw new Error('expected a tree');
    const slices: string[] = [];
    walk(result.ast, (node) => slices.push(text.slice(node.span.offset, node.span.offset + node.span.length)));
    expect(slices).toEqual([
      text,
      '(sum X.v over X from xEvent) > xEvent[t occurs between date(2024, 1, 1) and now].count()',
      'sum X.v over X from xEvent', 'X.v',
      'xEvent[t occurs between date(2024, 1, 1) and now].count()',
      't occurs between date(2024, 1, 1) and now', 't', 'date(2024, 1, 1)', 'now',
      'inSegment("s")',
    ]);
  });
});

describe('robustness', () => {
  it('never throws on 3,000 random token soups, and every tree it returns spans within the input', () => {
    const pieces = ['a', 'E.b', '(', ')', '[', ']', ',', '.', '=', '<=', '+', '-', '*', '%', 'and', 'or', 'not', 'in', 'notIn',
      'like', 'occurs', 'last', 'day', 'before', 'now', 'today', 'date(2024, 1, 1)', '"s"', '1', '2.5', 'true', 'exists', 'E',
      'from', 'xEvent', 'where', 'sum', 'over', 'count()', 'isNull()', 'inSegment', 'between', '!', ':', '$1', '"\\x', '#'];
    let seed = 12345;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (let i = 0; i < 3000; i++) {
      const text = Array.from({ length: 1 + random(12) }, () => pieces[random(pieces.length)]).join(' ');
      const result = parsePql(text);
      if ('ast' in result) {
        walk(result.ast, (node) => {
          expect(node.span.offset).toBeGreaterThanOrEqual(0);
          expect(node.span.offset + node.span.length).toBeLessThanOrEqual(text.length);
        });
      } else {
        expect(result.diagnostics.length).toBeGreaterThan(0);
      }
    }
  });
});
