// Admin API for roles: permission bundles scoped to sandboxes.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { RoleRecord } from '../../storage/store.js';
import type { AppServices } from '../app.js';
import { ADMIN_ACCESS, idParams, isoTime } from './native-schemas.js';

const TAGS = ['admin'];

const roleBody = z.strictObject({
  name: z.string().max(100),
  description: z.string().max(1000).optional(),
  permissions: z.array(z.string().max(100)).max(50).default([]),
  sandboxes: z.array(z.string().max(30)).max(200).default(['prod']),
});
const rolePatchBody = z.strictObject({
  name: z.string().max(100).optional(),
  description: z.string().max(1000).optional(),
  permissions: z.array(z.string().max(100)).max(50).optional(),
  sandboxes: z.array(z.string().max(30)).max(200).optional(),
});

/** The role object of SPEC §2.2. */
export function roleJson(role: RoleRecord) {
  return {
    id: role.id, name: role.name, description: role.description, permissions: role.permissions, sandboxes: role.sandboxes,
    builtIn: role.builtIn, createdAt: isoTime(role.createdAt), updatedAt: isoTime(role.updatedAt),
  };
}

export function registerAdminRoleRoutes(app: FastifyInstance, services: AppServices): void {
  app.get('/api/v1/admin/roles', { config: { access: ADMIN_ACCESS }, schema: { tags: TAGS } }, async () => ({
    items: (await services.roles.list()).map(roleJson),
    next: null,
  }));

  app.post(
    '/api/v1/admin/roles',
    { config: { access: ADMIN_ACCESS, audit: { action: 'role.create', objectType: 'role' } }, schema: { tags: TAGS, body: roleBody } },
    async (request, reply) => {
      const role = await services.roles.create(request.body as z.infer<typeof roleBody>);
      request.auditObjectId = role.id;
      return reply.code(201).send(roleJson(role));
    },
  );

  app.get('/api/v1/admin/roles/:id', { config: { access: ADMIN_ACCESS }, schema: { tags: TAGS, params: idParams } }, async (request) =>
    roleJson(await services.roles.get((request.params as { id: string }).id)),
  );

  app.patch(
    '/api/v1/admin/roles/:id',
    { config: { access: ADMIN_ACCESS, audit: { action: 'role.update', objectType: 'role' } }, schema: { tags: TAGS, params: idParams, body: rolePatchBody } },
    async (request) => {
      const { id } = request.params as { id: string };
      request.auditObjectId = id;
      return roleJson(await services.roles.update(id, request.body as z.infer<typeof rolePatchBody>));
    },
  );

  app.delete(
    '/api/v1/admin/roles/:id',
    { config: { access: ADMIN_ACCESS, audit: { action: 'role.delete', objectType: 'role' } }, schema: { tags: TAGS, params: idParams } },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      request.auditObjectId = id;
      await services.roles.delete(id);
      return reply.code(204).send();
    },
  );
}
