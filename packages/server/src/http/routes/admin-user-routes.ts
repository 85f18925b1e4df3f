// Admin API for users: list, create, read, merge-patch, delete.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppServices } from '../app.js';
import { ADMIN_ACCESS, idParams, nativeListQuery } from './native-schemas.js';
import { userJson } from './session-routes.js';

const TAGS = ['admin'];

const createUserBody = z.strictObject({
  email: z.string().min(3).max(320),
  name: z.string().max(200).optional(),
  password: z.string().max(1024).optional(),
  admin: z.boolean().optional(),
  roleIds: z.array(z.string().max(100)).max(100).default([]),
});

const patchUserBody = z.strictObject({
  name: z.string().max(200).optional(),
  admin: z.boolean().optional(),
  roleIds: z.array(z.string().max(100)).max(100).optional(),
  disabled: z.boolean().optional(),
  password: z.string().max(1024).optional(),
});

export function registerAdminUserRoutes(app: FastifyInstance, services: AppServices): void {
  app.get('/api/v1/admin/users', { config: { access: ADMIN_ACCESS }, schema: { tags: TAGS, querystring: nativeListQuery } }, async (request) => {
    const { limit, cursor } = request.query as z.infer<typeof nativeListQuery>;
    const page = await services.users.list(limit, cursor);
    return { items: page.items.map(userJson), next: page.next };
  });

  app.post(
    '/api/v1/admin/users',
    { config: { access: ADMIN_ACCESS, audit: { action: 'user.create', objectType: 'user' } }, schema: { tags: TAGS, body: createUserBody } },
    async (request, reply) => {
      const created = await services.users.create(request.body as z.infer<typeof createUserBody>);
      request.auditObjectId = created.id;
      const body = userJson(created);
      return reply.code(201).send(created.initialPassword === undefined ? body : { ...body, initialPassword: created.initialPassword });
    },
  );

  app.get('/api/v1/admin/users/:id', { config: { access: ADMIN_ACCESS }, schema: { tags: TAGS, params: idParams } }, async (request) =>
    userJson(await services.users.get((request.params as { id: string }).id)),
  );

  app.patch(
    '/api/v1/admin/users/:id',
    { config: { access: ADMIN_ACCESS, audit: { action: 'user.update', objectType: 'user' } }, schema: { tags: TAGS, params: idParams, body: patchUserBody } },
    async (request) => {
      const { id } = request.params as { id: string };
      request.auditObjectId = id;
      return userJson(await services.users.update(id, request.body as z.infer<typeof patchUserBody>));
    },
  );

  app.delete(
    '/api/v1/admin/users/:id',
    { config: { access: ADMIN_ACCESS, audit: { action: 'user.delete', objectType: 'user' } }, schema: { tags: TAGS, params: idParams } },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      request.auditObjectId = id;
      await services.users.delete(id);
      return reply.code(204).send();
    },
  );
}
