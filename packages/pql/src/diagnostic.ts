// Diagnostics of the PQL front end: the §5.5 shape, built from source offsets.

/** A half-open range of the source text, in UTF-16 offsets (`text.slice(offset, offset + length)`). */
export interface Span {
  readonly offset: number;
  readonly length: number;
}

/** The diagnostic codes of SPEC §5.5: the lexer and parser produce the first three, the checker the others. */
export type DiagnosticCode =
  | 'PQL-SYNTAX' | 'PQL-UNSUPPORTED' | 'PQL-EMPTY'
  | 'PQL-UNKNOWN-FIELD' | 'PQL-TYPE-MISMATCH' | 'PQL-UNKNOWN-SEGMENT' | 'PQL-CYCLE' | 'PQL-MERGE-POLICY-MISMATCH'
  | 'PQL-INVALID-REGEX';

/**
 * One problem in a PQL expression (SPEC §5.5). `line`/`column` (1-based, counted in Unicode code
 * points) locate its start, `endLine`/`endColumn` its end (exclusive); `offset`/`length` are the same
 * range in UTF-16 offsets, for editors that work on JavaScript strings. The message says how to fix it.
 *
 * @example { severity: 'error', code: 'PQL-SYNTAX', message: "syntax error: expected ')' to close '(' opened at 1:1, found end of input", line: 1, column: 7, ... }
 */
export interface Diagnostic {
  readonly severity: 'error';
  readonly code: DiagnosticCode;
  readonly message: string;
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
  readonly offset: number;
  readonly length: number;
  /** The grammar element concerned (`literal`, `method`, `occurs`, …), when one is known. */
  readonly construct?: string;
  /** Likely intended values (e.g. field paths close to an unknown one), best first; absent when there are none. */
  readonly suggestions?: readonly string[];
}

/** A 1-based line and column (in code points) of a source offset. */
export interface Position {
  readonly line: number;
  readonly column: number;
}

/** The line and column of `offset` in `text`; lines end at `\n`, columns count code points. */
export function positionAt(text: string, offset: number): Position {
  let line = 1;
  let column = 1;
  for (let i = 0; i < offset && i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x0a) {
      line++;
      column = 1;
    } else if (!(code >= 0xdc00 && code <= 0xdfff && i > 0 && isHighSurrogate(text.charCodeAt(i - 1)))) {
      column++;
    }
  }
  return { line, column };
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** Builds a diagnostic for `span` of `text`. */
export function diagnosticAt(
  text: string,
  span: Span,
  code: DiagnosticCode,
  message: string,
  construct?: string,
  suggestions?: readonly string[],
): Diagnostic {
  const start = positionAt(text, span.offset);
  const end = positionAt(text, span.offset + span.length);
  const base = {
    severity: 'error' as const,
    code,
    message,
    line: start.line,
    column: start.column,
    endLine: end.line,
    endColumn: end.column,
    offset: span.offset,
    length: span.length,
  };
  const withConstruct = construct === undefined ? base : { ...base, construct };
  return suggestions === undefined || suggestions.length === 0 ? withConstruct : { ...withConstruct, suggestions };
}
