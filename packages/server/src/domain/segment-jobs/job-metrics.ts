// Pure assembly of a segment job's metrics (SPEC §5.6) from what each merge-policy evaluation returned.

export interface TimeSpan {
  readonly startTimeInMs: number;
  readonly endTimeInMs: number;
  readonly totalTimeInMs: number;
}

/** The `metrics` object of a segment job, exactly SPEC §5.6. */
export interface SegmentJobMetrics {
  readonly totalTime: TimeSpan;
  readonly profileSegmentationTime: TimeSpan;
  readonly totalProfiles: number;
  readonly segmentedProfileCounter: Readonly<Record<string, number>>;
  readonly segmentedProfileByNamespaceCounter: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly segmentedProfileByStatusCounter: Readonly<Record<string, { readonly realized: number; readonly existing: number; readonly exited: number }>>;
  readonly totalProfilesByMergePolicy: Readonly<Record<string, number>>;
}

/** One audience that evaluated successfully. */
export interface SucceededAudience {
  readonly id: string;
  readonly counts: { readonly realized: number; readonly existing: number; readonly exited: number };
  readonly byNamespace: Readonly<Record<string, number>>;
}

export const span = (start: number, end: number): TimeSpan => ({ startTimeInMs: start, endTimeInMs: end, totalTimeInMs: Math.max(0, end - start) });

/**
 * Metrics of a job that ran: members = realized + existing per audience; `totalProfiles` = the sum of the profiles
 * evaluated per merge policy. Failed audiences appear in no counter (they are in `errors`).
 */
export function jobMetrics(input: {
  readonly startedAt: number;
  readonly finishedAt: number;
  readonly segmentation: { readonly start: number; readonly end: number };
  readonly profilesByMergePolicy: ReadonlyMap<string, number>;
  readonly succeeded: readonly SucceededAudience[];
}): SegmentJobMetrics {
  const byPolicy = Object.fromEntries(input.profilesByMergePolicy);
  return {
    totalTime: span(input.startedAt, input.finishedAt),
    profileSegmentationTime: span(input.segmentation.start, input.segmentation.end),
    totalProfiles: [...input.profilesByMergePolicy.values()].reduce((sum, count) => sum + count, 0),
    segmentedProfileCounter: Object.fromEntries(input.succeeded.map((a) => [a.id, a.counts.realized + a.counts.existing])),
    segmentedProfileByNamespaceCounter: Object.fromEntries(input.succeeded.map((a) => [a.id, { ...a.byNamespace }])),
    segmentedProfileByStatusCounter: Object.fromEntries(input.succeeded.map((a) => [a.id, { realized: a.counts.realized, existing: a.counts.existing, exited: a.counts.exited }])),
    totalProfilesByMergePolicy: byPolicy,
  };
}

/** One entry of a job's `errors` (SPEC §5.6). */
export const jobError = (segmentId: string, reason: string) => ({ code: 'SEGMENT-JOB-FAILED', msg: `${segmentId}: ${reason}` });
