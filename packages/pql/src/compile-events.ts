// SQL for the event constructs. When a condition reads only its own event, exists/select and tests of an aggregate
// become semi-joins on events grouped by profile (as one would write by hand); otherwise correlated subqueries.
import type { AggregateNode, EventCountNode, ExistsNode, Expr, SelectNode } from './ast.js';
import { readsOnlyItsEvent } from './ast-walk.js';
import { type CompileContext, FALSE, type Fragment, PROFILE_ALIAS, type Scope, condition, value } from './compile-context.js';

type CompileNode = (node: Expr, scope: Scope, ctx: CompileContext) => Fragment;
export type EventAggregate = AggregateNode | EventCountNode;

/** The condition of an event construct (`null` for an aggregate without `where`). */
const conditionOf = (node: ExistsNode | SelectNode | EventAggregate): Expr | null => node.condition;
const variableOf = (node: ExistsNode | SelectNode | EventAggregate): string | null => (node.kind === 'eventCount' ? null : node.variable);

/** Whether the construct reads only its own events, so it can be evaluated for all profiles at once. */
export function isSelfContained(node: ExistsNode | SelectNode | EventAggregate): boolean {
  const filter = conditionOf(node);
  return filter === null || readsOnlyItsEvent(filter, variableOf(node));
}

/** The scope inside an event construct bound to `alias`. */
function innerScope(node: ExistsNode | SelectNode | EventAggregate, scope: Scope, alias: string): Scope {
  return node.kind === 'eventCount'
    ? { eventAlias: alias, variables: scope.variables }
    : { eventAlias: scope.eventAlias, variables: new Map(scope.variables).set(node.variable, alias) };
}

/** `FROM <events> AS alias WHERE …` with the profile correlation (when `correlated`) and the construct's condition. */
function fromEvents(node: ExistsNode | SelectNode | EventAggregate, inner: Scope, alias: string, correlated: boolean, ctx: CompileContext, compileNode: CompileNode): string {
  const filter = conditionOf(node);
  const parts: string[] = [];
  // xEvent is all events of the profile (SPEC §5.3): every correlated scope joins the profile row.
  if (correlated) parts.push(`${ctx.column(alias, '$profile')} = ${ctx.column(PROFILE_ALIAS, '$profile')}`);
  if (filter !== null) parts.push(compileNode(filter, inner, ctx).sql);
  return `FROM ${ctx.relations.events} AS ${alias}${parts.length === 0 ? '' : ` WHERE ${parts.join(' AND ')}`}`;
}

/** `p."$profile" IN (SELECT e."$profile" FROM <events> AS e WHERE … [tail])`: never NULL. */
function profileIn(alias: string, from: string, tail: string, ctx: CompileContext): string {
  return `(${ctx.column(PROFILE_ALIAS, '$profile')} IN (SELECT ${ctx.column(alias, '$profile')} ${from}${tail}))`;
}

/** The SQL aggregate of `node` over the rows of `alias` (sum without its none-value default). */
function aggregateSql(node: EventAggregate, inner: Scope, ctx: CompileContext, compileNode: CompileNode): string {
  if (node.kind === 'eventCount') return 'count(*)';
  const column = compileNode(node.value, inner, ctx).sql;
  return `${node.function === 'average' ? 'avg' : node.function}(${column})`;
}

/** Compiles an event construct as a correlated subquery; each gets a fresh alias, so nested scopes never shadow. */
export function compileEventNode(node: ExistsNode | SelectNode | EventAggregate, scope: Scope, ctx: CompileContext, compileNode: CompileNode): Fragment {
  const alias = ctx.alias('e');
  const inner = innerScope(node, scope, alias);
  if ((node.kind === 'exists' || node.kind === 'select') && isSelfContained(node)) {
    return condition(profileIn(alias, fromEvents(node, inner, alias, false, ctx, compileNode), '', ctx), false);
  }
  const from = fromEvents(node, inner, alias, true, ctx, compileNode);
  switch (node.kind) {
    case 'exists':
    case 'select':
      return condition(`EXISTS (SELECT 1 ${from})`, false);
    case 'eventCount':
      return value(`(SELECT count(*) ${from})`, false);
    case 'aggregate': {
      const aggregate = aggregateSql(node, inner, ctx, compileNode);
      // sum over no events is 0; average/min/max over none stay NULL (missing).
      return node.function === 'sum' ? value(`(SELECT coalesce(${aggregate}, 0) ${from})`, false) : value(`(SELECT ${aggregate} ${from})`);
    }
  }
}

/**
 * A test of a self-contained aggregate (`count() >= 3`, `(max …) occurs this month`) as a semi-join on events
 * grouped by profile. `test` builds the condition on the aggregate's SQL (NULL = false). Profiles without
 * matching events have the aggregate's none-value (0 for count/sum, missing otherwise): when that value
 * passes the test (`noneHolds`), the members are the profiles NOT among the groups failing it.
 */
export function compileAggregateTest(node: EventAggregate, ctx: CompileContext, compileNode: CompileNode, test: (aggregate: string) => Fragment, noneHolds: boolean): Fragment {
  const alias = ctx.alias('e');
  const inner = innerScope(node, { eventAlias: null, variables: new Map() }, alias);
  const aggregate = aggregateSql(node, inner, ctx, compileNode);
  const summed = node.kind === 'aggregate' && node.function === 'sum';
  if (!noneHolds) {
    const having = test(aggregate);
    if (having.sql === 'false') return FALSE;
    const from = fromEvents(node, inner, alias, false, ctx, compileNode);
    return condition(profileIn(alias, from, ` GROUP BY ${ctx.column(alias, '$profile')} HAVING ${having.sql}`, ctx), false);
  }
  // A group whose sum is NULL (values all missing) counts as the none-value 0, like a profile without events.
  const having = test(summed ? `coalesce(${aggregate}, 0)` : aggregate);
  const failing = having.nullable ? `NOT coalesce(${having.sql}, false)` : `NOT ${having.sql}`;
  const from = fromEvents(node, inner, alias, false, ctx, compileNode);
  return condition(`(NOT ${profileIn(alias, from, ` GROUP BY ${ctx.column(alias, '$profile')} HAVING ${failing}`, ctx)})`, false);
}
