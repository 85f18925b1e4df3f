// The state machine of a dataflow run (SPEC §9.2, §9.5, §7.6; DESIGN.md "Runs are the queue"), as one pure function:
// (run, event) → the run after it, or why the event does not apply. Storage and workers act on its answers.
import { assertNever } from '../../errors.js';

export type RunStatus = 'waiting' | 'queued' | 'processing' | 'success' | 'failed';

/** The part of a run the state machine decides. */
export interface RunState {
  readonly status: RunStatus;
  /** Attempts started so far (0 before the first claim). */
  readonly attempt: number;
  /** Set while `processing` between attempts: when the next attempt may start (epoch ms). */
  readonly nextAttemptAt: number | null;
  /** Set once `failed`: the SPEC §9.3 code and message. */
  readonly error: { readonly code: string; readonly message: string } | null;
}

/** Why a run stops before it succeeds, from outside the run (SPEC §7.6, §9.3). */
export type RunCancellation = 'audienceRemoved' | 'flowDisabled' | 'flowDeleted' | 'sandboxReset';

export type RunEvent =
  /** A worker claims a queued run, or a run whose back-off elapsed, and starts an attempt. */
  | { readonly type: 'claim' }
  /** Another worker takes over a processing run whose lease expired: it restarts from the beginning, as a new attempt. */
  | { readonly type: 'takeover' }
  /** Every file and the manifest were published. */
  | { readonly type: 'succeeded' }
  /**
   * The attempt failed. `retryAt` is when a transient failure runs again (undefined when attempts are used up —
   * jobs/job-state.ts `retryTime` computes it); a permanent failure ends the run at once.
   */
  | { readonly type: 'attemptFailed'; readonly code: string; readonly message: string; readonly transient: boolean; readonly retryAt: number | undefined }
  /** The worker stops (SIGTERM) before the attempt ends: the run goes back to the queue, the attempt not counted. */
  | { readonly type: 'released' }
  /** The active run of the same (flow, audience) ended: a waiting run becomes claimable. */
  | { readonly type: 'promoted' }
  | { readonly type: 'cancelled'; readonly reason: RunCancellation };

export type RunTransition = { readonly ok: true; readonly run: RunState } | { readonly ok: false; readonly reason: string };

const CANCELLATIONS: Readonly<Record<RunCancellation, { readonly code: string; readonly message: string }>> = {
  audienceRemoved: { code: 'ACTIVATION_BATCH-3001-FAILED', message: 'Audience removed from dataflow.' },
  flowDisabled: { code: 'ACTIVATION_BATCH-3002-FAILED', message: 'Dataflow disabled.' },
  flowDeleted: { code: 'ACTIVATION_BATCH-3003-FAILED', message: 'Dataflow deleted.' },
  sandboxReset: { code: 'ACTIVATION_BATCH-3004-FAILED', message: 'Sandbox reset.' },
};

/** A run as persisted before anything happens: `waiting` when another run of its pair is active, else `queued`. */
export function newRunState(blocked: boolean): RunState {
  return { status: blocked ? 'waiting' : 'queued', attempt: 0, nextAttemptAt: null, error: null };
}

/** Whether a run counts as final (its lease is released, the next waiting run of its pair may be promoted). */
export function isFinal(status: RunStatus): boolean {
  return status === 'success' || status === 'failed';
}

const refuse = (run: RunState, event: RunEvent): RunTransition => ({ ok: false, reason: `A ${run.status} run cannot take the event ${event.type}` });
const failed = (run: RunState, error: { code: string; message: string }): RunTransition => ({ ok: true, run: { ...run, status: 'failed', nextAttemptAt: null, error } });

/** The run after `event`; `ok: false` when the event does not apply to the run's status. */
export function applyRunEvent(run: RunState, event: RunEvent): RunTransition {
  if (isFinal(run.status)) return refuse(run, event);
  switch (event.type) {
    case 'claim':
      if (run.status === 'queued' || (run.status === 'processing' && run.nextAttemptAt !== null)) {
        return { ok: true, run: { ...run, status: 'processing', attempt: run.attempt + 1, nextAttemptAt: null } };
      }
      return refuse(run, event);
    case 'takeover':
      // Counted as an attempt, so a run that brings its worker down (out of memory) fails after the last attempt
      // instead of being taken over for ever.
      return run.status === 'processing' ? { ok: true, run: { ...run, attempt: run.attempt + 1, nextAttemptAt: null } } : refuse(run, event);
    case 'succeeded':
      return run.status === 'processing' && run.nextAttemptAt === null ? { ok: true, run: { ...run, status: 'success' } } : refuse(run, event);
    case 'attemptFailed':
      if (run.status !== 'processing' || run.nextAttemptAt !== null) return refuse(run, event);
      if (!event.transient) return failed(run, { code: event.code, message: event.message });
      if (event.retryAt === undefined) {
        return failed(run, { code: 'ACTIVATION_BATCH-2004-FAILED', message: `Destination unreachable after ${run.attempt} attempts: ${event.message}` });
      }
      return { ok: true, run: { ...run, nextAttemptAt: event.retryAt } };
    case 'released':
      return run.status === 'processing' && run.nextAttemptAt === null
        ? { ok: true, run: { ...run, status: 'queued', attempt: Math.max(0, run.attempt - 1) } }
        : refuse(run, event);
    case 'promoted':
      return run.status === 'waiting' ? { ok: true, run: { ...run, status: 'queued' } } : refuse(run, event);
    case 'cancelled':
      // A disabled flow lets processing runs finish (SPEC §7.6); every other reason stops them too.
      if (run.status === 'processing' && event.reason === 'flowDisabled') return refuse(run, event);
      return failed(run, CANCELLATIONS[event.reason]);
    default:
      return assertNever(event);
  }
}
