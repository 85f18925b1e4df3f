// Web UI sessions and the permission catalogue (SPEC §2.4): login, current session, logout, password change.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Config } from '../../config.js';
import { permissionsInSandbox } from '../../domain/access/effective-permissions.js';
import { PERMISSIONS, PERMISSION_KEYS } from '../../domain/access/permissions.js';
import type { ResolvedSession } from '../../domain/access/session-service.js';
import type { UserView } from '../../domain/access/user-service.js';
import { AppError } from '../../errors.js';
import type { AppServices } from '../app.js';
import { SESSION_COOKIE } from '../gateway.js';
import { isoTime } from './native-schemas.js';

const PUBLIC = { kind: 'public' } as const;

/** The user object of the native API (SPEC §2.5). */
export function userJson(user: UserView) {
  return {
    id: user.id, email: user.email, name: user.name, admin: user.admin, roleIds: user.roleIds, disabled: user.disabled,
    createdAt: isoTime(user.createdAt), lastLoginAt: isoTime(user.lastLoginAt),
  };
}

async function requireSession(request: FastifyRequest, services: AppServices): Promise<ResolvedSession> {
  const cookie = request.cookies[SESSION_COOKIE];
  const session = cookie === undefined ? undefined : await services.sessions.resolve(cookie);
  if (session === undefined) throw new AppError('UNAUTHORIZED', 'Not signed in: POST /api/v1/session with your e-mail and password');
  return session;
}

function requireCsrf(request: FastifyRequest, session: ResolvedSession): void {
  if (request.headers['x-csrf-token'] !== session.csrfToken) throw new AppError('CSRF_INVALID', 'Invalid CSRF token');
}

function secureCookie(request: FastifyRequest, config: Config): boolean {
  return config.cookieSecure ?? request.protocol === 'https';
}

export function registerSessionRoutes(app: FastifyInstance, services: AppServices, config: Config): void {
  app.post(
    '/api/v1/session',
    {
      config: { access: PUBLIC, audit: 'self' },
      schema: { tags: ['session'], body: z.strictObject({ email: z.string().min(1).max(320), password: z.string().min(1).max(1024) }) },
    },
    async (request, reply: FastifyReply) => {
      const { email, password } = request.body as { email: string; password: string };
      const opened = await services.sessions.login(email, password, { requestId: request.id, ip: request.ip });
      void reply.setCookie(SESSION_COOKIE, opened.sessionId, {
        httpOnly: true, sameSite: 'lax', path: '/', secure: secureCookie(request, config), expires: new Date(opened.expiresAt),
      });
      return { user: userJson(opened.user), csrfToken: opened.csrfToken };
    },
  );

  app.get('/api/v1/session', { config: { access: PUBLIC }, schema: { tags: ['session'] } }, async (request) => {
    const session = await requireSession(request, services);
    const sandboxes = await services.sandboxes.listVisible(session.principal);
    return {
      user: userJson(session.user),
      csrfToken: session.csrfToken,
      sandboxes: sandboxes.map((sandbox) => ({
        name: sandbox.name, title: sandbox.title, permissions: [...permissionsInSandbox(session.principal, sandbox.name)],
      })),
      admin: session.principal.admin,
    };
  });

  app.delete('/api/v1/session', { config: { access: PUBLIC, audit: 'self' }, schema: { tags: ['session'] } }, async (request, reply) => {
    const cookie = request.cookies[SESSION_COOKIE];
    const session = cookie === undefined ? undefined : await services.sessions.resolve(cookie);
    if (session !== undefined) {
      requireCsrf(request, session);
      await services.sessions.logout(session.idHash);
      await services.audit.record({
        actor: session.principal.actor, sandbox: null, action: 'auth.logout', objectType: 'user', objectId: session.user.id,
        outcome: 'success', httpStatus: 204, requestId: request.id, ip: request.ip, details: {},
      });
    }
    void reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.code(204).send();
  });

  app.post(
    '/api/v1/session/password',
    {
      config: { access: PUBLIC, audit: 'self' },
      schema: { tags: ['session'], body: z.strictObject({ currentPassword: z.string().min(1).max(1024), newPassword: z.string().min(1).max(1024) }) },
    },
    async (request, reply) => {
      const session = await requireSession(request, services);
      requireCsrf(request, session);
      const { currentPassword, newPassword } = request.body as { currentPassword: string; newPassword: string };
      await services.sessions.changePassword(session.user.id, currentPassword, newPassword, session.idHash);
      await services.audit.record({
        actor: session.principal.actor, sandbox: null, action: 'user.password', objectType: 'user', objectId: session.user.id,
        outcome: 'success', httpStatus: 204, requestId: request.id, ip: request.ip, details: {},
      });
      return reply.code(204).send();
    },
  );

  app.get('/api/v1/permissions', { config: { access: { kind: 'authenticated' } }, schema: { tags: ['session'] } }, () => Promise.resolve({
    items: PERMISSIONS.map((name) => ({ name, key: PERMISSION_KEYS[name] })),
  }));
}
