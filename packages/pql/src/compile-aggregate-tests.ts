// Recognises tests of a self-contained event aggregate against constants, to compile them as grouped semi-joins.
import type { ComparisonNode, ComparisonOperator, Expr, OccursNode } from './ast.js';
import { type CompileContext, type Fragment, type Scope, condition } from './compile-context.js';
import { type EventAggregate, compileAggregateTest, isSelfContained } from './compile-events.js';
import { compareWithConstant, compileOccurs, constantTime, lazyTemporal } from './compile-temporal.js';

type CompileNode = (node: Expr, scope: Scope, ctx: CompileContext) => Fragment;

const FLIPPED: Readonly<Record<ComparisonOperator, ComparisonOperator>> = { '=': '=', '!=': '!=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

function asSelfContainedAggregate(node: Expr): EventAggregate | null {
  return (node.kind === 'aggregate' || node.kind === 'eventCount') && isSelfContained(node) ? node : null;
}

/** The value of a numeric constant (`3`, `2.5`, `-1`), or `null`. */
function constantNumber(node: Expr): number | null {
  if (node.kind === 'integer' || node.kind === 'decimal') return node.value;
  if (node.kind === 'negate') {
    const inner = constantNumber(node.operand);
    return inner === null ? null : -inner;
  }
  return null;
}

function holds(left: number, operator: ComparisonOperator, right: number): boolean {
  switch (operator) {
    case '=': return left === right;
    case '!=': return left !== right;
    case '<': return left < right;
    case '<=': return left <= right;
    case '>': return left > right;
    case '>=': return left >= right;
  }
}

/** `aggregate <op> constant` (either side) as a semi-join, or `null` when the shape does not fit. */
export function aggregateComparison(node: ComparisonNode, scope: Scope, ctx: CompileContext, compileNode: CompileNode): Fragment | null {
  const leftAggregate = asSelfContainedAggregate(node.left);
  const subject = leftAggregate ?? asSelfContainedAggregate(node.right);
  if (subject === null) return null;
  const [constant, operator] = leftAggregate !== null ? [node.right, node.operator] : [node.left, FLIPPED[node.operator]];
  const number = constantNumber(constant);
  if (number !== null) {
    const noneIsZero = subject.kind === 'eventCount' || subject.function === 'sum';
    const constantSql = compileNode(constant, scope, ctx).sql;
    const sqlOperator = operator === '!=' ? '<>' : operator;
    return compileAggregateTest(subject, ctx, compileNode, (aggregate) => condition(`${aggregate} ${sqlOperator} ${constantSql}`, true), noneIsZero && holds(0, operator, number));
  }
  const time = constantTime(constant, ctx);
  if (time === null || subject.kind !== 'aggregate') return null;
  const type = ctx.scalarTypeOf(subject) === 'date' ? 'date' : 'date-time';
  return compileAggregateTest(subject, ctx, compileNode, (aggregate) => compareWithConstant(lazyTemporal(() => aggregate, type), operator, time.ms, ctx), false);
}

/** `(min|max …) occurs <condition with constant times>` as a semi-join, or `null`. */
export function aggregateOccurs(node: OccursNode, scope: Scope, ctx: CompileContext, compileNode: CompileNode): Fragment | null {
  const subject = asSelfContainedAggregate(node.value);
  const c = node.condition;
  const times = c.form === 'calendar' ? [] : c.form === 'between' ? [c.from, c.to] : [c.time];
  if (subject === null || !times.every((time) => constantTime(time, ctx) !== null)) return null;
  return compileAggregateTest(subject, ctx, compileNode, (aggregate) =>
    compileOccurs(node, scope, ctx, (inner, innerScope) => (inner === node.value ? aggregate : compileNode(inner, innerScope, ctx).sql)), false);
}
