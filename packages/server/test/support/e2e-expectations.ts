// End-to-end test helpers: envelope assertions written from SPEC §1.2/§1.4, users and web sessions, and a snapshot of stored state.
import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import type { TestApp } from './with-app.js';

export const SANDBOXES = '/data/foundation/sandbox-management/sandboxes';

/** SPEC §1.2 row 11, word for word. */
export const PERMISSION_MESSAGE =
  'You do not have sufficient permissions to perform the operation. Please contact your administrator to resolve permissions and try again.';

/** SPEC §1.2 row 8, word for word. */
export const CONTENT_TYPE_PROBLEM = {
  type: '/placeholder/type/uri', status: 400, title: 'BadRequestError', detail: 'A valid content-type must be specified',
};

/** A UUID (any version), as generated request ids are. */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** `detail`/`message` may be a string or an asymmetric matcher such as `expect.stringMatching(...)`. */
type Text = unknown;

/** The `problem` envelope of SPEC §1.4 (catalog, import, export, sandboxes): `<PREFIX>-<1000+status>-<status>`. */
export function expectProblem(res: LightMyRequestResponse, status: number, code: string, detail: Text): void {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
  expect(res.json()).toEqual({
    type: `https://ns.adobe.com/aep/errors/${code}`, title: expect.any(String), status, detail, requestId: res.headers['x-request-id'],
  });
}

/** The `native` envelope of SPEC §1.4 (`/api/v1`), which also carries the request id (§1.2). */
export function expectNative(res: LightMyRequestResponse, status: number, code: string, message: Text): void {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
  expect(res.json()).toEqual({ error: { code, message, requestId: res.headers['x-request-id'] } });
}

/** A gateway body of SPEC §1.2 rows 1–6: exact, whatever the family. */
export function expectGateway(res: LightMyRequestResponse, errorCode: string, message: string): void {
  expect(res.statusCode, res.body).toBe(Number(errorCode.slice(0, 3)));
  expect(res.json()).toEqual({ error_code: errorCode, message });
}

/** Creates a user directly through the domain service (test arrangement), with roles given by name. */
export async function createUser(
  t: TestApp,
  input: { email: string; password: string; admin?: boolean; roles?: string[] },
): Promise<{ id: string; email: string; password: string }> {
  const roleIds: string[] = [];
  for (const name of input.roles ?? []) {
    const role = await t.runtime.services.roles.find(name);
    if (role === undefined) throw new Error(`no role ${name}`);
    roleIds.push(role.id);
  }
  const user = await t.runtime.services.users.create({ email: input.email, password: input.password, admin: input.admin ?? false, roleIds });
  return { id: user.id, email: input.email, password: input.password };
}

/** A signed-in browser: the session cookie value and its CSRF token. */
export interface WebSession {
  readonly cookie: string;
  readonly csrfToken: string;
  readonly response: LightMyRequestResponse;
  /** The `cookie` header (plus `x-csrf-token` when `withCsrf`). */
  headers(withCsrf?: boolean, extra?: Record<string, string>): Record<string, string>;
}

/** Logs in through `POST /api/v1/session`; throws unless it answers 200. */
export async function login(t: TestApp, email: string, password: string): Promise<WebSession> {
  const response = await t.inject({ method: 'POST', url: '/api/v1/session', payload: { email, password } });
  if (response.statusCode !== 200) throw new Error(`login failed: ${response.statusCode} ${response.body}`);
  const cookie = response.cookies.find((c) => c.name === 'activator_session')?.value;
  if (cookie === undefined) throw new Error('login set no activator_session cookie');
  const csrfToken = response.json<{ csrfToken: string }>().csrfToken;
  return {
    cookie, csrfToken, response,
    headers: (withCsrf = false, extra = {}) => ({
      cookie: `activator_session=${cookie}`, ...(withCsrf ? { 'x-csrf-token': csrfToken } : {}), ...extra,
    }),
  };
}

/** `application/x-www-form-urlencoded` body of the token endpoint. */
export function tokenForm(fields: Record<string, string>): { method: 'POST'; url: string; headers: Record<string, string>; payload: string } {
  return {
    method: 'POST', url: '/ims/token/v3',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams(fields).toString(),
  };
}

/** Everything a rejected request must leave untouched: users, credentials, roles, sandboxes and the audit count. */
export async function storedState(t: TestApp): Promise<unknown> {
  const store = t.runtime.store;
  return {
    users: (await store.users.list({ limit: 1000 })).items,
    credentials: (await store.credentials.list({ limit: 1000 })).items,
    roles: await store.roles.listAll(),
    sandboxes: await store.sandboxes.listLive(),
    auditEntries: (await store.audit.list({ limit: 100_000 })).items.length,
  };
}
