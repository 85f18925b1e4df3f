// Merge policy API (SPEC §4.4) in the `ups` family: AEP list paging, PUT, JSON Patch, bulk-get.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { MergePolicy, MergePolicyInput } from '../../../domain/profiles/merge-policy-service.js';
import { actorLabel } from '../../../domain/runtime.js';
import { AppError } from '../../../errors.js';
import type { SandboxRecord } from '../../../storage/store.js';
import { applyJsonPatch, normalizePatchOps } from '../../aep/json-patch.js';
import { authOf } from '../../route-config.js';
import type { ProfilesModule } from '../datasets/profiles-module.js';

const BASE = '/data/core/ups/config/mergePolicies';
const TAGS = ['merge policies'];
const VIEW = { kind: 'permissions', scope: 'sandbox', allOf: ['View Merge Policies'] } as const;
const MANAGE = { kind: 'permissions', scope: 'sandbox', allOf: ['Manage Merge Policies'] } as const;
const PROFILE_SCHEMA = '_xdm.context.profile';
const idParams = z.object({ id: z.string().min(1).max(100) });

const policyBody = z.object({
  name: z.string().max(200),
  schema: z.object({ name: z.string() }),
  identityGraph: z.object({ type: z.string() }),
  attributeMerge: z.object({ type: z.string(), order: z.array(z.string()).optional() }),
  default: z.union([z.boolean(), z.enum(['true', 'false'])]).optional(),
});
const listQuery = z.object({
  start: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  default: z.enum(['true', 'false']).optional(),
  'identityGraph.type': z.enum(['none', 'pdg']).optional(),
  'attributeMerge.type': z.enum(['timestampOrdered', 'dataSetPrecedence']).optional(),
});

/** The AEP merge policy object (SPEC §4.4). */
export function mergePolicyJson(policy: MergePolicy, sandbox: SandboxRecord, orgId: string) {
  return {
    id: policy.id, name: policy.name, imsOrgId: orgId,
    sandbox: { sandboxId: sandbox.id, sandboxName: sandbox.name, type: sandbox.type, default: sandbox.isDefault },
    schema: { name: PROFILE_SCHEMA }, version: policy.version,
    identityGraph: { type: policy.identityGraph }, attributeMerge: policy.attributeMerge,
    default: policy.isDefault, updateEpoch: Math.floor(policy.updatedAt / 1000),
  };
}

