// Admin API for API credentials: create (secret shown once), list, update, delete, rotate.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { CredentialView } from '../../domain/access/credential-service.js';
import type { AppServices } from '../app.js';
import { ADMIN_ACCESS, idParams, isoTime, nativeListQuery } from './native-schemas.js';

const TAGS = ['admin'];

const createBody = z.strictObject({
  name: z.string().max(100),
  roleIds: z.array(z.string().max(100)).max(100).default([]),
  admin: z.boolean().optional(),
});
const patchBody = z.strictObject({
  name: z.string().max(100).optional(),
  roleIds: z.array(z.string().max(100)).max(100).optional(),
  disabled: z.boolean().optional(),
});

/** The credential object of SPEC §2.5 (never with its secret or hash). */
export function credentialJson(credential: CredentialView) {
  return {
    id: credential.id, name: credential.name, clientId: credential.clientId, admin: credential.admin, roleIds: credential.roleIds,
    disabled: credential.disabled, createdAt: isoTime(credential.createdAt), lastUsedAt: isoTime(credential.lastUsedAt),
  };
}

export function registerAdminCredentialRoutes(app: FastifyInstance, services: AppServices): void {
  app.get('/api/v1/admin/credentials', { config: { access: ADMIN_ACCESS }, schema: { tags: TAGS, querystring: nativeListQuery } }, async (request) => {
    const { limit, cursor } = request.query as z.infer<typeof nativeListQuery>;
    const page = await services.credentials.list(limit, cursor);
    return { items: page.items.map(credentialJson), next: page.next };
  });

  app.post(
    '/api/v1/admin/credentials',
    { config: { access: ADMIN_ACCESS, audit: { action: 'credential.create', objectType: 'credential' } }, schema: { tags: TAGS, body: createBody } },
    async (request, reply) => {
      const created = await services.credentials.create(request.body as z.infer<typeof createBody>);
      request.auditObjectId = created.id;
      return reply.code(201).send({ ...credentialJson(created), clientSecret: created.clientSecret });
    },
  );

  app.get('/api/v1/admin/credentials/:id', { config: { access: ADMIN_ACCESS }, schema: { tags: TAGS, params: idParams } }, async (request) =>
    credentialJson(await services.credentials.get((request.params as { id: string }).id)),
  );

  app.patch(
    '/api/v1/admin/credentials/:id',
    { config: { access: ADMIN_ACCESS, audit: { action: 'credential.update', objectType: 'credential' } }, schema: { tags: TAGS, params: idParams, body: patchBody } },
    async (request) => {
      const { id } = request.params as { id: string };
      request.auditObjectId = id;
      return credentialJson(await services.credentials.update(id, request.body as z.infer<typeof patchBody>));
    },
  );

  app.delete(
    '/api/v1/admin/credentials/:id',
    { config: { access: ADMIN_ACCESS, audit: { action: 'credential.delete', objectType: 'credential' } }, schema: { tags: TAGS, params: idParams } },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      request.auditObjectId = id;
      await services.credentials.delete(id);
      return reply.code(204).send();
    },
  );

  app.post(
    '/api/v1/admin/credentials/:id/rotate-secret',
    { config: { access: ADMIN_ACCESS, audit: { action: 'credential.rotate', objectType: 'credential' } }, schema: { tags: TAGS, params: idParams } },
    async (request) => {
      const { id } = request.params as { id: string };
      request.auditObjectId = id;
      request.auditDetails = {};
      const rotated = await services.credentials.rotateSecret(id);
      return { ...credentialJson(rotated), clientSecret: rotated.clientSecret };
    },
  );
}
