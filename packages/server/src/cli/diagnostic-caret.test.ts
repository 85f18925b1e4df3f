import { describe, expect, it } from 'vitest';
import { renderDiagnostic } from './diagnostic-caret.js';

describe('renderDiagnostic', () => {
  it('puts carets under the span of the line, with the suggestions below', () => {
    const text = renderDiagnostic('person.name.fristName = "Jane"', {
      severity: 'error', code: 'PQL-UNKNOWN-FIELD', message: 'unknown field "person.name.fristName"', line: 1, column: 1, endLine: 1, endColumn: 22, suggestions: ['person.name.firstName'],
    });
    expect(text).toBe([
      'error PQL-UNKNOWN-FIELD (line 1, column 1): unknown field "person.name.fristName"',
      '  person.name.fristName = "Jane"',
      '  ^^^^^^^^^^^^^^^^^^^^^',
      '  did you mean: person.name.firstName',
    ].join('\n'));
  });

  it('counts columns in code points and picks the right line', () => {
    const text = renderDiagnostic('a = 1 and\n\t"😀" = x.y', { severity: 'error', code: 'PQL-UNKNOWN-FIELD', message: 'unknown field "x.y"', line: 2, column: 8, endLine: 2, endColumn: 11 });
    expect(text.split('\n').slice(1)).toEqual(['  \t"😀" = x.y', '  \t      ^^^']);
  });

  it('shows one caret when the span ends on another line or has no end', () => {
    const text = renderDiagnostic('x = (1', { severity: 'error', code: 'PQL-SYNTAX', message: 'syntax error: expected ")", found end of input', line: 1, column: 7 });
    expect(text.split('\n')[2]).toBe('        ^');
  });
});
