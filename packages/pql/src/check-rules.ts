// The type rules of PQL (SPEC §5.2): one rule per node kind, inferring a node's type or reporting why it has none.
import type { ArrayLiteral, Expr, Literal, MethodCallNode, NodeKind, OccursNode, TimeExpr } from './ast.js';
import { chainOf } from './ast-walk.js';
import { type ScalarType, type ValueType, comparable, isNumeric, isTemporal, scalar, typeName } from './catalogue.js';
import type { CheckContext } from './check-context.js';
import { regexProblem } from './regex-check.js';
import { segmentProblem } from './segment-check.js';

type Rule<K extends NodeKind> = (node: Extract<Expr, { kind: K }>, ctx: CheckContext) => ValueType | null;

const BOOLEAN = scalar('boolean');
const INTEGER = scalar('integer');

/** Infers the type of `node` (recording it in `ctx.types`), or reports diagnostics and returns `null`. */
export function typeOf(node: Expr, ctx: CheckContext): ValueType | null {
  const rule = RULES[node.kind] as Rule<typeof node.kind>;
  const type = rule(node, ctx);
  if (type !== null) ctx.types.set(node, type);
  return type;
}

/** Checks that `node` is a condition; `owner` names what needs it in the message (`and`, `where`, …). */
export function expectCondition(node: Expr, owner: string, ctx: CheckContext): boolean {
  const type = typeOf(node, ctx);
  if (type === null) return false;
  if (type.type === 'boolean') return true;
  ctx.mismatch(node.span, `${owner} expects boolean, found ${typeName(type)}: write a condition, e.g. a comparison`, construct(node));
  return false;
}

/** The grammar element a node is named by in diagnostics. */
function construct(node: Expr): string {
  switch (node.kind) {
    case 'string': case 'integer': case 'decimal': case 'boolean': case 'date': case 'now': case 'today': case 'array':
      return 'literal';
    case 'methodCall': return 'method';
    case 'select': return 'exists';
    case 'eventCount': return 'count';
    default: return node.kind;
  }
}

/** The element type of an array literal, or `null` (after reporting) for arrays of arrays. */
function listType(list: ArrayLiteral, ctx: CheckContext, owner: string): ValueType | null {
  for (const element of list.elements) ctx.types.set(element, literalType(element));
  if (list.elementType === 'array') return ctx.mismatch(list.span, `${owner} expects an array of single values, found an array of arrays`, 'literal');
  const items: ScalarType | null = list.elementType;
  const type: ValueType = { type: 'array', items };
  ctx.types.set(list, type);
  return type;
}

function literalType(literal: Literal): ValueType {
  switch (literal.kind) {
    case 'string': return scalar('string');
    case 'integer': return INTEGER;
    case 'decimal': return scalar('number');
    case 'boolean': return BOOLEAN;
    case 'date': case 'today': return scalar('date');
    case 'now': return scalar('date-time');
    case 'array': return { type: 'array', items: literal.elementType === 'array' ? null : literal.elementType };
  }
}

/** Whether the elements of `list` (items `null` = `[]`) may be compared with values of `items`. */
function itemsFit(items: ScalarType, list: ValueType): boolean {
  return list.type === 'array' && (list.items === null || comparable(items, list.items));
}

/** A left-nested run of arithmetic (`a + b * c - d`): walked with a loop, so long chains cannot exhaust the stack. */
function arithmetic(node: Extract<Expr, { kind: 'arithmetic' }>, ctx: CheckContext): ValueType | null {
  const spine: Array<Extract<Expr, { kind: 'arithmetic' }>> = [];
  let leftmost: Expr = node;
  while (leftmost.kind === 'arithmetic') {
    spine.push(leftmost);
    leftmost = leftmost.left;
  }
  let type = numericOperand(leftmost, spine[spine.length - 1]?.operator ?? node.operator, ctx);
  for (const current of spine.reverse()) {
    const right = numericOperand(current.right, current.operator, ctx);
    if (type === null || right === null) {
      type = null;
      continue;
    }
    const integral = type.type === 'integer' && right.type === 'integer' && current.operator !== '/';
    type = integral ? INTEGER : scalar('number');
    ctx.types.set(current, type);
  }
  return type;
}

