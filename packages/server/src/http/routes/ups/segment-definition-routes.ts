// Segment definitions (SPEC §5.1) and PQL validation (§5.5) in the `ups` family: list, create, get, PATCH, DELETE, bulk-get, validate.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { permissionsInSandbox } from '../../../domain/access/effective-permissions.js';
import { missingPermissions } from '../../../domain/access/permissions.js';
import { actorLabel } from '../../../domain/runtime.js';
import { AppError } from '../../../errors.js';
import {
  audienceInputOf, bulkGetBody, bulkGetResponse, createBody, deleteResponse, listPage, listQuery, listResponse, patchBody,
  SEGMENT_DEFINITIONS_PATH, segmentDefinitionJson, segmentDefinitionJsonSchema, storeQueryOf, validateBody, validateResponse,
} from '../../aep/segment-definition-json.js';
import { PERMISSION_MESSAGE } from '../../gateway.js';
import { authOf } from '../../route-config.js';
import type { SegmentationModule } from './segmentation-module.js';

const UPS = '/data/core/ups';
const BASE = `${UPS}${SEGMENT_DEFINITIONS_PATH}`;
const TAGS = ['segment definitions'];
const VIEW = { kind: 'permissions', scope: 'sandbox', allOf: ['View Segments'] } as const;
const MANAGE = { kind: 'permissions', scope: 'sandbox', allOf: ['Manage Segments'] } as const;
const idParams = z.object({ id: z.string().min(1).max(100) });

/** SPEC §2.3: naming a merge policy in a body also needs View Merge Policies. */
function requireMergePolicyView(request: FastifyRequest, mergePolicyId: string | undefined): void {
  if (mergePolicyId === undefined) return;
  const auth = authOf(request);
  const missing = missingPermissions({ kind: 'permissions', scope: 'sandbox', allOf: ['View Merge Policies'] }, permissionsInSandbox(auth.principal, auth.sandbox?.name ?? ''));
  if (missing.length > 0) throw new AppError('FORBIDDEN', PERMISSION_MESSAGE, { headers: { 'x-activator-missing-permissions': missing.join(',') } });
}

export function registerSegmentDefinitionRoutes(fastify: FastifyInstance, module: SegmentationModule, orgId: string): void {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const contextOf = (request: FastifyRequest) => {
    const auth = authOf(request);
    if (auth.sandbox === undefined) throw new Error('segment definition routes are sandbox-scoped');
    const sandbox = auth.sandbox;
    return { scope: module.sandboxStore(sandbox.id), sandbox, by: actorLabel(auth.principal.actor), render: (audience: Parameters<typeof segmentDefinitionJson>[0]) => segmentDefinitionJson(audience, sandbox, orgId) };
  };

  app.get(BASE, { config: { access: VIEW, sandboxScoped: true }, schema: { tags: TAGS, querystring: listQuery, response: { 200: listResponse } } }, async (request) => {
    const { scope, render } = contextOf(request);
    return listPage(request.query, await module.audiences.list(scope, storeQueryOf(request.query)), render);
  });

  app.post(BASE, {
    config: { access: MANAGE, sandboxScoped: true, audit: { action: 'segmentDefinition.create', objectType: 'segmentDefinition' } },
    schema: { tags: TAGS, body: createBody, response: { 200: segmentDefinitionJsonSchema } },
  }, async (request, reply) => {
    const { scope, by, render } = contextOf(request);
    requireMergePolicyView(request, request.body.mergePolicyId);
    const audience = await module.audiences.create(scope, audienceInputOf(request.body), by);
    request.auditObjectId = audience.id;
    return reply.code(200).header('X-Location', `${SEGMENT_DEFINITIONS_PATH}/${audience.id}`).send(render(audience));
  });

  app.post(`${BASE}/bulk-get`, { config: { access: VIEW, sandboxScoped: true }, schema: { tags: TAGS, body: bulkGetBody, response: { 207: bulkGetResponse } } }, async (request, reply) => {
    const { scope, render } = contextOf(request);
    const found = await module.audiences.bulkGet(scope, request.body.ids.map((entry) => entry.id));
    return reply.code(207).send({ results: Object.fromEntries(found.map((audience) => [audience.id, render(audience)])) });
  });

  app.get(`${BASE}/:id`, { config: { access: VIEW, sandboxScoped: true }, schema: { tags: TAGS, params: idParams, response: { 200: segmentDefinitionJsonSchema } } }, async (request) => {
    const { scope, render } = contextOf(request);
    return render(await module.audiences.get(scope, request.params.id));
  });

  app.patch(`${BASE}/:id`, {
    config: { access: MANAGE, sandboxScoped: true, audit: { action: 'segmentDefinition.update', objectType: 'segmentDefinition' } },
    schema: { tags: TAGS, params: idParams, body: patchBody, response: { 200: segmentDefinitionJsonSchema } },
  }, async (request, reply) => {
    const { scope, by, render } = contextOf(request);
    request.auditObjectId = request.params.id;
    requireMergePolicyView(request, request.body.mergePolicyId);
    const audience = await module.audiences.patch(scope, request.params.id, audienceInputOf(request.body), by);
    return reply.code(200).header('X-Location', `${SEGMENT_DEFINITIONS_PATH}/${audience.id}`).send(render(audience));
  });

  app.delete(`${BASE}/:id`, {
    config: { access: MANAGE, sandboxScoped: true, audit: { action: 'segmentDefinition.delete', objectType: 'segmentDefinition' } },
    schema: { tags: TAGS, params: idParams, response: { 200: deleteResponse } },
  }, async (request) => {
    const { scope } = contextOf(request);
    request.auditObjectId = request.params.id;
    await module.audiences.delete(scope, request.params.id);
    return { status: true, message: 'Segment definition deleted' };
  });

  app.post(`${UPS}/segment/validate`, { config: { access: VIEW, sandboxScoped: true }, schema: { tags: TAGS, body: validateBody, response: { 200: validateResponse } } }, async (request) => {
    const { scope } = contextOf(request);
    const result = await module.audiences.validate(scope, request.body.expression, request.body.mergePolicyId);
    return { valid: result.valid, diagnostics: result.diagnostics.map(({ suggestions, ...diagnostic }) => ({ ...diagnostic, ...(suggestions === undefined ? {} : { suggestions: [...suggestions] }) })), dependencies: [...result.dependencies], fields: [...result.fields] };
  });
}
