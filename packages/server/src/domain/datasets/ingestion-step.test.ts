import { describe, expect, it } from 'vitest';
import { ingestionStep } from './ingestion-step.js';

describe('ingestion step of a claimed ingest-batch job', () => {
  it.each([
    { status: 'processing', cutOff: false, step: 'ingest' },
    { status: 'processing', cutOff: true, step: 'fail-interrupted' },
    { status: 'success', cutOff: true, step: 'discard-staging' },
    { status: 'failed', cutOff: false, step: 'discard-staging' },
    { status: 'aborted', cutOff: false, step: 'discard-staging' },
    { status: 'loading', cutOff: false, step: 'nothing' },
    { status: undefined, cutOff: true, step: 'nothing' },
  ] as const)('a $status batch, cut off before: $cutOff → $step', ({ status, cutOff, step }) => {
    expect(ingestionStep(status, cutOff)).toBe(step);
  });
});
