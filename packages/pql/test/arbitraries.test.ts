// The oracle's generators: every generated text parses, the reference evaluator accepts it (well typed), every world
// fits its catalogue, and over a few hundred samples every construct of SPEC §5.2 appears.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parsePql } from '../src/parser.js';
import type { Expr } from '../src/ast.js';
import { scenario } from './support/arbitraries.js';
import { assertWorldFitsCatalogue } from './support/fixture.js';
import { referenceMembers } from './support/reference-evaluator.js';

/** The constructs an expression uses: node kinds, operators, methods, occurs forms and units. */
function constructs(node: Expr, found: Set<string>): void {
  found.add(node.kind);
  const visit = (child: Expr | null | undefined): void => { if (child) constructs(child, found); };
  switch (node.kind) {
    case 'arithmetic': found.add(node.operator); visit(node.left); visit(node.right); break;
    case 'comparison': found.add(node.operator); visit(node.left); visit(node.right); break;
    case 'and': case 'or': visit(node.left); visit(node.right); break;
    case 'not': case 'negate': visit(node.operand); break;
    case 'in': found.add(node.operator); visit(node.value); visit(node.list); break;
    case 'like': visit(node.value); break;
    case 'methodCall': found.add(`.${node.method}`); if (node.args.length === 2) found.add('caseFlag'); visit(node.target); node.args.forEach(visit); break;
    case 'occurs': {
      const condition = node.condition;
      found.add(`occurs:${condition.form}`);
      if (condition.form === 'distance' || condition.form === 'calendar') found.add(`unit:${condition.unit}`);
      if (condition.form === 'calendar') found.add(`calendar:${condition.which}`);
      if (condition.form === 'distance' || condition.form === 'relative') found.add(`direction:${condition.direction}`);
      const times = condition.form === 'between' ? [condition.from, condition.to] : condition.form === 'calendar' ? [] : [condition.time];
      for (const time of times) found.add(`time:${time.kind}`);
      visit(node.value);
      break;
    }
    case 'exists': case 'select': case 'eventCount': visit(node.condition); break;
    case 'aggregate': found.add(`aggregate:${node.function}`); visit(node.condition); break;
    case 'path': found.add(`path:${node.scope}`); break;
    case 'array': node.elements.forEach(visit); break;
    default: break;
  }
}

describe('oracle generators', () => {
  it('generate texts that parse and that the reference evaluator accepts, over worlds that fit their catalogue', () => {
    const found = new Set<string>();
    let discriminating = 0;
    let total = 0;
    for (const { world, now, texts } of fc.sample(scenario({ texts: { min: 5, max: 5 } }), { numRuns: 300, seed: 7 })) {
      assertWorldFitsCatalogue(world);
      for (const text of texts) {
        const parsed = parsePql(text);
        if (!('ast' in parsed)) throw new Error(`generated text does not parse: ${text}\n${JSON.stringify(parsed.diagnostics)}`);
        constructs(parsed.ast, found);
        const members = referenceMembers(world, text, now);
        total += 1;
        if (members.length > 0 && members.length < world.profiles.length) discriminating += 1;
      }
    }
    // A text that selects nobody or everybody tells little about the compiler: most must split their world.
    console.log(`discriminating texts: ${discriminating} / ${total}`);
    expect(discriminating / total).toBeGreaterThan(0.3);
    const expected = [
      'comparison', 'and', 'or', 'not', 'negate', 'in', 'notIn', 'like', 'methodCall', 'occurs', 'exists', 'select', 'aggregate',
      'eventCount', 'inSegment', 'string', 'integer', 'decimal', 'boolean', 'date', 'now', 'today', 'array',
      '+', '-', '*', '/', '%', '=', '!=', '<', '<=', '>', '>=', 'caseFlag',
      '.startsWith', '.endsWith', '.contains', '.doesNotStartWith', '.doesNotEndWith', '.doesNotContain', '.equals', '.notEqualTo',
      '.matches', '.isNull', '.isNotNull', '.intersects', '.subsetOf', '.supersetOf', '.includes', '.distinct', '.count',
      'occurs:distance', 'occurs:calendar', 'occurs:between', 'occurs:relative', 'occurs:on',
      'unit:second', 'unit:minute', 'unit:hour', 'unit:day', 'unit:week', 'unit:month', 'unit:year',
      'calendar:last', 'calendar:this', 'calendar:next', 'direction:before', 'direction:after',
      'time:now', 'time:today', 'time:date', 'time:path',
      'aggregate:sum', 'aggregate:average', 'aggregate:min', 'aggregate:max', 'path:profile', 'path:event', 'path:variable',
    ];
    expect(expected.filter((construct) => !found.has(construct))).toEqual([]);
  });
});
