// Sandbox API (SPEC §2.6): list, read, create, reset, delete, in AEP's Sandbox API shapes.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { SandboxRecord } from '../../storage/store.js';
import type { AppServices } from '../app.js';
import { authOf } from '../route-config.js';

const BASE = '/data/foundation/sandbox-management/sandboxes';
const TAGS = ['sandboxes'];
const VIEW = { kind: 'permissions', scope: 'any-sandbox', allOf: ['View Sandboxes'] } as const;
const MANAGE = { kind: 'permissions', scope: 'any-sandbox', allOf: ['Manage Sandboxes'] } as const;

const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});
const nameParams = z.object({ name: z.string().min(1).max(100) });
const createBody = z.object({
  name: z.string().max(100),
  title: z.string().max(200).optional(),
  type: z.enum(['development', 'production']).default('development'),
});
const putBody = z.object({ action: z.literal('reset') });

/** The sandbox object of SPEC §2.6. */
export function sandboxJson(sandbox: SandboxRecord) {
  return {
    id: sandbox.id, name: sandbox.name, title: sandbox.title, state: sandbox.state, type: sandbox.type, isDefault: sandbox.isDefault,
    eTag: sandbox.etag, createdDate: new Date(sandbox.createdAt).toISOString(), lastModifiedDate: new Date(sandbox.updatedAt).toISOString(),
    createdBy: sandbox.createdBy, lastModifiedBy: sandbox.updatedBy,
  };
}

export function registerSandboxRoutes(app: FastifyInstance, services: AppServices): void {
  app.get(BASE, { config: { access: VIEW }, schema: { tags: TAGS, querystring: listQuery } }, async (request) => {
    const { limit, offset } = request.query as z.infer<typeof listQuery>;
    const visible = await services.sandboxes.listVisible(authOf(request).principal);
    const page = visible.slice(offset, offset + limit);
    return {
      sandboxes: page.map(sandboxJson),
      _page: { limit, count: page.length },
      _links: { page: { href: `${BASE}?limit={limit}&offset={offset}`, templated: true } },
    };
  });

  app.get(`${BASE}/:name`, { config: { access: VIEW }, schema: { tags: TAGS, params: nameParams } }, async (request) =>
    sandboxJson(await services.sandboxes.getVisible(authOf(request).principal, (request.params as { name: string }).name)),
  );

  app.post(
    BASE,
    { config: { access: MANAGE, audit: { action: 'sandbox.create', objectType: 'sandbox' } }, schema: { tags: TAGS, body: createBody } },
    async (request, reply) => {
      const created = await services.sandboxes.create(request.body as z.infer<typeof createBody>, authOf(request).principal.actor);
      request.auditObjectId = created.id;
      return reply.code(201).send(sandboxJson(created));
    },
  );

  app.put(
    `${BASE}/:name`,
    { config: { access: MANAGE, audit: { action: 'sandbox.reset', objectType: 'sandbox' } }, schema: { tags: TAGS, params: nameParams, body: putBody } },
    async (request) => {
      const auth = authOf(request);
      const reset = await services.sandboxes.reset(auth.principal, (request.params as { name: string }).name, auth.principal.actor);
      request.auditObjectId = reset.id;
      return sandboxJson(reset);
    },
  );

  app.delete(
    `${BASE}/:name`,
    { config: { access: MANAGE, audit: { action: 'sandbox.delete', objectType: 'sandbox' } }, schema: { tags: TAGS, params: nameParams } },
    async (request) => {
      const auth = authOf(request);
      const deleted = await services.sandboxes.delete(auth.principal, (request.params as { name: string }).name, auth.principal.actor);
      request.auditObjectId = deleted.id;
      return sandboxJson(deleted);
    },
  );
}
