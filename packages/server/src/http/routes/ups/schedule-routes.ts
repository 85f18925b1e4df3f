// Batch segmentation schedule API (SPEC §5.8) in the `ups` family: list, get, create, JSON Patch, delete.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { SegmentSchedule, SegmentScheduleService } from '../../../domain/schedules/schedule-service.js';
import { actorLabel } from '../../../domain/runtime.js';
import { AppError } from '../../../errors.js';
import type { SandboxScopedStore } from '../../../storage/store.js';
import { applyJsonPatch, normalizePatchOps } from '../../aep/json-patch.js';
import { authOf } from '../../route-config.js';

const BASE = '/data/core/ups/config/schedules';
const TAGS = ['schedules'];
const VIEW = { kind: 'permissions', scope: 'sandbox', allOf: ['View Segments'] } as const;
const MANAGE = { kind: 'permissions', scope: 'sandbox', allOf: ['Manage Segments'] } as const;
/** SPEC §5.8: the fields a PATCH may add or replace. */
const PATCH_PATHS: ReadonlySet<string> = new Set(['/state', '/schedule', '/name', '/properties/segments']);
/** A patch longer than this is refused before it is applied. */
const MAX_PATCH_OPERATIONS = 20;

const idParams = z.object({ id: z.string().min(1).max(100) });
const listQuery = z.object({
  start: z.coerce.number().int().min(0).max(1_000_000).default(0),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});
const scheduleJson = z.object({
  id: z.string(), name: z.string(), type: z.literal('batch_segmentation'), properties: z.object({ segments: z.array(z.string()) }),
  schedule: z.string(), state: z.enum(['active', 'inactive']), createEpoch: z.number().int(), updateEpoch: z.number().int(),
});
const listJson = z.object({
  _page: z.object({ totalCount: z.number().int(), pageSize: z.number().int() }),
  children: z.array(scheduleJson),
  _links: z.object({ next: z.object({ href: z.string() }) }),
});
/** The create body: shapes only; the service checks values and says what is wrong. */
const createBody = z.object({
  name: z.unknown().optional(), type: z.unknown().optional(), schedule: z.unknown().optional(), state: z.unknown().optional(),
  properties: z.object({ segments: z.unknown() }).partial().optional(),
}).passthrough();

/** The AEP schedule object (SPEC §5.8). */
export function scheduleJsonOf(schedule: SegmentSchedule): z.infer<typeof scheduleJson> {
  return {
    id: schedule.id, name: schedule.name, type: schedule.type, properties: { segments: [...schedule.segments] }, schedule: schedule.cron,
    state: schedule.state, createEpoch: Math.floor(schedule.createdAt / 1000), updateEpoch: Math.floor(schedule.updatedAt / 1000),
  };
}

/** What the routes need: the service and the sandbox's store. */
export interface ScheduleRoutesDeps {
  readonly schedules: SegmentScheduleService;
  sandboxStore(sandboxId: string): SandboxScopedStore;
}

/** Only add/replace on the SPEC paths; the error names the operation and what is allowed. */
function checkedPatch(body: unknown) {
  if (Array.isArray(body) && body.length > MAX_PATCH_OPERATIONS) throw new AppError('VALIDATION', `A patch may hold at most ${MAX_PATCH_OPERATIONS} operations`);
  const ops = normalizePatchOps(body);
  if (ops.length === 0) throw new AppError('VALIDATION', 'The patch is empty: send a JSON array of add/replace operations');
  ops.forEach((op, index) => {
    if (op.op !== 'add' && op.op !== 'replace') throw new AppError('VALIDATION', `Invalid patch operation ${index}: only add and replace are supported, got ${op.op}`);
    if (!PATCH_PATHS.has(op.path)) throw new AppError('VALIDATION', `Invalid patch path: ${op.path} (patchable: ${[...PATCH_PATHS].join(', ')})`);
  });
  return ops;
}

export function registerScheduleRoutes(app: FastifyInstance, deps: ScheduleRoutesDeps): void {
  const contextOf = (request: FastifyRequest) => {
    const auth = authOf(request);
    if (auth.sandbox === undefined) throw new Error('schedule routes are sandbox-scoped');
    return { scope: deps.sandboxStore(auth.sandbox.id), by: actorLabel(auth.principal.actor) };
  };

  app.get(BASE, { config: { access: VIEW, sandboxScoped: true }, schema: { tags: TAGS, querystring: listQuery, response: { 200: listJson } } }, async (request) => {
    const { scope } = contextOf(request);
    const { start, limit } = request.query as z.infer<typeof listQuery>;
    const all = await deps.schedules.list(scope);
    const children = all.slice(start * limit, (start + 1) * limit);
    const hasNext = (start + 1) * limit < all.length;
    return {
      _page: { totalCount: all.length, pageSize: children.length },
      children: children.map(scheduleJsonOf),
      _links: { next: { href: hasNext ? `/config/schedules?start=${start + 1}&limit=${limit}` : '' } },
    };
  });

  app.get(`${BASE}/:id`, { config: { access: VIEW, sandboxScoped: true }, schema: { tags: TAGS, params: idParams, response: { 200: scheduleJson } } }, async (request) => {
    const { scope } = contextOf(request);
    return scheduleJsonOf(await deps.schedules.get(scope, (request.params as { id: string }).id));
  });

  app.post(BASE, {
    config: { access: MANAGE, sandboxScoped: true, audit: { action: 'schedule.create', objectType: 'schedule' } },
    schema: { tags: TAGS, body: createBody, response: { 200: scheduleJson } },
  }, async (request) => {
    const { scope, by } = contextOf(request);
    const body = request.body as z.infer<typeof createBody>;
    const created = await deps.schedules.create(scope, { name: body.name, type: body.type, cron: body.schedule, state: body.state, segments: body.properties?.segments }, by);
    request.auditObjectId = created.id;
    return scheduleJsonOf(created);
  });

  app.patch(`${BASE}/:id`, {
    config: { access: MANAGE, sandboxScoped: true, audit: { action: 'schedule.patch', objectType: 'schedule' } },
    schema: { tags: TAGS, params: idParams, body: z.unknown() },
  }, async (request, reply) => {
    const { scope, by } = contextOf(request);
    const { id } = request.params as { id: string };
    request.auditObjectId = id;
    const ops = checkedPatch(request.body);
    const patched = applyJsonPatch(scheduleJsonOf(await deps.schedules.get(scope, id)), ops) as Partial<z.infer<typeof scheduleJson>>;
    await deps.schedules.update(scope, id, { name: patched.name, type: patched.type, cron: patched.schedule, state: patched.state, segments: patched.properties?.segments }, by);
    return reply.code(204).send();
  });

  app.delete(`${BASE}/:id`, {
    config: { access: MANAGE, sandboxScoped: true, audit: { action: 'schedule.delete', objectType: 'schedule' } },
    schema: { tags: TAGS, params: idParams },
  }, async (request, reply) => {
    const { scope } = contextOf(request);
    const { id } = request.params as { id: string };
    request.auditObjectId = id;
    await deps.schedules.delete(scope, id);
    return reply.code(204).send();
  });
}
