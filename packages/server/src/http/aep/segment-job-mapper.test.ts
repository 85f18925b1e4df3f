import { describe, expect, it } from 'vitest';
import type { SandboxRecord, SegmentJobRecord } from '../../storage/store.js';
import { MAX_LISTED_JOB_SEGMENTS, segmentJobJson, segmentJobSchema } from './segment-job-mapper.js';

const sandbox: SandboxRecord = {
  id: 'sb-1', name: 'prod', title: 'Production', state: 'active', type: 'production', isDefault: true, etag: 1, createdAt: 0, updatedAt: 0, createdBy: 'system', updatedBy: 'system',
};
const segment = (segmentId: string) => ({ segmentId, expression: 'a = 1', mergePolicyId: 'mp', mergePolicyVersion: 3, dependencies: [] });
const job = (over: Partial<SegmentJobRecord> = {}): SegmentJobRecord => ({
  id: 'j-1', status: 'QUEUED', source: 'api', requested: ['s-1'], segments: [segment('s-1')], metrics: null, errors: [], properties: null,
  requestId: null, createdAt: 1_736_211_600_000, updatedAt: 1_736_211_612_345, startedAt: null, finishedAt: null, ...over,
});

describe('segmentJobJson', () => {
  it('gives a job that has not run zero counters and its creation time, and validates against the response schema', () => {
    const json = segmentJobJson(job(), sandbox, 'ACTIVATOR@Org');
    expect(json.metrics).toEqual({
      totalTime: { startTimeInMs: 1_736_211_600_000, endTimeInMs: 1_736_211_600_000, totalTimeInMs: 0 },
      profileSegmentationTime: { startTimeInMs: 1_736_211_600_000, endTimeInMs: 1_736_211_600_000, totalTimeInMs: 0 },
      totalProfiles: 0, segmentedProfileCounter: {}, segmentedProfileByNamespaceCounter: {}, segmentedProfileByStatusCounter: {}, totalProfilesByMergePolicy: {},
    });
    expect(json).toMatchObject({ imsOrgId: 'ACTIVATOR@Org', profileInstanceId: 'ups', requestId: '', updateEpoch: 1_736_211_612, schema: { name: '_xdm.context.profile' } });
    expect(json.sandbox).toEqual({ sandboxId: 'sb-1', sandboxName: 'prod', type: 'production', default: true });
    expect(json.segments).toEqual([{ segmentId: 's-1', segment: { id: 's-1', expression: { type: 'PQL', format: 'pql/text', value: 'a = 1' }, mergePolicyId: 'mp', mergePolicy: { id: 'mp', version: 3 } } }]);
    expect(segmentJobSchema.safeParse(json).success).toBe(true);
  });

  it(`shows [{"segmentId": "*"}] for more than ${MAX_LISTED_JOB_SEGMENTS} audiences, and every audience up to that`, () => {
    const many = Array.from({ length: MAX_LISTED_JOB_SEGMENTS + 1 }, (_, i) => segment(`s-${i}`));
    expect(segmentJobJson(job({ segments: many }), sandbox, 'o').segments).toEqual([{ segmentId: '*' }]);
    expect(segmentJobJson(job({ segments: many.slice(1) }), sandbox, 'o').segments).toHaveLength(MAX_LISTED_JOB_SEGMENTS);
  });
});
