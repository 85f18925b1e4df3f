// What a PQL tree reads, worked out independently of the checker: profile paths, event paths and inSegment ids, in
// order of first use (source order), to check CheckResult.fields/dependencies; and the columns a compiled SQL reads.
import { assertNever, type Expr } from '../../src/ast.js';

export interface UsedFields {
  readonly profile: readonly string[];
  readonly event: readonly string[];
  readonly segments: readonly string[];
}

/** The fields and audiences `expression` uses, each list unique and in source order. */
export function usedFields(expression: Expr): UsedFields {
  const profile = new Set<string>();
  const event = new Set<string>();
  const segments = new Set<string>();
  const visit = (node: Expr): void => {
    switch (node.kind) {
      case 'string': case 'integer': case 'decimal': case 'boolean': case 'date': case 'now': case 'today':
        return;
      case 'path':
        (node.scope === 'profile' ? profile : event).add(node.segments.join('.'));
        return;
      case 'inSegment':
        segments.add(node.segmentId);
        return;
      case 'array': node.elements.forEach(visit); return;
      case 'negate': case 'not': visit(node.operand); return;
      case 'arithmetic': case 'comparison': case 'and': case 'or': visit(node.left); visit(node.right); return;
      case 'in': visit(node.value); return;
      case 'like': visit(node.value); return;
      case 'methodCall': visit(node.target); return;
      case 'occurs': {
        visit(node.value);
        const c = node.condition;
        if (c.form === 'between') { visit(c.from); visit(c.to); } else if (c.form !== 'calendar') visit(c.time);
        return;
      }
      case 'exists': case 'select': case 'eventCount': visit(node.condition); return;
      case 'aggregate': visit(node.value); if (node.condition !== null) visit(node.condition); return;
      default: assertNever(node);
    }
  };
  visit(expression);
  return { profile: [...profile], event: [...event], segments: [...segments] };
}

/** The columns every relation has besides catalogue fields, and the relations themselves (contract §1). */
const BUILTIN_NAMES: ReadonlySet<string> = new Set(['$profile', '$segment', 'timestamp', '_id', '$profiles', '$events', '$memberships']);

/**
 * The quoted identifiers of `sql` that are neither relations nor built-in columns: the catalogue columns it reads.
 * (Strings are parameters, so every `"…"` of the SQL is an identifier; `""` is an escaped quote.)
 */
export function columnsRead(sql: string): string[] {
  const names = new Set<string>();
  for (const match of sql.matchAll(/"((?:[^"]|"")*)"/g)) {
    const name = (match[1] ?? '').replaceAll('""', '"');
    if (!BUILTIN_NAMES.has(name)) names.add(name);
  }
  return [...names];
}
