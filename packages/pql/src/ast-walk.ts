// Structural queries over PQL trees: the direct children of a node, and whether an event condition is self-contained.
import { type Expr, assertNever } from './ast.js';

/** The direct sub-expressions of `node` (including occurs times and method arguments). */
export function childrenOf(node: Expr): readonly Expr[] {
  switch (node.kind) {
    case 'string': case 'integer': case 'decimal': case 'boolean': case 'date': case 'now': case 'today': case 'path': case 'inSegment':
      return [];
    case 'array': return node.elements;
    case 'negate': case 'not': return [node.operand];
    case 'arithmetic': case 'comparison': case 'and': case 'or': return [node.left, node.right];
    case 'in': return [node.value, node.list];
    case 'like': return [node.value, node.pattern];
    case 'methodCall': return [node.target, ...node.args];
    case 'occurs': {
      const c = node.condition;
      const times = c.form === 'calendar' ? [] : c.form === 'between' ? [c.from, c.to] : [c.time];
      return [node.value, ...times];
    }
    case 'exists': case 'select': case 'eventCount': return [node.condition];
    case 'aggregate': return node.condition === null ? [node.value] : [node.value, node.condition];
    default: return assertNever(node);
  }
}

/**
 * Whether `condition` reads only the event it filters: the bare event paths of `xEvent[…]` (`variable` null)
 * or the paths of `variable` — no profile path, no enclosing event, no nested event construct or inSegment.
 * Such a condition can be evaluated over all events at once instead of once per profile.
 */
export function readsOnlyItsEvent(condition: Expr, variable: string | null): boolean {
  switch (condition.kind) {
    case 'path':
      return variable === null ? condition.scope === 'event' : condition.scope === 'variable' && condition.variable === variable;
    case 'exists': case 'select': case 'aggregate': case 'eventCount': case 'inSegment':
      return false;
    default:
      return childrenOf(condition).every((child) => readsOnlyItsEvent(child, variable));
  }
}

type ChainNode = Extract<Expr, { kind: 'and' | 'or' }>;

/**
 * The chain of `and` or `or` that `head` ends (`a or b or c`): its operands and the chain nodes in source
 * order. Long chains (generated lists of alternatives) are walked with loops, not recursion.
 */
export function chainOf(head: ChainNode): { readonly operands: readonly Expr[]; readonly nodes: readonly ChainNode[] } {
  const nodes: ChainNode[] = [];
  let current: Expr = head;
  while (current.kind === head.kind) {
    nodes.push(current);
    current = (current).left;
  }
  nodes.reverse();
  return { operands: [current, ...nodes.map((node) => node.right)], nodes };
}

/** The height of the tree, counting a chain of `and` or of `or` as one level (SQL engines flatten those too). */
export function chainHeight(root: Expr): number {
  let max = 0;
  const stack: Array<readonly [Expr, number]> = [[root, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as readonly [Expr, number];
    max = Math.max(max, depth);
    const children = node.kind === 'and' || node.kind === 'or' ? chainOf(node).operands : childrenOf(node);
    for (const child of children) stack.push([child, depth + 1]);
  }
  return max;
}
