// Pure decisions about a segment job's status (SPEC §5.6): which transitions exist, what a cancel does, how a job ends.
import type { SegmentJobStatus } from '../../storage/store.js';

/** Every status and where it may go next; final statuses go nowhere. */
export const SEGMENT_JOB_TRANSITIONS: Readonly<Record<SegmentJobStatus, readonly SegmentJobStatus[]>> = {
  NEW: ['QUEUED', 'CANCELLED'],
  QUEUED: ['PROCESSING', 'CANCELLED'],
  PROCESSING: ['SUCCEEDED', 'FAILED', 'CANCELLING', 'QUEUED'],
  CANCELLING: ['CANCELLED'],
  SUCCEEDED: [],
  FAILED: [],
  CANCELLED: [],
};

export function canTransition(from: SegmentJobStatus, to: SegmentJobStatus): boolean {
  return SEGMENT_JOB_TRANSITIONS[from].includes(to);
}

/** The statuses a job never leaves. */
export function isFinal(status: SegmentJobStatus): boolean {
  return SEGMENT_JOB_TRANSITIONS[status].length === 0;
}

/** Statuses from which a job may start processing (a worker taking over a cut-off run finds it `PROCESSING`). */
export const STARTABLE_STATUSES: readonly SegmentJobStatus[] = ['NEW', 'QUEUED', 'PROCESSING'];

/**
 * What `DELETE /segment/jobs/{id}` does to a job in `status`:
 * - not started yet (`NEW`, `QUEUED`): it ends `CANCELLED` at once, nothing ran;
 * - `PROCESSING`: `CANCELLING`, and the worker ends it `CANCELLED` without writing a snapshot;
 * - already being cancelled or cancelled: nothing to do (the DELETE still answers 204);
 * - `SUCCEEDED`/`FAILED`: refused, the job is over.
 */
export type CancelDecision =
  | { readonly kind: 'cancel'; readonly to: 'CANCELLED' | 'CANCELLING' }
  | { readonly kind: 'already-cancelled' }
  | { readonly kind: 'ended' };

export function cancelDecision(status: SegmentJobStatus): CancelDecision {
  switch (status) {
    case 'NEW':
    case 'QUEUED':
      return { kind: 'cancel', to: 'CANCELLED' };
    case 'PROCESSING':
      return { kind: 'cancel', to: 'CANCELLING' };
    case 'CANCELLING':
    case 'CANCELLED':
      return { kind: 'already-cancelled' };
    case 'SUCCEEDED':
    case 'FAILED':
      return { kind: 'ended' };
  }
}

/**
 * How a job that ran to its end finishes: `SUCCEEDED` when at least one audience succeeded, `FAILED` when
 * none did. A job with no audience at all (`*` in a sandbox without published audiences) did nothing wrong:
 * `SUCCEEDED`.
 */
export function outcomeStatus(succeeded: number, failed: number): 'SUCCEEDED' | 'FAILED' {
  return succeeded > 0 || failed === 0 ? 'SUCCEEDED' : 'FAILED';
}
