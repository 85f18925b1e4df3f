import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PERMISSIONS } from '../../src/domain/access/permissions.js';
import { PERMISSION_MESSAGE } from '../../src/http/gateway.js';
import { RouteCatalog } from '../../src/http/route-catalog.js';
import { createTestApp, type TestApp, type TestCaller } from '../support/with-app.js';

/** The human message of any family's error envelope (flow, problem, ups, native). */
function errorMessageOf(body: { report?: Record<string, string>; detail?: string; title?: string; error?: { message: string }; message?: string }): string | undefined {
  return body.report?.['detailed-message'] ?? body.detail ?? body.error?.message ?? body.message ?? body.title;
}

/** Routes that may be called without any authentication (SPEC §2.3). */
const PUBLIC_ROUTES = new Set([
  'GET /healthz', 'GET /readyz', 'GET /metrics', 'GET /openapi.json', 'POST /ims/token/v3',
  'POST /api/v1/session', 'GET /api/v1/session', 'DELETE /api/v1/session', 'POST /api/v1/session/password',
]);

describe('every route declares its required permission', () => {
  let t: TestApp;
  let nobody: TestCaller;
  let roleless: TestCaller;
  let admin: TestCaller;

  beforeAll(async () => {
    t = await createTestApp();
    // A role in prod whose only permission no route requires: every check below is rule 11, not rule 7.
    await t.runtime.services.roles.create({ name: 'Identity graph only', permissions: ['View Identity Graph'], sandboxes: ['prod'] });
    nobody = await t.caller({ name: 'no-useful-permission', roles: ['Identity graph only'] });
    roleless = await t.caller({ name: 'no-roles' });
    admin = await t.caller({ admin: true, name: 'admin' });
  });
  afterAll(async () => t.close());

  it('registers a non-trivial set of routes, each with an access declaration', () => {
    const routes = t.routes.list();
    expect(routes.length).toBeGreaterThan(20);
    for (const route of routes) expect(route.config?.access, `${route.method} ${route.url}`).toBeDefined();
  });

  it('marks exactly the SPEC §2.3 unauthenticated endpoints (and the docs UI) as public', () => {
    const publicRoutes = t.routes.list()
      .filter((route) => route.config?.access?.kind === 'public' && !route.url.startsWith('/docs') && route.method !== 'HEAD')
      .map((route) => `${route.method} ${route.url}`);
    expect(new Set(publicRoutes)).toEqual(PUBLIC_ROUTES);
  });

  it('refuses to register a route that declares no access', async () => {
    const app = Fastify();
    new RouteCatalog().attach(app);
    expect(() => app.get('/forgotten', () => Promise.resolve('x'))).toThrow(/declares no required access/);
    await app.close();
  });

  it('answers 403 with the AEP permission body to a caller without roles, on every protected route', async () => {
    const protectedRoutes = t.routes.list().filter((route) => {
      const kind = route.config?.access?.kind;
      return (kind === 'permissions' || kind === 'admin') && route.method !== 'HEAD';
    });
    expect(protectedRoutes.length).toBeGreaterThan(15);
    for (const route of protectedRoutes) {
      const url = route.url.replace(/:[A-Za-z]+/g, 'probe-id');
      const hasBody = ['POST', 'PUT', 'PATCH'].includes(route.method);
      const response = await t.inject({
        method: route.method,
        url,
        headers: nobody.headers(hasBody ? { 'content-type': 'application/json' } : {}),
        ...(hasBody ? { payload: '{}' } : {}),
      });
      const label = `${route.method} ${route.url}`;
      expect(response.statusCode, label).toBe(403);
      const body = response.json();
      expect(JSON.stringify(body), label).toContain(PERMISSION_MESSAGE);
      const access = route.config?.access;
      const expectedHeader = access?.kind === 'admin' ? 'admin' : access?.kind === 'permissions' ? [...access.allOf, ...(access.anyOf ?? [])].join(',') : '';
      expect(response.headers['x-activator-missing-permissions'], label).toBe(expectedHeader);
    }
  });

  it('answers a caller without any role in the sandbox with 404 on every sandbox-scoped route (rule 7 before rule 11)', async () => {
    const scoped = t.routes.list().filter((route) => route.config?.sandboxScoped === true && route.method !== 'HEAD');
    expect(scoped.length).toBeGreaterThan(10);
    for (const route of scoped) {
      const response = await t.inject({ method: route.method, url: route.url.replace(/:[A-Za-z]+/g, 'probe-id'), headers: roleless.headers() });
      expect(response.statusCode, `${route.method} ${route.url}`).toBe(404);
      expect(errorMessageOf(response.json()), route.url).toBe('Sandbox prod not found');
    }
  });

  it('lets an admin past the permission check of every protected route (no 403)', async () => {
    for (const route of t.routes.list().filter((r) => r.config?.access?.kind === 'admin' && r.method === 'GET')) {
      const response = await t.inject({ method: 'GET', url: route.url.replace(/:[A-Za-z]+/g, 'probe-id'), headers: admin.headers() });
      expect(response.statusCode, route.url).not.toBe(403);
    }
  });

  it('uses only permission names from the catalogue in route declarations', () => {
    for (const route of t.routes.list()) {
      const access = route.config?.access;
      if (access?.kind !== 'permissions') continue;
      for (const permission of [...access.allOf, ...(access.anyOf ?? [])]) expect(PERMISSIONS).toContain(permission);
    }
  });
});
