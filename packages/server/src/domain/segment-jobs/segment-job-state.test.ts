import { describe, expect, it } from 'vitest';
import type { SegmentJobStatus } from '../../storage/store.js';
import { cancelDecision, canTransition, isFinal, outcomeStatus, SEGMENT_JOB_TRANSITIONS } from './segment-job-state.js';

const ALL: readonly SegmentJobStatus[] = ['NEW', 'QUEUED', 'PROCESSING', 'SUCCEEDED', 'FAILED', 'CANCELLING', 'CANCELLED'];

describe('segment job state machine', () => {
  it('follows NEW → QUEUED → PROCESSING → SUCCEEDED | FAILED, and never leaves a final status', () => {
    expect(canTransition('NEW', 'QUEUED')).toBe(true);
    expect(canTransition('QUEUED', 'PROCESSING')).toBe(true);
    expect(canTransition('PROCESSING', 'SUCCEEDED')).toBe(true);
    expect(canTransition('PROCESSING', 'FAILED')).toBe(true);
    expect(canTransition('NEW', 'PROCESSING')).toBe(false);
    expect(canTransition('QUEUED', 'SUCCEEDED')).toBe(false);
    for (const final of ['SUCCEEDED', 'FAILED', 'CANCELLED'] as const) {
      expect(isFinal(final)).toBe(true);
      for (const to of ALL) expect(canTransition(final, to)).toBe(false);
    }
    expect(ALL.filter((status) => !isFinal(status))).toEqual(['NEW', 'QUEUED', 'PROCESSING', 'CANCELLING']);
  });

  it('goes through CANCELLING only from PROCESSING, and CANCELLING ends only CANCELLED', () => {
    expect(ALL.filter((from) => canTransition(from, 'CANCELLING'))).toEqual(['PROCESSING']);
    expect(SEGMENT_JOB_TRANSITIONS.CANCELLING).toEqual(['CANCELLED']);
  });

  it.each([
    ['NEW', { kind: 'cancel', to: 'CANCELLED' }],
    ['QUEUED', { kind: 'cancel', to: 'CANCELLED' }],
    ['PROCESSING', { kind: 'cancel', to: 'CANCELLING' }],
    ['CANCELLING', { kind: 'already-cancelled' }],
    ['CANCELLED', { kind: 'already-cancelled' }],
    ['SUCCEEDED', { kind: 'ended' }],
    ['FAILED', { kind: 'ended' }],
  ] as const)('a cancel of a %s job: %j', (status, decision) => {
    expect(cancelDecision(status)).toEqual(decision);
    if (decision.kind === 'cancel') expect(canTransition(status, decision.to)).toBe(true);
  });

  it.each([
    [1, 0, 'SUCCEEDED'],
    [1, 5, 'SUCCEEDED'],
    [0, 2, 'FAILED'],
    [0, 0, 'SUCCEEDED'],
  ] as const)('%i succeeded and %i failed audiences end the job %s', (succeeded, failed, status) => {
    expect(outcomeStatus(succeeded, failed)).toBe(status);
  });
});
