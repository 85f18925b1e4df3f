// Parser diagnostics: position and message of each syntax error, unsupported constructs, empty input.
import { describe, expect, it } from 'vitest';
import { parsePql } from './parser.js';

/** [input, column (1-based), length, message] — every input on one line, so offset = column - 1. */
const SYNTAX_ERRORS: ReadonlyArray<readonly [string, number, number, string]> = [
  ['(a = 1', 7, 0, "syntax error: expected ')' to close '(' opened at 1:1, found end of input"],
  ['a = (1 + (2', 12, 0, "syntax error: expected ')' to close '(' opened at 1:10, found end of input"],
  ['a in [1, 2', 11, 0, "syntax error: expected ']' to close '[' opened at 1:6, found end of input"],
  ['a in [1, "x"]', 10, 3, 'array elements must all be of one type: this element is string, the first is number'],
  ['a in [true, now]', 13, 3, 'array elements must all be of one type: this element is date-time, the first is boolean'],
  ['a in [1,]', 9, 1, "syntax error: expected a literal (a string, a number, true, false, date(y, m, d), now, today or [ … ]), found ']'"],
  ['a in b', 6, 1, "syntax error: expected an array after 'in', e.g. [\"a\", \"b\"], found 'b'"],
  ['a like b', 8, 1, "syntax error: expected a string pattern after 'like', e.g. \"Mc%\", found 'b'"],
  ['a = ', 5, 0, 'syntax error: expected an expression, found end of input'],
  ['a = 1 b', 7, 1, "syntax error: expected an operator or the end of the expression, found 'b'"],
  ['a = 1 = 2', 7, 1, "syntax error: expected an operator or the end of the expression, found '='"],
  ['a and or b', 7, 2, "syntax error: expected an expression, found 'or'"],
  ['(sum X.a over Y from xEvent) > 1', 15, 1, 'the two variables of an aggregate must be the same: X and Y'],
  ['sum X over X from xEvent', 7, 4, "syntax error: expected '.' after X: write sum X.<field> over X from xEvent, found 'over'"],
  ['exists from xEvent where a = 1', 8, 4, "syntax error: expected a variable name after 'exists', e.g. E, found 'from'"],
  ['(max X.a over and from xEvent) > 1', 15, 3, "syntax error: expected a variable name after 'over', e.g. E, found 'and'"],
  ['exists E where E.a = 1', 10, 5, "syntax error: expected 'from', found 'where'"],
  ['exists E from xEvent E.a = 1', 22, 1, "syntax error: expected 'where': write exists E from xEvent where <condition>, found 'E'"],
  ['exists E from xEvent where E = 1', 28, 1, 'syntax error: the variable E stands for an event: name one of its fields, e.g. E.eventType'],
  ['xEvent[a = 1]', 14, 0, "syntax error: expected '.': write xEvent[<condition>].count(), found end of input"],
  ['xEvent[a = 1].count(1)', 21, 1, "syntax error: expected ')': count() takes no arguments, found '1'"],
  ['inSegment(abc)', 11, 3, "syntax error: expected the audience id as a string: write inSegment(\"<audience id>\"), found 'abc'"],
  ['t occurs 3 days before now', 10, 1, "syntax error: expected an occurs condition: '<= 7 days before now', 'last|this|next <unit>', 'between <time> and <time>', 'before|after <time>' or 'on <time>', found '3'"],
  ['t occurs < 3 fortnights before now', 14, 10, 'syntax error: expected a unit (second, minute, hour, day, week, month or year, singular or plural), found \'fortnights\''],
  ['t occurs < 3 days now', 19, 3, "syntax error: expected 'before' or 'after', e.g. occurs < 3 days before now, found 'now'"],
  ['t occurs < 1.5 days before now', 12, 3, "syntax error: expected a whole number of units, e.g. occurs <= 7 days before now, found '1.5'"],
  ['t occurs between now or today', 22, 2, "syntax error: expected 'and': write occurs between <time> and <time>, found 'or'"],
  ['t occurs on "2024-01-01"', 13, 12, 'syntax error: expected a time: now, today, date(y, m, d) or a field path, found string "2024-01-01"'],
  ['d = date(2024, 2, 30)', 5, 17, 'invalid date: day 30 must be between 1 and 29 for 2024-02'],
  ['d = date(2023, 13, 1)', 5, 17, 'invalid date: month 13 must be between 1 and 12'],
  ['d = date(2024, 1)', 17, 1, "syntax error: expected ',' before the day: write date(year, month, day), found ')'"],
  ['d = date', 9, 0, "syntax error: expected '(' after 'date': write date(year, month, day), found end of input"],
  ['a.endsWith(1)', 11, 3, 'syntax error: wrong arguments for endsWith: write endsWith("text") or endsWith("text", false) (caseSensitive)'],
  ['a.isNull(true)', 9, 6, 'syntax error: wrong arguments for isNull: write isNull()'],
  ['a.intersects("x")', 13, 5, 'syntax error: wrong arguments for intersects: write intersects(["a", "b"])'],
  ['a.contains(b)', 12, 1, "syntax error: expected a literal argument: write contains(\"text\") or contains(\"text\", false) (caseSensitive), found 'b'"],
  ['(a).isNull', 11, 0, "syntax error: expected '(' to call isNull: write isNull(), found end of input"],
];

