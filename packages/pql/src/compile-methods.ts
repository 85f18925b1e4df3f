// SQL for the PQL methods (SPEC §5.2): string tests with optional case folding, RE2 matches, null tests, array predicates.
import type { Expr, MethodCallNode } from './ast.js';
import { type CompileContext, FALSE, type Fragment, condition, value } from './compile-context.js';
import { compileLiteral } from './compile-literals.js';

/** Compiles `node.target` as a value (the main walk, passed in to keep this module free of scope handling). */
type CompileTarget = (node: Expr) => string;

export function compileMethod(node: MethodCallNode, ctx: CompileContext, compileTarget: CompileTarget): Fragment {
  const d = ctx.dialect;
  const { method } = node;
  switch (method) {
    case 'isNull': return condition(`(${compileTarget(node.target)} IS NULL)`, false);
    case 'isNotNull': return condition(`(${compileTarget(node.target)} IS NOT NULL)`, false);
    case 'count': {
      // count() of a missing array is 0; distinct().count() needs no empty-list default first.
      const inner = node.target;
      const list = inner.kind === 'methodCall' && inner.method === 'distinct' ? d.listDistinct(compileTarget(inner.target)) : compileTarget(inner);
      return value(`coalesce(${d.listLength(list)}, 0)`, false);
    }
    case 'distinct': {
      const type = ctx.typeOf(node);
      const empty = d.listLiteral([], type.type === 'array' ? type.items ?? 'string' : 'string');
      return value(`coalesce(${d.listDistinct(compileTarget(node.target))}, ${empty})`, false);
    }
    case 'matches': {
      const pattern = node.args[0];
      if (pattern?.kind !== 'string') return FALSE;
      return condition(d.regexMatches(compileTarget(node.target), ctx.parameter(pattern.value)), true);
    }
    case 'includes':
    case 'intersects':
    case 'subsetOf':
    case 'supersetOf': {
      const list = compileTarget(node.target);
      const arg = node.args[0];
      if (arg === undefined) return FALSE;
      // An empty array literal has no item type of its own: it takes the target's, so the list functions bind.
      const targetType = ctx.typeOf(node.target);
      const other = arg.kind === 'array' && arg.elements.length === 0 && targetType.type === 'array'
        ? d.listLiteral([], targetType.items ?? 'string')
        : compileLiteral(arg, ctx);
      if (method === 'includes') return condition(d.listContains(list, other), true);
      if (method === 'intersects') return condition(d.listHasAny(list, other), true);
      return condition(method === 'subsetOf' ? d.listHasAll(other, list) : d.listHasAll(list, other), true);
    }
    default: return stringMethod(node, ctx, compileTarget);
  }
}

/** startsWith … notEqualTo: `caseSensitive` false compares the lower-cased value and argument. */
function stringMethod(node: MethodCallNode, ctx: CompileContext, compileTarget: CompileTarget): Fragment {
  const d = ctx.dialect;
  const [argument, caseSensitive] = node.args;
  if (argument?.kind !== 'string') return FALSE;
  const folded = caseSensitive?.kind === 'boolean' && !caseSensitive.value;
  const subject = folded ? d.lower(compileTarget(node.target)) : compileTarget(node.target);
  const text = folded ? d.lower(ctx.parameter(argument.value)) : ctx.parameter(argument.value);
  const negate = (sql: string): Fragment => condition(`(NOT ${sql})`, true);
  switch (node.method) {
    case 'startsWith': return condition(d.startsWith(subject, text), true);
    case 'endsWith': return condition(d.endsWith(subject, text), true);
    case 'contains': return condition(d.contains(subject, text), true);
    case 'doesNotStartWith': return negate(d.startsWith(subject, text));
    case 'doesNotEndWith': return negate(d.endsWith(subject, text));
    case 'doesNotContain': return negate(d.contains(subject, text));
    case 'equals': return condition(`(${subject} = ${text})`, true);
    case 'notEqualTo': return condition(`(${subject} <> ${text})`, true);
    default: return FALSE;
  }
}
