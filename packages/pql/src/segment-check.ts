// The checks of inSegment references: unknown audiences, dependency cycles and merge-policy mismatches.

/** What the checker needs to know about an audience referenced by inSegment. */
export interface SegmentInfo {
  readonly id: string;
  readonly mergePolicyId: string;
  readonly dependencies: readonly string[];
}

/** The problem with one `inSegment` reference, as a diagnostic code and message. */
export interface SegmentProblem {
  readonly code: 'PQL-UNKNOWN-SEGMENT' | 'PQL-CYCLE' | 'PQL-MERGE-POLICY-MISMATCH';
  readonly message: string;
}

export interface SegmentCheckContext {
  readonly segment?: (id: string) => SegmentInfo | undefined;
  readonly selfId?: string;
  readonly mergePolicyId?: string;
}

/** The problem with `inSegment(id)` in the audience of `context`, or `null` when the reference is valid. */
export function segmentProblem(id: string, context: SegmentCheckContext): SegmentProblem | null {
  if (context.selfId !== undefined && id === context.selfId) {
    return { code: 'PQL-CYCLE', message: `inSegment cycle: ${id} -> ${id}` };
  }
  const info = context.segment?.(id);
  if (info === undefined) return { code: 'PQL-UNKNOWN-SEGMENT', message: `unknown audience "${id}"` };
  if (context.selfId !== undefined) {
    const cycle = pathBackTo(context.selfId, id, context.segment ?? (() => undefined));
    if (cycle !== null) return { code: 'PQL-CYCLE', message: `inSegment cycle: ${[context.selfId, ...cycle].join(' -> ')}` };
  }
  if (context.mergePolicyId !== undefined && info.mergePolicyId !== context.mergePolicyId) {
    return { code: 'PQL-MERGE-POLICY-MISMATCH', message: `audience "${id}" uses merge policy ${info.mergePolicyId}` };
  }
  return null;
}

/**
 * The shortest chain of audience ids from `start` to `target` following `dependencies`
 * (`[start, …, target]`), or `null` when `target` is not reachable. Breadth-first, each id visited once.
 */
function pathBackTo(target: string, start: string, segment: (id: string) => SegmentInfo | undefined): string[] | null {
  const cameFrom = new Map<string, string | null>([[start, null]]);
  const queue = [start];
  for (let head = 0; head < queue.length; head++) {
    const current = queue[head] as string;
    for (const next of segment(current)?.dependencies ?? []) {
      if (cameFrom.has(next)) continue;
      cameFrom.set(next, current);
      if (next === target) return chainTo(next, cameFrom);
      queue.push(next);
    }
  }
  return null;
}

function chainTo(end: string, cameFrom: ReadonlyMap<string, string | null>): string[] {
  const chain = [end];
  for (let id = cameFrom.get(end); id !== null && id !== undefined; id = cameFrom.get(id)) chain.unshift(id);
  return chain;
}
