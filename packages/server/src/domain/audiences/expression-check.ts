// Checks a PQL text against the sandbox: the catalogue, and the audiences `inSegment` reaches (for unknown ids, cycles, merge policies).
import type { SegmentDefinitionRepository } from '../../storage/store.js';
import type { FieldCatalogue, PqlChecker, SegmentInfo } from './pql-port.js';

export interface ExpressionCheckContext<R extends ReturnType<PqlChecker> = ReturnType<PqlChecker>> {
  /** The checker; its full result is returned (a preview needs the checked expression to compile it). */
  readonly checker: (...args: Parameters<PqlChecker>) => R;
  readonly catalogue: FieldCatalogue;
  readonly definitions: Pick<SegmentDefinitionRepository, 'getMany'>;
  /** The merge policy of the audience being checked. */
  readonly mergePolicyId: string;
  /** The audience being checked, when it exists (so a path back to it is a cycle). */
  readonly selfId?: string | undefined;
}

/**
 * The checker's lookup is synchronous, so the audiences are loaded first: a first check records which ids the
 * expression references, then those and every audience reachable through their stored dependencies are loaded
 * (each round loads only ids never seen, so it ends), and a second check sees them all. An expression without
 * `inSegment` is checked once and reads nothing.
 */
export async function checkExpression<R extends ReturnType<PqlChecker>>(text: string, context: ExpressionCheckContext<R>): Promise<R> {
  const { checker, catalogue, mergePolicyId, selfId } = context;
  const referenced = new Set<string>();
  const first = checker(text, { catalogue, mergePolicyId, ...(selfId === undefined ? {} : { selfId }), segment: (id) => { referenced.add(id); return undefined; } });
  if (referenced.size === 0) return first;
  const known = new Map<string, SegmentInfo>();
  const seen = new Set<string>(referenced);
  let frontier = [...referenced];
  while (frontier.length > 0) {
    const found = await context.definitions.getMany(frontier);
    frontier = [];
    for (const definition of found) {
      known.set(definition.id, { id: definition.id, mergePolicyId: definition.mergePolicyId, dependencies: definition.dependencies });
      for (const next of definition.dependencies) {
        if (seen.has(next)) continue;
        seen.add(next);
        frontier.push(next);
      }
    }
  }
  return checker(text, { catalogue, mergePolicyId, ...(selfId === undefined ? {} : { selfId }), segment: (id) => known.get(id) });
}