describe('syntax diagnostics', () => {
  it.each(SYNTAX_ERRORS)('%s → at column %i (length %i): %s', (text, column, length, message) => {
    expect(parsePql(text)).toEqual({
      diagnostics: [expect.objectContaining({ severity: 'error', code: 'PQL-SYNTAX', message, line: 1, column, offset: column - 1, length })],
    });
  });

  it('reports lines and columns after a line break, columns in code points and offsets in UTF-16 units', () => {
    expect(parsePql('a = "😀" and\n  (b = 1')).toMatchObject({
      diagnostics: [{ message: "syntax error: expected ')' to close '(' opened at 2:3, found end of input", line: 2, column: 9, offset: 21 }],
    });
  });

  it('returns every lexer diagnostic instead of parsing', () => {
    expect(parsePql('a = "x\\q" or b = #')).toMatchObject({
      diagnostics: [{ column: 7, message: expect.stringMatching(/^syntax error: invalid escape/) }, { column: 18, message: "syntax error: unexpected character '#'" }],
    });
  });

  it('an empty or blank expression is PQL-EMPTY', () => {
    for (const text of ['', '   \n\t']) {
      expect(parsePql(text)).toMatchObject({ diagnostics: [{ code: 'PQL-EMPTY', message: 'expression is empty', line: 1, column: 1 }] });
    }
  });
});

/** [input, column, name in `unsupported PQL construct: <name>`] */
const UNSUPPORTED: ReadonlyArray<readonly [string, number, string]> = [
  ['if (a = 1, 1, 2) = 1', 1, 'if'],
  ['ifThenElse(a, b, c)', 1, 'ifThenElse'],
  ['let x = 1 in x', 1, 'let'],
  ['forall E from xEvent where E.a = 1', 1, 'forall'],
  ['d = yesterday', 5, 'yesterday'],
  ['t occurs on tomorrow', 13, 'tomorrow'],
  ['chain(xEvent, timestamp, [A, B])', 1, 'chain'],
  ['!a', 1, '!'],
  ['a = 1 ! b', 7, '!'],
  ['a ^ 2 = 4', 3, '^'],
  ['a => b', 3, '=>'],
  ['a = $1', 5, '$1'],
  ['count(xEvent) > 1', 1, 'count'],
  ['xEvent.count() > 1', 1, 'xEvent.count (only xEvent[<condition>].count() is supported)'],
  ['xEvent[a = 1].topN(a, 1)', 15, 'xEvent[…].topN'],
  ['a.topN(1)', 3, 'topN'],
  ['a.regexGroup("x")', 3, 'regexGroup'],
  ['a.get(1)', 3, 'get'],
  ['a.distinct().values', 14, '.values (field access on a computed value)'],
  ['currentMonth() = 1', 1, 'currentMonth'],
  ['a.getMonth() = 1', 3, 'getMonth'],
  ['sum(a) > 1', 1, 'sum(…) (write sum X.<field> over X from xEvent)'],
  ['exists E from profile.items where E.a = 1', 10, 'from profile.items'],
  ['select E from xEvent.productListItems where E.a = 1', 10, 'from xEvent.productListItems'],
  ['exists E from xEvent : E.a = 1', 22, ': (write "where <condition>")'],
  ['exists E from xEvent where E.a = 1, I from E.items where I.b = 2', 39, 'from E.items'],
];

describe('unsupported constructs', () => {
  it.each(UNSUPPORTED)('%s → unsupported at column %i: %s', (text, column, name) => {
    expect(parsePql(text)).toEqual({
      diagnostics: [expect.objectContaining({ code: 'PQL-UNSUPPORTED', message: `unsupported PQL construct: ${name}`, line: 1, column })],
    });
  });
});
