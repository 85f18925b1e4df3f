// Segment job API (SPEC §5.6) in the `ups` family: create, list (`_page/children/_links`), get, bulk-get, cancel.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { SegmentJobService } from '../../../domain/segment-jobs/segment-job-service.js';
import { AppError } from '../../../errors.js';
import type { SandboxScopedStore, SegmentJobStatus } from '../../../storage/store.js';
import { segmentJobJson, segmentJobSchema } from '../../aep/segment-job-mapper.js';
import { authOf } from '../../route-config.js';

const BASE = '/data/core/ups/segment/jobs';
const TAGS = ['segment jobs'];
const VIEW = { kind: 'permissions', scope: 'sandbox', allOf: ['View Segments'] } as const;
const EVALUATE = { kind: 'permissions', scope: 'sandbox', allOf: ['Evaluate Segment to Audience'] } as const;
const STATUSES = ['NEW', 'QUEUED', 'PROCESSING', 'SUCCEEDED', 'FAILED', 'CANCELLING', 'CANCELLED'] as const;
/** Bounds what one request can make us resolve and store. */
const MAX_REQUESTED = 5000;
const SEGMENT_FILTER = /^segments~segmentId==(.{1,100})$/;

const idParams = z.object({ id: z.string().min(1).max(100) });
const createBody = z.array(z.looseObject({ segmentId: z.string().min(1).max(100) })).max(MAX_REQUESTED);
const listQuery = z.looseObject({
  start: z.coerce.number().int().min(0).max(1_000_000).default(0),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  status: z.string().max(200).optional(),
  sort: z.enum(['creationTime:desc', 'creationTime:asc']).default('creationTime:desc'),
  property: z.string().max(200).optional(),
});
const bulkBody = z.looseObject({ ids: z.array(z.looseObject({ id: z.string().min(1).max(100) })).max(100) });
const bulkResponse = z.object({ results: z.record(z.string(), segmentJobSchema) });
const listResponse = z.object({
  _page: z.object({ totalCount: z.number(), pageSize: z.number() }),
  children: z.array(segmentJobSchema),
  _links: z.object({ next: z.object({ href: z.string() }) }),
});

/** The `status` filter: one status or several, comma-separated, case-insensitive. */
function parseStatuses(value: string | undefined): SegmentJobStatus[] | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  return value.split(',').map((part) => {
    const status = STATUSES.find((candidate) => candidate === part.trim().toUpperCase());
    if (status === undefined) throw new AppError('VALIDATION', `Invalid status filter ${JSON.stringify(part.trim())}: use one of ${STATUSES.join(', ')}`);
    return status;
  });
}

function parseSegmentFilter(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const match = SEGMENT_FILTER.exec(value);
  if (match === null) throw new AppError('VALIDATION', `Invalid property filter ${JSON.stringify(value)}: the only filter is property=segments~segmentId==<segment id>`);
  return match[1];
}

export interface SegmentJobRouteDeps {
  readonly jobs: SegmentJobService;
  sandboxStore(sandboxId: string): SandboxScopedStore;
}

export function registerSegmentJobRoutes(untyped: FastifyInstance, deps: SegmentJobRouteDeps, orgId: string): void {
  const app = untyped.withTypeProvider<ZodTypeProvider>();
  const contextOf = (request: FastifyRequest) => {
    const auth = authOf(request);
    if (auth.sandbox === undefined) throw new Error('segment job routes are sandbox-scoped');
    return { scope: deps.sandboxStore(auth.sandbox.id), sandbox: auth.sandbox };
  };

  app.post(BASE, {
    config: { access: EVALUATE, sandboxScoped: true, audit: { action: 'segmentJob.create', objectType: 'segmentJob' } },
    schema: { tags: TAGS, body: createBody, response: { 200: segmentJobSchema } },
  }, async (request) => {
    const { scope, sandbox } = contextOf(request);
    const job = await deps.jobs.create(scope, request.body.map((entry) => entry.segmentId), { requestId: request.id });
    request.auditObjectId = job.id;
    return segmentJobJson(job, sandbox, orgId);
  });

  app.get(BASE, { config: { access: VIEW, sandboxScoped: true }, schema: { tags: TAGS, querystring: listQuery, response: { 200: listResponse } } }, async (request) => {
    const { scope, sandbox } = contextOf(request);
    const { query } = request;
    const { items, total } = await deps.jobs.list(scope, {
      statuses: parseStatuses(query.status), segmentId: parseSegmentFilter(query.property),
      order: query.sort === 'creationTime:asc' ? 'asc' : 'desc', page: query.start, limit: query.limit,
    });
    const hasNext = (query.start + 1) * query.limit < total;
    return {
      _page: { totalCount: total, pageSize: items.length },
      children: items.map((job) => segmentJobJson(job, sandbox, orgId)),
      _links: { next: { href: hasNext ? `/segment/jobs?start=${query.start + 1}&limit=${query.limit}` : '' } },
    };
  });

  app.get(`${BASE}/:id`, { config: { access: VIEW, sandboxScoped: true }, schema: { tags: TAGS, params: idParams, response: { 200: segmentJobSchema } } }, async (request) => {
    const { scope, sandbox } = contextOf(request);
    return segmentJobJson(await deps.jobs.get(scope, request.params.id), sandbox, orgId);
  });

  app.post(`${BASE}/bulk-get`, { config: { access: VIEW, sandboxScoped: true }, schema: { tags: TAGS, body: bulkBody, response: { 207: bulkResponse } } }, async (request, reply) => {
    const { scope, sandbox } = contextOf(request);
    const jobs = await deps.jobs.bulkGet(scope, request.body.ids.map((entry) => entry.id));
    return reply.code(207).send({ results: Object.fromEntries(jobs.map((job) => [job.id, segmentJobJson(job, sandbox, orgId)])) });
  });

  app.delete(`${BASE}/:id`, {
    config: { access: EVALUATE, sandboxScoped: true, audit: { action: 'segmentJob.cancel', objectType: 'segmentJob' } },
    schema: { tags: TAGS, params: idParams },
  }, async (request, reply) => {
    const { scope } = contextOf(request);
    const { id } = request.params;
    request.auditObjectId = id;
    await deps.jobs.cancel(scope, id);
    return reply.code(204).send();
  });
}
