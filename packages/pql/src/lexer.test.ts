// Lexer tests: token kinds, values and positions, string escapes, and character errors.
import { describe, expect, it } from 'vitest';
import { lexPql } from './lexer.js';

function compact(text: string): string[] {
  return lexPql(text).tokens.map((t) => `${t.kind}:${t.text}@${t.line}:${t.column}`);
}

describe('lexPql', () => {
  it('produces words, numbers, strings and punctuation with 1-based lines and columns', () => {
    expect(compact('a.b >= 10 and\n  x != 1.25 "s"')).toEqual([
      'word:a@1:1', 'punct:.@1:2', 'word:b@1:3', 'punct:>=@1:5', 'integer:10@1:8', 'word:and@1:11',
      'word:x@2:3', 'punct:!=@2:5', 'decimal:1.25@2:8', 'string:"s"@2:13', 'eof:@2:16',
    ]);
  });

  it('lexes every operator of the grammar, longest first', () => {
    const texts = lexPql('( ) [ ] , . + - * / % = != < <= > >= ! ^ => :').tokens.map((t) => t.text);
    expect(texts).toEqual(['(', ')', '[', ']', ',', '.', '+', '-', '*', '/', '%', '=', '!=', '<', '<=', '>', '>=', '!', '^', '=>', ':', '']);
  });

  it('keeps keywords case-sensitive words, and xEvent, inSegment, notIn as spelled', () => {
    expect(lexPql('AND xEvent inSegment notIn').tokens.map((t) => `${t.kind}:${t.text}`)).toEqual([
      'word:AND', 'word:xEvent', 'word:inSegment', 'word:notIn', 'eof:',
    ]);
  });

  it('gives numbers their value and reads "1." as an integer followed by a dot', () => {
    const tokens = lexPql('42 3.50 1.a').tokens;
    expect(tokens.map((t) => [t.kind, t.value])).toEqual([
      ['integer', 42], ['decimal', 3.5], ['integer', 1], ['punct', null], ['word', null], ['eof', null],
    ]);
  });

  it('decodes the escapes \\" \\\\ \\n \\t and \\uXXXX', () => {
    const [token] = lexPql(String.raw`"a\"b\\c\nd\te\u00e9\u20AC"`).tokens;
    expect(token?.value).toBe('a"b\\c\nd\te\u00e9€');
    expect(lexPql('"a"').diagnostics).toEqual([]);
  });

  it('counts a character outside the BMP as one column', () => {
    expect(compact('"😀" x')).toEqual(['string:"😀"@1:1', 'word:x@1:5', 'eof:@1:6']);
  });

  it.each([
    [String.raw`"a\q"`, 3, 2, String.raw`syntax error: invalid escape '\q' in string: use \" \\ \n \t or \uXXXX (4 hex digits)`],
    [String.raw`"\u12G4"`, 2, 6, String.raw`syntax error: invalid escape '\u12G4' in string: use \" \\ \n \t or \uXXXX (4 hex digits)`],
    ['a = "abc', 5, 4, 'syntax error: unterminated string: add the closing \'"\' on the same line'],
    ['a = "ab\nc"', 5, 3, 'syntax error: unterminated string: add the closing \'"\' on the same line'],
    ["a = 'x'", 5, 1, "syntax error: unexpected character ''': strings are written in double quotes"],
    ['a && b', 3, 1, "syntax error: unexpected character '&': write 'and' / 'or'"],
    ['a = #', 5, 1, "syntax error: unexpected character '#'"],
    ['a = 99999999999999999', 5, 17, 'syntax error: integer 99999999999999999 is too large (at most 9007199254740991)'],
  ])('%s → diagnostic at column %i, length %i: %s', (text, column, length, message) => {
    expect(lexPql(text).diagnostics[0]).toMatchObject({ code: 'PQL-SYNTAX', line: 1, column, length, message });
  });

  it('stops after 20 problems, so 60,000 bad characters cost little', () => {
    const started = Date.now();
    expect(lexPql('#'.repeat(60_000)).diagnostics).toHaveLength(20);
    expect(lexPql(`"${'\\q'.repeat(30_000)}"`).diagnostics).toHaveLength(20);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('lexes $1 as an explicit parameter, for the parser to reject', () => {
    expect(lexPql('$12').tokens[0]).toMatchObject({ kind: 'parameter', text: '$12' });
  });
});
