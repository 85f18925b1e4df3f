// The PQL package: parse (lexer, parser, AST), check (types, fields, audiences) and compile to SQL for a dialect.

export { type SqlDialect, type DialectAdapter, type Temporal, type TemporalType } from './dialect/dialect.js';
export { supportedDialects } from './dialect/dialects.js';
export { duckdbDialect } from './dialect/duckdb-dialect.js';
export { parsePql, DEFAULT_PARSE_LIMITS, type ParseResult, type ParseLimits } from './parser.js';
export { lexPql, type Token, type TokenKind, type LexResult } from './lexer.js';
export { positionAt, type Diagnostic, type DiagnosticCode, type Span, type Position } from './diagnostic.js';
export { type FieldType, type ScalarType, type CatalogueField, type FieldCatalogue, type ValueType } from './catalogue.js';
export { type SegmentInfo } from './segment-check.js';
export { checkPql, type CheckOptions, type CheckResult, type CheckedExpression } from './checker.js';
export { compilePql, type CompileOptions, type CompiledSql } from './compiler.js';
export { type SqlParameter, type SegmentRelations } from './compile-context.js';
export * from './ast.js';
