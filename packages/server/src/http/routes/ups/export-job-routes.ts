// Export job API (SPEC §5.9) in the `ups` family: create, list (`records/page/link`), get, cancel.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ExportJobRunner } from '../../../domain/exports/export-job-runner.js';
import { CANCEL_MESSAGE, cursorOf, requestOf, type ExportJobService } from '../../../domain/exports/export-job-service.js';
import { actorLabel } from '../../../domain/runtime.js';
import { AppError } from '../../../errors.js';
import type { ExportJobRecord, ExportJobStatus, SandboxScopedStore } from '../../../storage/store.js';
import { authOf } from '../../route-config.js';

const BASE = '/data/core/ups/export/jobs';
const TAGS = ['export jobs'];
const VIEW = { kind: 'permissions', scope: 'sandbox', allOf: ['View Segments'] } as const;
const MANAGE = { kind: 'permissions', scope: 'sandbox', allOf: ['Manage Segments', 'Manage Datasets'] } as const;
const STATUSES: readonly ExportJobStatus[] = ['NEW', 'PROCESSING', 'SUCCEEDED', 'FAILED', 'CANCELLING', 'CANCELLED'];

const idParams = z.object({ id: z.string().min(1).max(100) });
const listQuery = z.looseObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.string().max(100).optional(),
  status: z.string().max(200).optional(),
});
const timing = z.object({ startTimeInMs: z.number(), endTimeInMs: z.number(), totalTimeInMs: z.number() });
const jobSchema = z.object({
  id: z.number().int(), jobType: z.literal('BATCH'), status: z.enum(['NEW', 'PROCESSING', 'SUCCEEDED', 'FAILED', 'CANCELLING', 'CANCELLED']),
  imsOrgId: z.string(), profileInstanceId: z.literal('ups'),
  destination: z.object({ datasetId: z.string(), segmentPerBatch: z.boolean(), batchId: z.string() }),
  fields: z.string(), schema: z.object({ name: z.string() }),
  filter: z.object({
    segments: z.array(z.object({ segmentId: z.string(), segmentNs: z.string(), status: z.array(z.string()) })),
    segmentQualificationTime: z.object({ startTime: z.string().optional(), endTime: z.string().optional() }).optional(),
    emptyProfiles: z.boolean(),
  }),
  mergePolicy: z.object({ id: z.string(), version: z.number().int().optional() }).optional(),
  metrics: z.object({ totalTime: timing, profileExportTime: timing, totalExportedProfileCounter: z.number().int(), exportedProfileByNamespaceCounter: z.record(z.string(), z.number()) }),
  errors: z.array(z.object({ code: z.string(), msg: z.string() })),
  computeGatewayJobId: z.object({ exportJob: z.string() }),
  creationTime: z.number().int(), updateTime: z.number().int(), requestId: z.string().optional(),
});
const listSchema = z.object({
  records: z.array(jobSchema),
  page: z.object({ sortField: z.literal('createdTime'), sort: z.literal('desc'), pageOffset: z.string(), pageSize: z.number().int() }),
  link: z.object({ next: z.string().optional() }),
});

const ZERO = { startTimeInMs: 0, endTimeInMs: 0, totalTimeInMs: 0 };

