// The state of one compilation: the dialect, parameters, aliases, `now`, and the SQL fragment type the walk returns.
import type { Expr } from './ast.js';
import type { ScalarType, ValueType } from './catalogue.js';
import type { DialectAdapter } from './dialect/dialect.js';

/** A value that becomes a positional parameter. */
export type SqlParameter = string | number | boolean | bigint;

/** Relation names for the compiled statement (SQL text, already quoted). */
export interface SegmentRelations {
  readonly profiles: string;
  readonly events: string;
  readonly memberships: string;
}

/**
 * A compiled node. `sql` is a complete operand (parenthesised when composite). For conditions, SQL
 * NULL stands for false (two-valued logic, SPEC §5.3) and `nullable` says whether it can occur: a
 * context that negates the condition must then coalesce it. For values, NULL means missing.
 */
export interface Fragment {
  readonly sql: string;
  readonly nullable: boolean;
  /** True for conditions (comparisons, methods, …), whose NULL means false rather than a missing value. */
  readonly predicate: boolean;
}

/** What a bare or variable path refers to at one point of the tree: the aliases of the enclosing event scopes. */
export interface Scope {
  /** The alias of the innermost `xEvent[ … ]` event, for its bare (event) paths. */
  readonly eventAlias: string | null;
  /** Variable of `exists`/`select`/aggregates → alias of its event row. */
  readonly variables: ReadonlyMap<string, string>;
}

export const PROFILE_ALIAS = 'p';

export class CompileContext {
  readonly parameters: SqlParameter[] = [];
  private aliasCount = 0;

  constructor(
    readonly dialect: DialectAdapter,
    readonly types: ReadonlyMap<Expr, ValueType>,
    readonly nowMs: number,
    readonly relations: SegmentRelations,
  ) {}

  /** Binds `value` and returns its placeholder. */
  parameter(value: SqlParameter): string {
    this.parameters.push(value);
    return this.dialect.parameter(this.parameters.length);
  }

  /** A fresh alias (`e1`, `e2`, …) so nested event scopes never shadow each other. */
  alias(prefix: 'e' | 'm'): string {
    this.aliasCount++;
    return `${prefix}${this.aliasCount}`;
  }

  /** `alias."column"`. */
  column(alias: string, name: string): string {
    return `${alias}.${this.dialect.quoteIdentifier(name)}`;
  }

  typeOf(node: Expr): ValueType {
    const type = this.types.get(node);
    if (type === undefined) throw new Error(`internal error: no type for a ${node.kind} node (compile only checked expressions)`);
    return type;
  }

  scalarTypeOf(node: Expr): ScalarType {
    const type = this.typeOf(node);
    return type.type === 'array' ? 'string' : type.type;
  }
}

export const condition = (sql: string, nullable: boolean): Fragment => ({ sql, nullable, predicate: true });
export const value = (sql: string, nullable = true): Fragment => ({ sql, nullable, predicate: false });
export const FALSE: Fragment = condition('false', false);
