// Test-only rendering of PQL trees as compact S-expressions, so expected trees can be written by hand.
import { type Expr, type OccursCondition, type PathNode, type TimeExpr, assertNever } from '../src/ast.js';

/**
 * Renders `node`: literals as written (`"US"`, `7`, `1.5`, `true`, `(date 2024 1 1)`, `now`, `[a b]`),
 * profile paths bare (`a.b`), event paths inside `xEvent[…]` as `@a.b`, variable paths as `$E.a.b`,
 * operators prefix (`(= a 1)`, `(neg x)`, `(in x [..])`), methods as `(.name target args…)`,
 * `(occurs x (<= 7 day before now))`, `(exists E cond)`, `(sum X $X.a cond)`, `(xcount cond)`.
 */
export function sexpr(node: Expr): string {
  switch (node.kind) {
    case 'string': return JSON.stringify(node.value);
    case 'integer': return String(node.value);
    case 'decimal': return node.text;
    case 'boolean': return String(node.value);
    case 'date': return `(date ${node.year} ${node.month} ${node.day})`;
    case 'now': return 'now';
    case 'today': return 'today';
    case 'array': return `[${node.elements.map(sexpr).join(' ')}]`;
    case 'path': return path(node);
    case 'negate': return `(neg ${sexpr(node.operand)})`;
    case 'arithmetic':
    case 'comparison': return `(${node.operator} ${sexpr(node.left)} ${sexpr(node.right)})`;
    case 'and':
    case 'or': return `(${node.kind} ${sexpr(node.left)} ${sexpr(node.right)})`;
    case 'not': return `(not ${sexpr(node.operand)})`;
    case 'in': return `(${node.operator} ${sexpr(node.value)} ${sexpr(node.list)})`;
    case 'like': return `(like ${sexpr(node.value)} ${sexpr(node.pattern)})`;
    case 'methodCall': return `(.${node.method} ${[node.target, ...node.args].map(sexpr).join(' ')})`;
    case 'occurs': return `(occurs ${sexpr(node.value)} ${occurs(node.condition)})`;
    case 'exists':
    case 'select': return `(${node.kind} ${node.variable} ${sexpr(node.condition)})`;
    case 'aggregate': return `(${node.function} ${node.variable} ${path(node.value)}${node.condition === null ? '' : ` ${sexpr(node.condition)}`})`;
    case 'eventCount': return `(xcount ${sexpr(node.condition)})`;
    case 'inSegment': return `(inSegment ${JSON.stringify(node.segmentId)})`;
    default: return assertNever(node);
  }
}

function path(node: PathNode): string {
  const dotted = node.segments.join('.');
  if (node.scope === 'variable') return `$${node.variable ?? '?'}.${dotted}`;
  return node.scope === 'event' ? `@${dotted}` : dotted;
}

function time(node: TimeExpr): string {
  return sexpr(node);
}

function occurs(condition: OccursCondition): string {
  switch (condition.form) {
    case 'distance': return `(${condition.operator} ${condition.amount} ${condition.unit} ${condition.direction} ${time(condition.time)})`;
    case 'calendar': return `(${condition.which} ${condition.unit})`;
    case 'between': return `(between ${time(condition.from)} ${time(condition.to)})`;
    case 'relative': return `(${condition.direction} ${time(condition.time)})`;
    case 'on': return `(on ${time(condition.time)})`;
    default: return assertNever(condition);
  }
}

/** The direct children of a node (for walks over the whole tree), in source order. */
export function childrenOf(node: Expr): readonly Expr[] {
  switch (node.kind) {
    case 'string': case 'integer': case 'decimal': case 'boolean': case 'date': case 'now': case 'today':
    case 'path': case 'inSegment': return [];
    case 'array': return node.elements;
    case 'negate': case 'not': return [node.operand];
    case 'arithmetic': case 'comparison': case 'and': case 'or': return [node.left, node.right];
    case 'in': return [node.value, node.list];
    case 'like': return [node.value, node.pattern];
    case 'methodCall': return [node.target, ...node.args];
    case 'occurs': return [node.value, ...occursTimes(node.condition)];
    case 'exists': case 'select': case 'eventCount': return [node.condition];
    case 'aggregate': return node.condition === null ? [node.value] : [node.value, node.condition];
    default: return assertNever(node);
  }
}

function occursTimes(condition: OccursCondition): readonly Expr[] {
  switch (condition.form) {
    case 'distance': case 'relative': case 'on': return [condition.time];
    case 'calendar': return [];
    case 'between': return [condition.from, condition.to];
    default: return assertNever(condition);
  }
}
