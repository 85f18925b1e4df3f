// The AEP segment job object (SPEC §5.6) from a stored job: sandbox, segments with their expression, metrics, links, epochs.
import { z } from 'zod';
import type { SandboxRecord, SegmentJobRecord } from '../../storage/store.js';

/** SPEC §5.6: a job listing more audiences than this shows `[{"segmentId": "*"}]`. */
export const MAX_LISTED_JOB_SEGMENTS = 1500;

const timeSpan = z.object({ startTimeInMs: z.number(), endTimeInMs: z.number(), totalTimeInMs: z.number() });
const counters = z.record(z.string(), z.number());

export const segmentJobMetricsSchema = z.object({
  totalTime: timeSpan,
  profileSegmentationTime: timeSpan,
  totalProfiles: z.number(),
  segmentedProfileCounter: counters,
  segmentedProfileByNamespaceCounter: z.record(z.string(), counters),
  segmentedProfileByStatusCounter: z.record(z.string(), z.object({ realized: z.number(), existing: z.number(), exited: z.number() })),
  totalProfilesByMergePolicy: counters,
});

const link = z.object({ href: z.string(), method: z.string() });

/** The response schema of one job. */
export const segmentJobSchema = z.object({
  id: z.string(),
  imsOrgId: z.string(),
  sandbox: z.object({ sandboxId: z.string(), sandboxName: z.string(), type: z.string(), default: z.boolean() }),
  profileInstanceId: z.literal('ups'),
  source: z.enum(['api', 'scheduler']),
  status: z.enum(['NEW', 'QUEUED', 'PROCESSING', 'SUCCEEDED', 'FAILED', 'CANCELLING', 'CANCELLED']),
  segments: z.array(z.object({
    segmentId: z.string(),
    segment: z.object({
      id: z.string(),
      expression: z.object({ type: z.literal('PQL'), format: z.literal('pql/text'), value: z.string() }),
      mergePolicyId: z.string(),
      mergePolicy: z.object({ id: z.string(), version: z.number() }),
    }).optional(),
  })),
  metrics: segmentJobMetricsSchema,
  errors: z.array(z.object({ code: z.string(), msg: z.string() })),
  requestId: z.string(),
  schema: z.object({ name: z.literal('_xdm.context.profile') }),
  properties: z.object({ scheduleId: z.string(), runId: z.string() }).nullable(),
  _links: z.object({ cancel: link, checkStatus: link }),
  creationTime: z.number(),
  updateTime: z.number(),
  updateEpoch: z.number(),
});

export type SegmentJobJson = z.infer<typeof segmentJobSchema>;

/** Metrics of a job that has not run (or was cancelled before it ended): zero counters, times so far. */
function emptyMetrics(job: SegmentJobRecord): SegmentJobJson['metrics'] {
  const start = job.startedAt ?? job.createdAt;
  const end = job.finishedAt ?? start;
  const total = { startTimeInMs: start, endTimeInMs: end, totalTimeInMs: end - start };
  return {
    totalTime: total, profileSegmentationTime: { startTimeInMs: start, endTimeInMs: start, totalTimeInMs: 0 }, totalProfiles: 0,
    segmentedProfileCounter: {}, segmentedProfileByNamespaceCounter: {}, segmentedProfileByStatusCounter: {}, totalProfilesByMergePolicy: {},
  };
}

export function segmentJobJson(job: SegmentJobRecord, sandbox: SandboxRecord, orgId: string): SegmentJobJson {
  const href = `/segment/jobs/${job.id}`;
  const parsedMetrics = segmentJobMetricsSchema.safeParse(job.metrics);
  return {
    id: job.id,
    imsOrgId: orgId,
    sandbox: { sandboxId: sandbox.id, sandboxName: sandbox.name, type: sandbox.type, default: sandbox.isDefault },
    profileInstanceId: 'ups',
    source: job.source,
    status: job.status,
    segments: job.segments.length > MAX_LISTED_JOB_SEGMENTS
      ? [{ segmentId: '*' }]
      : job.segments.map((segment) => ({
        segmentId: segment.segmentId,
        segment: {
          id: segment.segmentId,
          expression: { type: 'PQL' as const, format: 'pql/text' as const, value: segment.expression },
          mergePolicyId: segment.mergePolicyId,
          mergePolicy: { id: segment.mergePolicyId, version: segment.mergePolicyVersion },
        },
      })),
    metrics: parsedMetrics.success ? parsedMetrics.data : emptyMetrics(job),
    errors: job.errors.map((error) => ({ code: error.code, msg: error.msg })),
    requestId: job.requestId ?? '',
    schema: { name: '_xdm.context.profile' },
    properties: job.properties,
    _links: { cancel: { href, method: 'DELETE' }, checkStatus: { href, method: 'GET' } },
    creationTime: job.createdAt,
    updateTime: job.updatedAt,
    updateEpoch: Math.floor(job.updatedAt / 1000),
  };
}