function numericOperand(operand: Expr, operator: string, ctx: CheckContext): ValueType | null {
  const type = typeOf(operand, ctx);
  if (type === null) return null;
  return isNumeric(type) ? type : ctx.mismatch(operand.span, `${operator} expects number, found ${typeName(type)}`, 'arithmetic');
}

function comparison(node: Extract<Expr, { kind: 'comparison' }>, ctx: CheckContext): ValueType | null {
  const left = typeOf(node.left, ctx);
  const right = typeOf(node.right, ctx);
  if (left === null || right === null) return null;
  const message = `cannot compare ${typeName(left)} with ${typeName(right)}`;
  if (left.type === 'array' || right.type === 'array') {
    return ctx.mismatch(node.span, `${message}: use includes, intersects, subsetOf or supersetOf for arrays`, 'comparison');
  }
  if (!comparable(left.type, right.type)) return ctx.mismatch(node.span, message, 'comparison');
  if (left.type === 'boolean' && node.operator !== '=' && node.operator !== '!=') {
    return ctx.mismatch(node.span, `${message} using ${node.operator}: booleans support only = and !=`, 'comparison');
  }
  return BOOLEAN;
}

function inList(node: Extract<Expr, { kind: 'in' }>, ctx: CheckContext): ValueType | null {
  const value = typeOf(node.value, ctx);
  const list = listType(node.list, ctx, node.operator);
  if (value === null || list === null) return null;
  if (value.type === 'array') {
    return ctx.mismatch(node.value.span, `${node.operator} expects a single value, found ${typeName(value)}: use intersects or subsetOf for arrays`, 'in');
  }
  if (!itemsFit(value.type, list)) return ctx.mismatch(node.span, `cannot compare ${typeName(value)} with ${typeName(list)}`, 'in');
  return BOOLEAN;
}

function like(node: Extract<Expr, { kind: 'like' }>, ctx: CheckContext): ValueType | null {
  const value = typeOf(node.value, ctx);
  if (value === null) return null;
  ctx.types.set(node.pattern, scalar('string'));
  if (value.type !== 'string') return ctx.mismatch(node.value.span, `like expects string, found ${typeName(value)}`, 'like');
  return BOOLEAN;
}

const STRING_METHODS = new Set(['startsWith', 'endsWith', 'contains', 'doesNotStartWith', 'doesNotEndWith', 'doesNotContain', 'equals', 'notEqualTo', 'matches']);

function methodCall(node: MethodCallNode, ctx: CheckContext): ValueType | null {
  const target = typeOf(node.target, ctx);
  for (const arg of node.args) ctx.types.set(arg, literalType(arg));
  if (target === null) return null;
  const span = { offset: node.methodSpan.offset, length: node.span.offset + node.span.length - node.methodSpan.offset };
  const { method } = node;
  if (method === 'isNull' || method === 'isNotNull') return BOOLEAN;
  if (STRING_METHODS.has(method)) {
    if (target.type !== 'string') return ctx.mismatch(node.target.span, `${method} expects string, found ${typeName(target)}`, 'method');
    const pattern = node.args[0];
    if (method === 'matches' && pattern?.kind === 'string') {
      const problem = regexProblem(pattern.value);
      if (problem !== null) return ctx.report(pattern.span, 'PQL-INVALID-REGEX', `invalid regular expression: ${problem}`, 'method');
    }
    return BOOLEAN;
  }
  if (target.type !== 'array') return ctx.mismatch(node.target.span, `${method} expects array, found ${typeName(target)}`, 'method');
  const items = target.items ?? 'string';
  switch (method) {
    case 'count': return INTEGER;
    case 'distinct': return target;
    case 'includes': {
      const arg = node.args[0];
      if (arg === undefined) return null;
      const argType = literalType(arg);
      if (argType.type === 'array' || !comparable(items, argType.type)) {
        return ctx.mismatch(span, `includes expects ${items}, found ${typeName(argType)}`, 'method');
      }
      return BOOLEAN;
    }
    default: {
      const arg = node.args[0];
      if (arg?.kind !== 'array') return null;
      const list = listType(arg, ctx, method);
      if (list === null) return null;
      if (!itemsFit(items, list)) return ctx.mismatch(span, `${method} expects array of ${items}, found ${typeName(list)}`, 'method');
      return BOOLEAN;
    }
  }
}

