// Pure planning of a segment job: which audiences it evaluates, in which order, and the hash that names a definition.
import { createHash } from 'node:crypto';

/** What planning needs to know about an audience. */
export interface PlannableAudience {
  readonly id: string;
  readonly lifecycleState: string;
  /** The ids its expression references through inSegment. */
  readonly dependencies: readonly string[];
}

/** The id that asks for every published audience. */
export const ALL_PUBLISHED = '*';

export type JobPlan<A extends PlannableAudience> =
  | { readonly ok: true; readonly audiences: readonly A[] }
  | { readonly ok: false; readonly unknown: readonly string[] };

/**
 * The audiences a job evaluates (SPEC §5.6): `*` = every `published` audience; listed ids may have any lifecycle
 * state; inSegment dependencies are added transitively. Ordered so that every audience comes after the audiences
 * it depends on (depth-first, in request order). A listed id that is not an audience of the sandbox makes the plan
 * fail; a dependency that no longer exists is left out (its dependent then fails with the checker's diagnostic).
 */
export function planJob<A extends PlannableAudience>(requested: readonly string[], audiences: readonly A[]): JobPlan<A> {
  const byId = new Map(audiences.map((audience) => [audience.id, audience]));
  const roots: A[] = [];
  const unknown: string[] = [];
  for (const id of requested) {
    if (id === ALL_PUBLISHED) {
      roots.push(...audiences.filter((audience) => audience.lifecycleState === 'published'));
      continue;
    }
    const audience = byId.get(id);
    if (audience === undefined) {
      if (!unknown.includes(id)) unknown.push(id);
    } else {
      roots.push(audience);
    }
  }
  if (unknown.length > 0) return { ok: false, unknown };
  const ordered: A[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (audience: A) => {
    if (state.has(audience.id)) return; // done, or a cycle (refused when saved; the checker reports it)
    state.set(audience.id, 'visiting');
    for (const dependency of audience.dependencies) {
      const referenced = byId.get(dependency);
      if (referenced !== undefined) visit(referenced);
    }
    state.set(audience.id, 'done');
    ordered.push(audience);
  };
  for (const root of roots) visit(root);
  return { ok: true, audiences: ordered };
}

/**
 * The segment list of a waiting scheduler job after another firing merged into it: `*` absorbs everything,
 * otherwise the union in first-seen order.
 */
export function mergeRequested(waiting: readonly string[], firing: readonly string[]): readonly string[] {
  if (waiting.includes(ALL_PUBLISHED) || firing.includes(ALL_PUBLISHED)) return [ALL_PUBLISHED];
  return [...new Set([...waiting, ...firing])];
}

/** An audience as the hash sees it. */
export interface HashableAudience {
  readonly segmentId: string;
  readonly expression: string;
  readonly dependencies: readonly string[];
}

/**
 * SPEC §5.7 `definitionHash`: SHA-256 (hex) of the expression text of the audience and of every audience it reaches
 * through inSegment, transitively. The audience itself comes first, then its dependencies by id, each as
 * `<id> NUL <expression> NUL`, so the same definitions always give the same hash and any change gives another.
 */
export function definitionHash(segmentId: string, bySegmentId: ReadonlyMap<string, HashableAudience>): string {
  const reached = new Set<string>();
  const pending = [segmentId];
  while (pending.length > 0) {
    const id = pending.pop() as string;
    if (reached.has(id)) continue;
    reached.add(id);
    pending.push(...(bySegmentId.get(id)?.dependencies ?? []));
  }
  const dependencies = [...reached].filter((id) => id !== segmentId).sort();
  const hash = createHash('sha256');
  for (const id of [segmentId, ...dependencies]) hash.update(`${id}\u0000${bySegmentId.get(id)?.expression ?? ''}\u0000`);
  return hash.digest('hex');
}
