// The PQL → SQL compiler: a dialect-neutral visitor over a checked tree, emitting one parameterised statement.
import type { Expr, NodeKind } from './ast.js';
import { chainOf } from './ast-walk.js';
import type { CheckedExpression } from './checker.js';
import { aggregateComparison, aggregateOccurs } from './compile-aggregate-tests.js';
import { compileEventNode } from './compile-events.js';
import { compileLiteral } from './compile-literals.js';
import { compileMethod } from './compile-methods.js';
import { CompileContext, FALSE, type Fragment, PROFILE_ALIAS, type Scope, type SegmentRelations, type SqlParameter, condition, value } from './compile-context.js';
import { compareWithConstant, compileOccurs, constantTime, lazyTemporal } from './compile-temporal.js';
import type { SqlDialect } from './dialect/dialect.js';
import { DIALECTS } from './dialect/dialects.js';

export interface CompiledSql {
  readonly sql: string;
  readonly parameters: readonly SqlParameter[];
}

export interface CompileOptions {
  readonly dialect: SqlDialect;
  /** The job's start instant: `now`, and `today` as its UTC date (SPEC §5.3). */
  readonly now: Date;
  readonly relations: SegmentRelations;
}

/**
 * Compiles a checked expression to `SELECT p."$profile" FROM <profiles> AS p WHERE <predicate>`.
 * Every string of the PQL text is a parameter (`$1…$n` in `parameters` order), never spliced.
 *
 * @example compilePql(checkPql('loyalty.tier = "gold"', { catalogue }).expression!, { dialect: 'duckdb', now, relations })
 * // { sql: 'SELECT p."$profile" FROM "$profiles" AS p WHERE (p."loyalty.tier" = $1)', parameters: ['gold'] }
 */
export function compilePql(expression: CheckedExpression, options: CompileOptions): CompiledSql {
  const ctx = new CompileContext(DIALECTS[options.dialect], expression.types, options.now.getTime(), options.relations);
  const root: Scope = { eventAlias: null, variables: new Map() };
  const predicate = compileNode(expression.ast, root, ctx).sql;
  const profile = ctx.column(PROFILE_ALIAS, '$profile');
  return { sql: `SELECT ${profile} FROM ${options.relations.profiles} AS ${PROFILE_ALIAS} WHERE ${predicate}`, parameters: ctx.parameters };
}

type Visitor<K extends NodeKind> = (node: Extract<Expr, { kind: K }>, scope: Scope, ctx: CompileContext) => Fragment;

/** Compiles any node to a fragment (a condition or a value). */
export function compileNode(node: Expr, scope: Scope, ctx: CompileContext): Fragment {
  const visit = VISITORS[node.kind] as Visitor<typeof node.kind>;
  return visit(node, scope, ctx);
}

/** A node as a value operand: a condition becomes a never-NULL boolean (two-valued logic). */
export function compileValue(node: Expr, scope: Scope, ctx: CompileContext): string {
  const fragment = compileNode(node, scope, ctx);
  return fragment.predicate && fragment.nullable ? `coalesce(${fragment.sql}, false)` : fragment.sql;
}

/** A condition that is true or false, never NULL (for `not`). */
function definite(fragment: Fragment): string {
  return fragment.nullable ? `coalesce(${fragment.sql}, false)` : fragment.sql;
}

const isNonZeroConstant = (node: Expr): boolean => (node.kind === 'integer' || node.kind === 'decimal') && node.value !== 0;
const isTimeConstant = (node: Expr): boolean => node.kind === 'now' || node.kind === 'today' || node.kind === 'date';
const FLIPPED = { '=': '=', '!=': '!=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' } as const;

const comparison: Visitor<'comparison'> = (node, scope, ctx) => {
  const grouped = aggregateComparison(node, scope, ctx, compileNode);
  if (grouped !== null) return grouped;
  const leftType = ctx.scalarTypeOf(node.left);
  const temporal = leftType === 'date' || leftType === 'date-time';
  // A temporal value against a constant time: a range on the value, never a cast of the column.
  if (temporal && isTimeConstant(node.right) !== isTimeConstant(node.left)) {
    const [subject, constant, operator] = isTimeConstant(node.right)
      ? [node.left, node.right, node.operator]
      : [node.right, node.left, FLIPPED[node.operator]];
    const time = constantTime(constant, ctx);
    const type = ctx.scalarTypeOf(subject) === 'date' ? 'date' : 'date-time';
    if (time !== null) return compareWithConstant(lazyTemporal(() => compileValue(subject, scope, ctx), type), operator, time.ms, ctx);
  }
  const operator = node.operator === '!=' ? '<>' : node.operator;
  return condition(`(${compileValue(node.left, scope, ctx)} ${operator} ${compileValue(node.right, scope, ctx)})`, true);
};