function temporalOperand(node: Expr | TimeExpr, owner: string, ctx: CheckContext): boolean {
  const type = typeOf(node, ctx);
  if (type === null) return false;
  if (isTemporal(type)) return true;
  ctx.mismatch(node.span, `${owner} expects date or date-time, found ${typeName(type)}`, 'occurs');
  return false;
}

function occurs(node: OccursNode, ctx: CheckContext): ValueType | null {
  const { condition } = node;
  const times: TimeExpr[] = [];
  if (condition.form === 'between') times.push(condition.from, condition.to);
  else if (condition.form !== 'calendar') times.push(condition.time);
  let ok = temporalOperand(node.value, 'occurs', ctx);
  for (const time of times) ok = temporalOperand(time, 'occurs', ctx) && ok;
  return ok ? BOOLEAN : null;
}

function aggregate(node: Extract<Expr, { kind: 'aggregate' }>, ctx: CheckContext): ValueType | null {
  const value = typeOf(node.value, ctx);
  const conditionOk = node.condition === null || expectCondition(node.condition, 'where', ctx);
  if (value === null || !conditionOk) return null;
  const fn = node.function;
  if (fn === 'sum' || fn === 'average') {
    if (!isNumeric(value)) return ctx.mismatch(node.value.span, `${fn} expects number, found ${typeName(value)}`, 'aggregate');
    return fn === 'average' ? scalar('number') : value;
  }
  if (!isNumeric(value) && !isTemporal(value)) {
    return ctx.mismatch(node.value.span, `${fn} expects number, date or date-time, found ${typeName(value)}`, 'aggregate');
  }
  return value;
}

/** A chain of `and` or `or`: every operand must be a condition; walked with a loop (long `or` lists are common). */
function logical(node: Extract<Expr, { kind: 'and' | 'or' }>, ctx: CheckContext): ValueType | null {
  const { operands, nodes } = chainOf(node);
  let ok = true;
  for (const operand of operands) ok = expectCondition(operand, node.kind, ctx) && ok;
  if (!ok) return null;
  for (const chainNode of nodes) ctx.types.set(chainNode, BOOLEAN);
  return BOOLEAN;
}

const RULES: { readonly [K in NodeKind]: Rule<K> } = {
  string: literalType,
  integer: literalType,
  decimal: literalType,
  boolean: literalType,
  date: literalType,
  now: literalType,
  today: literalType,
  array: (node, ctx) => listType(node, ctx, 'array'),
  path: (node, ctx) => ctx.resolvePath(node),
  negate: (node, ctx) => {
    const operand = typeOf(node.operand, ctx);
    if (operand === null) return null;
    return isNumeric(operand) ? operand : ctx.mismatch(node.operand.span, `- expects number, found ${typeName(operand)}`, 'arithmetic');
  },
  arithmetic,
  comparison,
  and: logical,
  or: logical,
  not: (node, ctx) => (expectCondition(node.operand, 'not', ctx) ? BOOLEAN : null),
  in: inList,
  like,
  methodCall,
  occurs,
  exists: (node, ctx) => (expectCondition(node.condition, 'where', ctx) ? BOOLEAN : null),
  select: (node, ctx) => (expectCondition(node.condition, 'where', ctx) ? BOOLEAN : null),
  aggregate,
  eventCount: (node, ctx) => (expectCondition(node.condition, 'xEvent[…]', ctx) ? INTEGER : null),
  inSegment: (node, ctx) => {
    ctx.dependencies.add(node.segmentId);
    const problem = segmentProblem(node.segmentId, ctx.segments);
    if (problem !== null) return ctx.report(node.span, problem.code, problem.message, 'inSegment');
    return BOOLEAN;
  },
};
