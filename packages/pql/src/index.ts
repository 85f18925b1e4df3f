// The PQL compiler package: lexer, parser, checker and SQL emitter arrive with the segmentation issue.

/** The SQL dialects the compiler will target. */
export type SqlDialect = 'duckdb';

/** The dialects supported today, for callers that enumerate them. */
export const supportedDialects: readonly SqlDialect[] = ['duckdb'];
