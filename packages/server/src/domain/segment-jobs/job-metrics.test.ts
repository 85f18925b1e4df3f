import { describe, expect, it } from 'vitest';
import { jobError, jobMetrics } from './job-metrics.js';

describe('jobMetrics', () => {
  it('adds up members per audience and profiles per merge policy, with both time spans', () => {
    const metrics = jobMetrics({
      startedAt: 1000, finishedAt: 13_000, segmentation: { start: 2000, end: 12_000 },
      profilesByMergePolicy: new Map([['mp-a', 10], ['mp-b', 7]]),
      succeeded: [
        { id: 's-1', counts: { realized: 2, existing: 3, exited: 4 }, byNamespace: { CRMID: 5, Email: 1 } },
        { id: 's-2', counts: { realized: 0, existing: 0, exited: 1 }, byNamespace: {} },
      ],
    });
    expect(metrics).toEqual({
      totalTime: { startTimeInMs: 1000, endTimeInMs: 13_000, totalTimeInMs: 12_000 },
      profileSegmentationTime: { startTimeInMs: 2000, endTimeInMs: 12_000, totalTimeInMs: 10_000 },
      totalProfiles: 17,
      segmentedProfileCounter: { 's-1': 5, 's-2': 0 },
      segmentedProfileByNamespaceCounter: { 's-1': { CRMID: 5, Email: 1 }, 's-2': {} },
      segmentedProfileByStatusCounter: { 's-1': { realized: 2, existing: 3, exited: 4 }, 's-2': { realized: 0, existing: 0, exited: 1 } },
      totalProfilesByMergePolicy: { 'mp-a': 10, 'mp-b': 7 },
    });
  });

  it('names the audience in each error', () => {
    expect(jobError('s-9', 'unknown field "x"')).toEqual({ code: 'SEGMENT-JOB-FAILED', msg: 's-9: unknown field "x"' });
  });
});
