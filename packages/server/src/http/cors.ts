// CORS (SPEC §1.3): off unless ACTIVATOR_CORS_ORIGINS lists the origins allowed to call the API from a browser.
import type { FastifyInstance } from 'fastify';

const ALLOWED_HEADERS = 'authorization, content-type, x-api-key, x-gw-ims-org-id, x-sandbox-name, x-sandbox-id, x-request-id, x-csrf-token, if-match, x-profile-instance-id';
const ALLOWED_METHODS = 'GET, POST, PUT, PATCH, DELETE, OPTIONS';

/** Adds CORS headers for listed origins and answers their preflight requests; does nothing for an empty list. */
export function installCors(app: FastifyInstance, origins: readonly string[]): void {
  if (origins.length === 0) return;
  const allowed = new Set(origins);
  app.addHook('onRequest', async (request, reply) => {
    const origin = request.headers.origin;
    void reply.header('vary', 'Origin');
    if (origin === undefined || !allowed.has(origin)) return;
    void reply.header('access-control-allow-origin', origin);
    void reply.header('access-control-allow-credentials', 'true');
    void reply.header('access-control-expose-headers', 'x-request-id, etag, x-activator-missing-permissions');
  });
  app.options('/*', { config: { access: { kind: 'public' } }, schema: { hide: true } }, async (request, reply) => {
    const origin = request.headers.origin;
    if (origin === undefined || !allowed.has(origin)) return reply.code(403).send({ error: { code: 'FORBIDDEN', message: `Origin ${origin ?? '(none)'} is not allowed` } });
    return reply
      .header('access-control-allow-methods', ALLOWED_METHODS)
      .header('access-control-allow-headers', ALLOWED_HEADERS)
      .header('access-control-max-age', '600')
      .code(204)
      .send();
  });
}