/** `a AND b AND …` / `a OR b OR …` for a whole chain, flat (NULL operands stay false-like: both are monotone). */
function logicalChain(node: Extract<Expr, { kind: 'and' | 'or' }>, scope: Scope, ctx: CompileContext): Fragment {
  const operands = chainOf(node).operands.map((operand) => compileNode(operand, scope, ctx));
  const keyword = node.kind === 'and' ? ' AND ' : ' OR ';
  return condition(`(${operands.map((operand) => operand.sql).join(keyword)})`, operands.some((operand) => operand.nullable));
}

const VISITORS: { readonly [K in NodeKind]: Visitor<K> } = {
  string: (node, _scope, ctx) => value(compileLiteral(node, ctx), false),
  integer: (node, _scope, ctx) => value(compileLiteral(node, ctx), false),
  decimal: (node, _scope, ctx) => value(compileLiteral(node, ctx), false),
  boolean: (node, _scope, ctx) => value(compileLiteral(node, ctx), false),
  date: (node, _scope, ctx) => value(compileLiteral(node, ctx), false),
  now: (node, _scope, ctx) => value(compileLiteral(node, ctx), false),
  today: (node, _scope, ctx) => value(compileLiteral(node, ctx), false),
  array: (node, _scope, ctx) => value(compileLiteral(node, ctx), false),
  path: (node, scope, ctx) => {
    const path = node.segments.join('.');
    if (node.scope === 'profile') return value(ctx.column(PROFILE_ALIAS, path));
    const alias = node.scope === 'event' ? scope.eventAlias : scope.variables.get(node.variable ?? '');
    if (alias === undefined || alias === null) throw new Error(`internal error: no event in scope for ${path}`);
    return value(ctx.column(alias, path));
  },
  negate: (node, scope, ctx) => value(`(- ${compileValue(node.operand, scope, ctx)})`),
  arithmetic: (node, scope, ctx) => {
    const left = compileValue(node.left, scope, ctx);
    const right = compileValue(node.right, scope, ctx);
    const nonZero = isNonZeroConstant(node.right);
    if (node.operator === '/') return value(ctx.dialect.divide(left, right, nonZero));
    if (node.operator === '%') return value(ctx.dialect.modulo(left, right, nonZero));
    return value(`(${left} ${node.operator} ${right})`);
  },
  comparison,
  and: (node, scope, ctx) => logicalChain(node, scope, ctx),
  or: (node, scope, ctx) => logicalChain(node, scope, ctx),
  not: (node, scope, ctx) => condition(`(NOT ${definite(compileNode(node.operand, scope, ctx))})`, false),
  in: (node, scope, ctx) => {
    // `in []` is false without looking at the value (whose string parameters must then not be bound).
    if (node.list.elements.length === 0 && node.operator === 'in') return FALSE;
    const subject = compileValue(node.value, scope, ctx);
    if (node.list.elements.length === 0) return condition(`(${subject} IS NOT NULL)`, false);
    const list = node.list.elements.map((element) => compileLiteral(element, ctx)).join(', ');
    return condition(`(${subject} ${node.operator === 'in' ? 'IN' : 'NOT IN'} (${list}))`, true);
  },
  like: (node, scope, ctx) => {
    // A trailing lone `\` escapes nothing: it stands for itself (SQL engines reject it as an escape).
    const trailing = /(?<!\\)(?:\\\\)*\\$/.test(node.pattern.value);
    const pattern = trailing ? `${node.pattern.value}\\` : node.pattern.value;
    return condition(ctx.dialect.like(compileValue(node.value, scope, ctx), ctx.parameter(pattern)), true);
  },
  methodCall: (node, scope, ctx) => compileMethod(node, ctx, (inner) => compileValue(inner, scope, ctx)),
  occurs: (node, scope, ctx) => aggregateOccurs(node, scope, ctx, compileNode)
    ?? compileOccurs(node, scope, ctx, (inner, innerScope) => compileValue(inner, innerScope, ctx)),
  exists: (node, scope, ctx) => compileEventNode(node, scope, ctx, compileNode),
  select: (node, scope, ctx) => compileEventNode(node, scope, ctx, compileNode),
  aggregate: (node, scope, ctx) => compileEventNode(node, scope, ctx, compileNode),
  eventCount: (node, scope, ctx) => compileEventNode(node, scope, ctx, compileNode),
  inSegment: (node, _scope, ctx) => {
    const m = ctx.alias('m');
    const members = `SELECT ${ctx.column(m, '$profile')} FROM ${ctx.relations.memberships} AS ${m} WHERE ${ctx.column(m, '$segment')} = ${ctx.parameter(node.segmentId)}`;
    return condition(`(${ctx.column(PROFILE_ALIAS, '$profile')} IN (${members}))`, false);
  },
};
