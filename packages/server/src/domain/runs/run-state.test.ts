// The run state machine against a hand-written table of SPEC §9.2/§9.5/§7.6: every status × every event.
import { describe, expect, it } from 'vitest';
import { applyRunEvent, isFinal, newRunState, type RunEvent, type RunState, type RunStatus } from './run-state.js';

const run = (status: RunStatus, over: Partial<RunState> = {}): RunState => ({ status, attempt: status === 'processing' ? 2 : 0, nextAttemptAt: null, error: null, ...over });
const backingOff = run('processing', { nextAttemptAt: 5_000 });

const EVENTS: Record<string, RunEvent> = {
  claim: { type: 'claim' },
  takeover: { type: 'takeover' },
  succeeded: { type: 'succeeded' },
  permanent: { type: 'attemptFailed', code: 'ACTIVATION_BATCH-2001-FAILED', message: 'Destination authentication failed: wrong key', transient: false, retryAt: undefined },
  transient: { type: 'attemptFailed', code: 'ACTIVATION_BATCH-2004-FAILED', message: 'connection reset', transient: true, retryAt: 9_000 },
  exhausted: { type: 'attemptFailed', code: 'ACTIVATION_BATCH-2004-FAILED', message: 'connection reset', transient: true, retryAt: undefined },
  released: { type: 'released' },
  promoted: { type: 'promoted' },
  disabled: { type: 'cancelled', reason: 'flowDisabled' },
  deleted: { type: 'cancelled', reason: 'flowDeleted' },
};

/** What each event does to a run of each status: the resulting run, or `refused`. */
const TABLE: readonly [string, string, RunState, RunState | 'refused'][] = [
  ['queued', 'claim', run('queued'), run('processing', { attempt: 1 })],
  ['waiting', 'claim', run('waiting'), 'refused'],
  ['backing off', 'claim', backingOff, run('processing', { attempt: 3 })],
  ['processing', 'claim', run('processing'), 'refused'],
  ['processing', 'takeover', run('processing'), run('processing', { attempt: 3 })],
  ['queued', 'takeover', run('queued'), 'refused'],
  ['processing', 'succeeded', run('processing'), run('success', { attempt: 2 })],
  ['backing off', 'succeeded', backingOff, 'refused'],
  ['processing', 'permanent', run('processing'), run('failed', { attempt: 2, error: { code: 'ACTIVATION_BATCH-2001-FAILED', message: 'Destination authentication failed: wrong key' } })],
  ['processing', 'transient', run('processing'), run('processing', { nextAttemptAt: 9_000 })],
  ['processing', 'exhausted', run('processing'), run('failed', { attempt: 2, error: { code: 'ACTIVATION_BATCH-2004-FAILED', message: 'Destination unreachable after 2 attempts: connection reset' } })],
  ['queued', 'permanent', run('queued'), 'refused'],
  ['processing', 'released', run('processing'), run('queued', { attempt: 1 })],
  ['waiting', 'released', run('waiting'), 'refused'],
  ['waiting', 'promoted', run('waiting'), run('queued')],
  ['queued', 'promoted', run('queued'), 'refused'],
  ['queued', 'disabled', run('queued'), run('failed', { error: { code: 'ACTIVATION_BATCH-3002-FAILED', message: 'Dataflow disabled.' } })],
  ['waiting', 'disabled', run('waiting'), run('failed', { error: { code: 'ACTIVATION_BATCH-3002-FAILED', message: 'Dataflow disabled.' } })],
  ['processing', 'disabled', run('processing'), 'refused'],
  ['processing', 'deleted', run('processing'), run('failed', { attempt: 2, error: { code: 'ACTIVATION_BATCH-3003-FAILED', message: 'Dataflow deleted.' } })],
  ['backing off', 'deleted', backingOff, run('failed', { attempt: 2, error: { code: 'ACTIVATION_BATCH-3003-FAILED', message: 'Dataflow deleted.' } })],
];

describe('applyRunEvent', () => {
  it.each(TABLE)('a %s run given %s', (_status, event, before, after) => {
    const outcome = applyRunEvent(before, EVENTS[event] as RunEvent);
    if (after === 'refused') expect(outcome.ok).toBe(false);
    else expect(outcome).toEqual({ ok: true, run: after });
  });

  it('refuses every event once a run is final', () => {
    for (const status of ['success', 'failed'] as const) {
      for (const event of Object.values(EVENTS)) expect(applyRunEvent(run(status), event)).toEqual({ ok: false, reason: `A ${status} run cannot take the event ${event.type}` });
    }
  });
});

describe('newRunState and isFinal', () => {
  it('persists a run as waiting behind an active one of its pair, else queued', () => {
    expect(newRunState(true)).toEqual(run('waiting'));
    expect(newRunState(false)).toEqual(run('queued'));
  });

  it('treats only success and failed as final', () => {
    expect((['waiting', 'queued', 'processing', 'success', 'failed'] as const).filter(isFinal)).toEqual(['success', 'failed']);
  });
});
