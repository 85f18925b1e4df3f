// Audience preview and estimate (SPEC §5.5) in the `ups` family: POST/GET/DELETE /preview, GET /estimate.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { permissionsInSandbox } from '../../../domain/access/effective-permissions.js';
import type { PreviewService } from '../../../domain/audiences/preview-service.js';
import { MAX_PREVIEW_MEMBERS } from '../../../domain/audiences/preview-service.js';
import type { SandboxScopedStore } from '../../../storage/store.js';
import {
  ESTIMATE_PATH, estimateJson, estimateSchema, PREVIEW_PATH, previewBody, previewCreatedJson, previewCreatedSchema, previewLocation,
  previewResultsJson, previewResultsSchema,
} from '../../aep/preview-json.js';
import { authOf } from '../../route-config.js';

const UPS = '/data/core/ups';
const TAGS = ['audience preview'];
const PREVIEW_ACCESS = { kind: 'permissions', scope: 'sandbox', allOf: ['View Segments', 'View Profiles'] } as const;
const ESTIMATE_ACCESS = { kind: 'permissions', scope: 'sandbox', allOf: ['View Segments'] } as const;

const idParams = z.object({ previewId: z.string().min(1).max(100) });
const resultsQuery = z.looseObject({
  limit: z.coerce.number({ error: `limit must be an integer from 1 to ${MAX_PREVIEW_MEMBERS}` }).int().min(1).max(MAX_PREVIEW_MEMBERS).default(20),
});

export interface PreviewRouteDeps {
  readonly previews: PreviewService;
  sandboxStore(sandboxId: string): SandboxScopedStore;
}

export function registerPreviewRoutes(fastify: FastifyInstance, deps: PreviewRouteDeps): void {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const contextOf = (request: FastifyRequest) => {
    const auth = authOf(request);
    if (auth.sandbox === undefined) throw new Error('preview routes are sandbox-scoped');
    return { scope: deps.sandboxStore(auth.sandbox.id), seesGraph: permissionsInSandbox(auth.principal, auth.sandbox.name).has('View Identity Graph') };
  };

  // `x-profile-instance-id` (AEP clients send `ups`) is accepted and ignored: there is one profile store.
  app.post(`${UPS}${PREVIEW_PATH}`, {
    config: { access: PREVIEW_ACCESS, sandboxScoped: true, audit: { action: 'preview.create', objectType: 'preview' } },
    schema: { tags: TAGS, body: previewBody, response: { 201: previewCreatedSchema } },
  }, async (request, reply) => {
    const { scope } = contextOf(request);
    const { predicateExpression, predicateType, predicateModel, graphType, mergePolicyId } = request.body;
    const preview = await deps.previews.create(scope, { predicateExpression, predicateType, predicateModel, graphType, mergePolicyId });
    request.auditObjectId = preview.id;
    return reply.code(201).header('X-Location', previewLocation(preview.id)).send(previewCreatedJson(preview));
  });

  app.get(`${UPS}${PREVIEW_PATH}/:previewId`, {
    config: { access: PREVIEW_ACCESS, sandboxScoped: true },
    schema: { tags: TAGS, params: idParams, querystring: resultsQuery, response: { 200: previewResultsSchema } },
  }, async (request) => {
    const { scope, seesGraph } = contextOf(request);
    return previewResultsJson(deps.previews.get(scope, request.params.previewId), request.query.limit, seesGraph);
  });

  app.delete(`${UPS}${PREVIEW_PATH}/:previewId`, {
    config: { access: PREVIEW_ACCESS, sandboxScoped: true, audit: { action: 'preview.delete', objectType: 'preview' } },
    schema: { tags: TAGS, params: idParams },
  }, async (request, reply) => {
    const { scope } = contextOf(request);
    request.auditObjectId = request.params.previewId;
    deps.previews.delete(scope, request.params.previewId);
    return reply.code(204).send();
  });

  app.get(`${UPS}${ESTIMATE_PATH}/:previewId`, {
    config: { access: ESTIMATE_ACCESS, sandboxScoped: true },
    schema: { tags: TAGS, params: idParams, response: { 200: estimateSchema } },
  }, async (request) => {
    const { scope } = contextOf(request);
    return estimateJson(deps.previews.get(scope, request.params.previewId));
  });
}