/** The AEP export job object (SPEC §5.9). */
export function exportJobJson(job: ExportJobRecord, orgId: string): z.infer<typeof jobSchema> {
  const request = requestOf(job);
  const window = request.qualificationTime;
  const metrics = (job.metrics as z.infer<typeof jobSchema>['metrics'] | null) ?? {
    totalTime: ZERO, profileExportTime: ZERO, totalExportedProfileCounter: 0, exportedProfileByNamespaceCounter: {},
  };
  return {
    id: job.id, jobType: 'BATCH', status: job.status, imsOrgId: orgId, profileInstanceId: 'ups',
    destination: { datasetId: request.destination.datasetId, segmentPerBatch: request.destination.segmentPerBatch, batchId: job.batchIds[0] ?? '' },
    fields: request.fieldsText, schema: { name: request.schemaName },
    filter: {
      segments: request.segments.map((s) => ({ segmentId: s.segmentId, segmentNs: s.segmentNs, status: [...s.status] })),
      ...(window === undefined ? {} : { segmentQualificationTime: { ...(window.startTime === undefined ? {} : { startTime: window.startTime }), ...(window.endTime === undefined ? {} : { endTime: window.endTime }) } }),
      emptyProfiles: request.emptyProfiles,
    },
    ...(request.mergePolicy === undefined ? {} : { mergePolicy: { id: request.mergePolicy.id, ...(request.mergePolicy.version === undefined ? {} : { version: request.mergePolicy.version }) } }),
    metrics, errors: job.errors as { code: string; msg: string }[], computeGatewayJobId: { exportJob: job.computeJobId },
    creationTime: job.createdAt, updateTime: job.updatedAt, ...(job.requestId === null ? {} : { requestId: job.requestId }),
  };
}

/** The export job services the routes and the worker call. */
export interface ExportsModule {
  readonly service: ExportJobService;
  readonly runner: ExportJobRunner;
  sandboxStore(sandboxId: string): SandboxScopedStore;
}

function parseStatuses(value: string | undefined): ExportJobStatus[] | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  return value.split(',').map((part) => {
    const status = STATUSES.find((candidate) => candidate === part.trim().toUpperCase());
    if (status === undefined) throw new AppError('VALIDATION', `Invalid status filter ${JSON.stringify(part.trim())}: use one of ${STATUSES.join(', ')}`);
    return status;
  });
}

export function registerExportJobRoutes(app: FastifyInstance, module: ExportsModule, orgId: string): void {
  const contextOf = (request: FastifyRequest) => {
    const auth = authOf(request);
    if (auth.sandbox === undefined) throw new Error('export job routes are sandbox-scoped');
    return { scope: module.sandboxStore(auth.sandbox.id), by: actorLabel(auth.principal.actor) };
  };

  app.post(BASE, {
    config: { access: MANAGE, sandboxScoped: true, audit: { action: 'exportJob.create', objectType: 'exportJob' } },
    schema: { tags: TAGS, body: z.unknown(), response: { 200: jobSchema } },
  }, async (request) => {
    const { scope, by } = contextOf(request);
    const job = await module.service.create(scope, request.body, by, request.id);
    request.auditObjectId = String(job.id);
    return exportJobJson(job, orgId);
  });

  app.get(BASE, { config: { access: VIEW, sandboxScoped: true }, schema: { tags: TAGS, querystring: listQuery, response: { 200: listSchema } } }, async (request) => {
    const { scope } = contextOf(request);
    const query = request.query as z.infer<typeof listQuery>;
    const page = await module.service.list(scope, { limit: query.limit, offset: query.offset, statuses: parseStatuses(query.status) });
    const last = page.records[page.records.length - 1];
    return {
      records: page.records.map((job) => exportJobJson(job, orgId)),
      page: { sortField: 'createdTime' as const, sort: 'desc' as const, pageOffset: last === undefined ? '' : cursorOf(last), pageSize: page.records.length },
      link: page.next === undefined ? {} : { next: `/export/jobs/?limit=${query.limit}&offset=${page.next}` },
    };
  });

  app.get(`${BASE}/:id`, { config: { access: VIEW, sandboxScoped: true }, schema: { tags: TAGS, params: idParams, response: { 200: jobSchema } } }, async (request) => {
    const { scope } = contextOf(request);
    return exportJobJson(await module.service.get(scope, (request.params as { id: string }).id), orgId);
  });

  app.delete(`${BASE}/:id`, {
    config: { access: MANAGE, sandboxScoped: true, audit: { action: 'exportJob.cancel', objectType: 'exportJob' } },
    schema: { tags: TAGS, params: idParams },
  }, async (request) => {
    const { scope } = contextOf(request);
    const { id } = request.params as { id: string };
    request.auditObjectId = id;
    await module.service.cancel(scope, id);
    return { status: true, message: CANCEL_MESSAGE };
  });
}
