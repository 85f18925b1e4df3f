// The PQL checker: parses an expression and type-checks it against a field catalogue and the sandbox's audiences.
import type { Expr } from './ast.js';
import type { FieldCatalogue, ValueType } from './catalogue.js';
import { CheckContext } from './check-context.js';
import { expectCondition } from './check-rules.js';
import { chainHeight } from './ast-walk.js';
import { type Diagnostic, diagnosticAt } from './diagnostic.js';
import { parsePql } from './parser.js';
import type { SegmentInfo } from './segment-check.js';

export interface CheckOptions {
  readonly catalogue: FieldCatalogue;
  /** Looks up audiences of the sandbox for inSegment (unknown → PQL-UNKNOWN-SEGMENT). Omitted → every inSegment id is unknown. */
  readonly segment?: (id: string) => SegmentInfo | undefined;
  /** The audience being checked (for PQL-CYCLE: following dependencies from a referenced id back to selfId). */
  readonly selfId?: string;
  /** The merge policy of the audience being checked (PQL-MERGE-POLICY-MISMATCH). */
  readonly mergePolicyId?: string;
}

/**
 * The deepest tree accepted (a chain of `and` or of `or` counts as one level): the
 * checker and compiler recurse per level, and SQL engines bound expression depth (DuckDB: 1,000).
 */
export const MAX_HEIGHT = 250;

declare const checkedBrand: unique symbol;

/**
 * A type-checked expression, the only input `compilePql` accepts: the tree and the type of every
 * node. Obtain it from `checkPql`; its shape is not part of the contract.
 */
export interface CheckedExpression {
  readonly [checkedBrand]: true;
  readonly ast: Expr;
  readonly types: ReadonlyMap<Expr, ValueType>;
}

export interface CheckResult {
  /** No diagnostic of severity error. */
  readonly ok: boolean;
  /** SPEC §5.5 diagnostics: the parse errors, or every problem the checker found. */
  readonly diagnostics: readonly Diagnostic[];
  /** Present when `ok`. */
  readonly expression: CheckedExpression | undefined;
  /** The ids referenced by inSegment, in first-use order, unique. */
  readonly dependencies: readonly string[];
  /** The profile paths used, then the event paths used as `xEvent.<path>`, each in first-use order, unique. */
  readonly fields: readonly string[];
}

/**
 * Parses and checks a PQL expression (SPEC §5.2). Never throws on any input text: every problem is
 * a diagnostic, and the checker reports all the type, field and audience problems it finds.
 *
 * @example checkPql('loyalty.points >= 1000', { catalogue }) // { ok: true, diagnostics: [], fields: ['loyalty.points'], … }
 */
export function checkPql(text: string, options: CheckOptions): CheckResult {
  const parsed = parsePql(text);
  if (!('ast' in parsed)) {
    return { ok: false, diagnostics: parsed.diagnostics, expression: undefined, dependencies: [], fields: [] };
  }
  const height = chainHeight(parsed.ast);
  if (height > MAX_HEIGHT) {
    const message = `expression is nested too deeply: ${height} levels, at most ${MAX_HEIGHT}; simplify it or split it into audiences combined with inSegment`;
    return { ok: false, diagnostics: [diagnosticAt(text, parsed.ast.span, 'PQL-SYNTAX', message)], expression: undefined, dependencies: [], fields: [] };
  }
  const ctx = new CheckContext(text, options.catalogue, options);
  expectCondition(parsed.ast, 'the expression', ctx);
  const ok = ctx.diagnostics.length === 0;
  const expression = ok ? ({ ast: parsed.ast, types: ctx.types } as unknown as CheckedExpression) : undefined;
  return {
    ok,
    diagnostics: [...ctx.diagnostics].sort((a, b) => a.offset - b.offset),
    expression,
    dependencies: [...ctx.dependencies],
    fields: [...ctx.profileFields, ...[...ctx.eventFields].map((path) => `xEvent.${path}`)],
  };
}
