// The PQL compiler package: lexer, parser and AST today; checker and SQL emitter arrive with the segmentation issue.

/** The SQL dialects the compiler will target. */
export type SqlDialect = 'duckdb';

/** The dialects supported today, for callers that enumerate them. */
export const supportedDialects: readonly SqlDialect[] = ['duckdb'];

export { parsePql, DEFAULT_PARSE_LIMITS, type ParseResult, type ParseLimits } from './parser.js';
export { lexPql, type Token, type TokenKind, type LexResult } from './lexer.js';
export { positionAt, type Diagnostic, type DiagnosticCode, type Span, type Position } from './diagnostic.js';
export * from './ast.js';
