// Quoting for the SQL text the engine writes itself: identifiers (dotted field paths) and its own string constants.

/** `"name"` with embedded quotes doubled: field paths contain dots, so every column reference is quoted. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * A SQL string literal, for text the engine owns or the schema declares (paths, namespaces, messages, lake and
 * scratch file paths — DuckDB table functions in views and COPY cannot take bound parameters). Values that come
 * from uploaded files or requests are always bound instead.
 */
export function sqlStringLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