/** A create/PUT body or a patched document → service input (schema.name must be the profile schema). */
function toInput(body: unknown): MergePolicyInput {
  const parsed = policyBody.safeParse(body);
  if (!parsed.success) {
    throw new AppError('VALIDATION', parsed.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`).join('; '));
  }
  if (parsed.data.schema.name !== PROFILE_SCHEMA) throw new AppError('VALIDATION', `schema.name must be ${PROFILE_SCHEMA}`);
  return {
    name: parsed.data.name, identityGraph: parsed.data.identityGraph.type,
    attributeMerge: { type: parsed.data.attributeMerge.type, order: parsed.data.attributeMerge.order },
    isDefault: parsed.data.default === true || parsed.data.default === 'true',
  };
}

/** PATCH paths (SPEC §4.4); `/identityGraph.type` is AEP's dotted spelling of `/identityGraph/type`. */
const PATCH_PATHS = new Set(['/name', '/identityGraph/type', '/attributeMerge/type', '/attributeMerge/order', '/default']);

export function registerMergePolicyRoutes(app: FastifyInstance, module: ProfilesModule, orgId: string): void {
  const contextOf = (request: FastifyRequest) => {
    const auth = authOf(request);
    if (auth.sandbox === undefined) throw new Error('merge policy routes are sandbox-scoped');
    return { scope: module.sandboxStore(auth.sandbox.id), sandbox: auth.sandbox, by: actorLabel(auth.principal.actor) };
  };

  app.get(BASE, { config: { access: VIEW, sandboxScoped: true }, schema: { tags: TAGS, querystring: listQuery } }, async (request) => {
    const { scope, sandbox } = contextOf(request);
    const query = request.query as z.infer<typeof listQuery>;
    const matching = (await module.policies.list(scope))
      .filter((p) => (query.default === undefined || String(p.isDefault) === query.default)
        && (query['identityGraph.type'] === undefined || p.identityGraph === query['identityGraph.type'])
        && (query['attributeMerge.type'] === undefined || p.attributeMerge.type === query['attributeMerge.type']))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const children = matching.slice(query.start * query.limit, (query.start + 1) * query.limit);
    const hasNext = (query.start + 1) * query.limit < matching.length;
    return {
      _page: { totalCount: matching.length, pageSize: children.length },
      children: children.map((policy) => mergePolicyJson(policy, sandbox, orgId)),
      _links: { next: { href: hasNext ? `/config/mergePolicies?start=${query.start + 1}&limit=${query.limit}` : '' } },
    };
  });

  app.get(`${BASE}/:id`, { config: { access: VIEW, sandboxScoped: true }, schema: { tags: TAGS, params: idParams } }, async (request) => {
    const { scope, sandbox } = contextOf(request);
    return mergePolicyJson(await module.policies.get(scope, (request.params as { id: string }).id), sandbox, orgId);
  });

  app.post(`${BASE}/bulk-get`, { config: { access: VIEW, sandboxScoped: true }, schema: { tags: TAGS, body: z.object({ ids: z.array(z.object({ id: z.string() })).max(100) }) } }, async (request, reply) => {
    const { scope, sandbox } = contextOf(request);
    const wanted = new Set((request.body as { ids: { id: string }[] }).ids.map((entry) => entry.id));
    const found = (await module.policies.list(scope)).filter((policy) => wanted.has(policy.id));
    return reply.code(207).send({ results: Object.fromEntries(found.map((policy) => [policy.id, mergePolicyJson(policy, sandbox, orgId)])) });
  });

  app.post(BASE, { config: { access: MANAGE, sandboxScoped: true, audit: { action: 'mergePolicy.create', objectType: 'mergePolicy' } }, schema: { tags: TAGS, body: z.unknown() } }, async (request) => {
    const { scope, sandbox, by } = contextOf(request);
    const policy = await module.policies.create(scope, toInput(request.body), by);
    request.auditObjectId = policy.id;
    return mergePolicyJson(policy, sandbox, orgId);
  });

  app.put(`${BASE}/:id`, { config: { access: MANAGE, sandboxScoped: true, audit: { action: 'mergePolicy.update', objectType: 'mergePolicy' } }, schema: { tags: TAGS, params: idParams, body: z.unknown() } }, async (request) => {
    const { scope, sandbox, by } = contextOf(request);
    const { id } = request.params as { id: string };
    request.auditObjectId = id;
    return mergePolicyJson(await module.policies.replace(scope, id, toInput(request.body), by), sandbox, orgId);
  });

  app.patch(`${BASE}/:id`, { config: { access: MANAGE, sandboxScoped: true, audit: { action: 'mergePolicy.patch', objectType: 'mergePolicy' } }, schema: { tags: TAGS, params: idParams, body: z.unknown() } }, async (request) => {
    const { scope, sandbox, by } = contextOf(request);
    const { id } = request.params as { id: string };
    request.auditObjectId = id;
    const body = Array.isArray(request.body) ? (request.body as unknown[]) : [request.body];
    const ops = normalizePatchOps(body.map((op) => (typeof op === 'object' && op !== null && 'path' in op && op.path === '/identityGraph.type' ? { ...op, path: '/identityGraph/type' } : op)));
    for (const op of ops) if (!PATCH_PATHS.has(op.path)) throw new AppError('VALIDATION', `Invalid patch path: ${op.path} (patchable: ${[...PATCH_PATHS].join(', ')})`);
    const current = mergePolicyJson(await module.policies.get(scope, id), sandbox, orgId);
    const patched = applyJsonPatch(current, ops.map((op) => (op.path === '/default' && 'value' in op && op.value === 'true' ? { ...op, value: true } : op)));
    return mergePolicyJson(await module.policies.replace(scope, id, toInput(patched), by), sandbox, orgId);
  });

  app.delete(`${BASE}/:id`, { config: { access: MANAGE, sandboxScoped: true, audit: { action: 'mergePolicy.delete', objectType: 'mergePolicy' } }, schema: { tags: TAGS, params: idParams } }, async (request, reply) => {
    const { scope } = contextOf(request);
    const { id } = request.params as { id: string };
    request.auditObjectId = id;
    await module.policies.delete(scope, id);
    return reply.code(200).send();
  });
}
