// Renders a PQL diagnostic (SPEC §5.5) for a terminal: the message, the source line, and carets under the span.

export interface CliDiagnostic {
  readonly severity: string;
  readonly code: string;
  readonly message: string;
  /** 1-based, in Unicode code points. */
  readonly line: number;
  readonly column: number;
  readonly endLine?: number;
  readonly endColumn?: number;
  readonly suggestions?: readonly string[];
}

/**
 * ```
 * error PQL-UNKNOWN-FIELD (line 1, column 1): unknown field "person.name.fristName"
 *   person.name.fristName = "Jane"
 *   ^^^^^^^^^^^^^^^^^^^^^
 *   did you mean: person.name.firstName
 * ```
 * Carets cover the span when it ends on the same line (at least one caret); columns count code points, so an
 * emoji or an accented letter before the span does not shift them. Tabs in the line are kept under the carets.
 */
export function renderDiagnostic(source: string, diagnostic: CliDiagnostic): string {
  const lines = source.split(/\r\n|\r|\n/);
  const text = Array.from(lines[diagnostic.line - 1] ?? '');
  const start = Math.max(1, Math.min(diagnostic.column, text.length + 1));
  const end = diagnostic.endLine === diagnostic.line && diagnostic.endColumn !== undefined ? Math.max(diagnostic.endColumn, start + 1) : start + 1;
  const padding = text.slice(0, start - 1).map((character) => (character === '\t' ? '\t' : ' ')).join('');
  const out = [
    `${diagnostic.severity} ${diagnostic.code} (line ${diagnostic.line}, column ${diagnostic.column}): ${diagnostic.message}`,
    `  ${text.join('')}`,
    `  ${padding}${'^'.repeat(end - start)}`,
  ];
  if (diagnostic.suggestions !== undefined && diagnostic.suggestions.length > 0) out.push(`  did you mean: ${diagnostic.suggestions.join(', ')}`);
  return out.join('\n');
}
