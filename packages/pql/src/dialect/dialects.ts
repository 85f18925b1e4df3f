// The registry of dialect adapters: one entry per `SqlDialect`, so adding a dialect is adding an adapter here.
import type { DialectAdapter, SqlDialect } from './dialect.js';
import { duckdbDialect } from './duckdb-dialect.js';

export const DIALECTS: Readonly<Record<SqlDialect, DialectAdapter>> = { duckdb: duckdbDialect };

/** The dialects supported today, for callers that enumerate them. */
export const supportedDialects: readonly SqlDialect[] = Object.keys(DIALECTS) as SqlDialect[];
