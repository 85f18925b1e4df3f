// SQL for the event constructs: exists/select as EXISTS, xEvent[…].count() and aggregates as correlated subqueries.
import type { AggregateNode, EventCountNode, ExistsNode, Expr, SelectNode } from './ast.js';
import { type CompileContext, type Fragment, PROFILE_ALIAS, type Scope, condition, value } from './compile-context.js';

type CompileNode = (node: Expr, scope: Scope, ctx: CompileContext) => Fragment;

/** Compiles an event construct; each gets a fresh alias, so nested scopes never shadow one another. */
export function compileEventNode(
  node: ExistsNode | SelectNode | AggregateNode | EventCountNode,
  scope: Scope,
  ctx: CompileContext,
  compileNode: CompileNode,
): Fragment {
  const alias = ctx.alias('e');
  const inner: Scope = node.kind === 'eventCount'
    ? { eventAlias: alias, variables: scope.variables }
    : { eventAlias: scope.eventAlias, variables: new Map(scope.variables).set(node.variable, alias) };
  const filter = node.kind === 'aggregate' && node.condition === null ? null : compileNode(node.kind === 'aggregate' ? node.condition as Expr : node.condition, inner, ctx).sql;
  // xEvent is all events of the profile (SPEC §5.3): every scope correlates with the profile row.
  const correlation = `${ctx.column(alias, '$profile')} = ${ctx.column(PROFILE_ALIAS, '$profile')}`;
  const from = `FROM ${ctx.relations.events} AS ${alias} WHERE ${correlation}${filter === null ? '' : ` AND ${filter}`}`;
  switch (node.kind) {
    case 'exists':
    case 'select':
      return condition(`EXISTS (SELECT 1 ${from})`, false);
    case 'eventCount':
      return value(`(SELECT count(*) ${from})`, false);
    case 'aggregate': {
      const column = compileNode(node.value, inner, ctx).sql;
      // sum over no events is 0; average/min/max over none stay NULL (missing).
      if (node.function === 'sum') return value(`(SELECT coalesce(sum(${column}), 0) ${from})`, false);
      const fn = node.function === 'average' ? 'avg' : node.function;
      return value(`(SELECT ${fn}(${column}) ${from})`);
    }
  }
}
