// Gateway conventions of SPEC §1.1–1.3 beyond the check table: accepted content types, cookie authentication with CSRF, 404/405 per family.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PERMISSION_MESSAGE, SANDBOXES, createUser, expectNative, expectProblem, login, type WebSession } from '../support/e2e-expectations.js';
import { createTestApp, type TestApp, type TestCaller } from '../support/with-app.js';

describe('accepted content types (SPEC §1.2 Content-Type and Accept)', () => {
  let t: TestApp;
  let admin: TestCaller;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await t.caller({ admin: true });
  });
  afterAll(async () => { await t.close(); });

  it('accepts application/json with a charset parameter', async () => {
    const res = await t.inject({
      method: 'POST', url: SANDBOXES, headers: admin.headers({ 'content-type': 'application/json; charset=utf-8' }),
      payload: JSON.stringify({ name: 'charset', title: 'Charset', type: 'development' }),
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ name: 'charset', title: 'Charset', state: 'active', type: 'development' });
  });

  it('accepts application/json-patch+json on PATCH', async () => {
    const res = await t.inject({
      method: 'PATCH', url: `/api/v1/admin/credentials/${admin.id}`, headers: admin.headers({ 'content-type': 'application/json-patch+json' }),
      payload: JSON.stringify({ name: 'renamed-admin' }),
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().name).toBe('renamed-admin');
  });

  it('serves a GET that carries Content-Type and Accept application/json and no body, as Postman collections send it', async () => {
    const res = await t.inject({ method: 'GET', url: SANDBOXES, headers: admin.headers({ 'content-type': 'application/json', accept: 'application/json' }) });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.json().sandboxes.map((s: { name: string }) => s.name)).toContain('prod');
  });

  it('serves a body-less DELETE and POST that carry Content-Type application/json', async () => {
    await t.inject({ method: 'POST', url: SANDBOXES, headers: admin.headers({ 'content-type': 'application/json' }), payload: { name: 'to-delete' } });
    const deleted = await t.inject({ method: 'DELETE', url: `${SANDBOXES}/to-delete`, headers: admin.headers({ 'content-type': 'application/json' }), payload: '' });
    expect(deleted.statusCode, deleted.body).toBe(200);
    expect(deleted.json()).toMatchObject({ name: 'to-delete', state: 'deleted' });
    const victim = await t.caller({ name: 'rotated' });
    const rotated = await t.inject({
      method: 'POST', url: `/api/v1/admin/credentials/${victim.id}/rotate-secret`, headers: admin.headers({ 'content-type': 'application/json' }), payload: '',
    });
    expect(rotated.statusCode, rotated.body).toBe(200);
    expect(rotated.json().clientSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('ignores an Accept header it cannot satisfy outside /adhocrun', async () => {
    const res = await t.inject({ method: 'GET', url: SANDBOXES, headers: admin.headers({ accept: 'application/xml' }) });
    expect(res.statusCode).toBe(200);
  });
});

describe('session-cookie authentication on gateway routes (SPEC §1.2, §2.4)', () => {
  let t: TestApp;
  let adminSession: WebSession;
  let readerSession: WebSession;

  beforeAll(async () => {
    t = await createTestApp();
    await createUser(t, { email: 'root@example.com', password: 'correct horse battery', admin: true });
    await createUser(t, { email: 'reader@example.com', password: 'reader password 1', roles: ['Read only'] });
    adminSession = await login(t, 'root@example.com', 'correct horse battery');
    readerSession = await login(t, 'reader@example.com', 'reader password 1');
  });
  afterAll(async () => { await t.close(); });

  it('skips the Authorization, x-api-key and x-gw-ims-org-id checks for a valid session cookie', async () => {
    const res = await t.inject({ method: 'GET', url: SANDBOXES, headers: adminSession.headers() });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().sandboxes.map((s: { name: string }) => s.name)).toEqual(['prod']);
  });

  it('refuses a cookie-authenticated POST without x-csrf-token with 403 Invalid CSRF token in the family envelope', async () => {
    const problem = await t.inject({ method: 'POST', url: SANDBOXES, headers: adminSession.headers(), payload: { name: 'no-csrf' } });
    expectProblem(problem, 403, 'SBX-1403-403', 'Invalid CSRF token');
    const native = await t.inject({ method: 'POST', url: '/api/v1/admin/roles', headers: adminSession.headers(), payload: { name: 'No CSRF role' } });
    expectNative(native, 403, 'FORBIDDEN', 'Invalid CSRF token');
  });

  it('refuses a cookie-authenticated request whose x-csrf-token belongs to another session', async () => {
    const res = await t.inject({
      method: 'POST', url: SANDBOXES, headers: adminSession.headers(false, { 'x-csrf-token': readerSession.csrfToken }), payload: { name: 'wrong-csrf' },
    });
    expectProblem(res, 403, 'SBX-1403-403', 'Invalid CSRF token');
    const list = await t.inject({ method: 'GET', url: SANDBOXES, headers: adminSession.headers() });
    expect(list.json().sandboxes.map((s: { name: string }) => s.name)).toEqual(['prod']);
  });

  it('accepts a cookie-authenticated POST that carries the session CSRF token', async () => {
    const res = await t.inject({ method: 'POST', url: SANDBOXES, headers: adminSession.headers(true), payload: { name: 'with-csrf', title: 'With CSRF' } });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ name: 'with-csrf', createdBy: 'root@example.com' });
  });

  it('still enforces permissions and the admin flag for cookie-authenticated users', async () => {
    const res = await t.inject({ method: 'POST', url: SANDBOXES, headers: readerSession.headers(true), payload: { name: 'reader-made' } });
    expectProblem(res, 403, 'SBX-1403-403', PERMISSION_MESSAGE);
    expect(res.headers['x-activator-missing-permissions']).toBe('Manage Sandboxes');
    expectNative(await t.inject({ method: 'GET', url: '/api/v1/admin/users', headers: readerSession.headers() }), 403, 'FORBIDDEN', PERMISSION_MESSAGE);
  });

  it('falls back to the token rules when the cookie is not a live session', async () => {
    const res = await t.inject({ method: 'GET', url: SANDBOXES, headers: { cookie: 'activator_session=not-a-session' } });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toEqual({ error_code: '403010', message: 'Oauth token is missing.' });
  });
});

describe('unknown paths and methods (SPEC §1.1)', () => {
  let t: TestApp;

  beforeAll(async () => { t = await createTestApp(); });
  afterAll(async () => { await t.close(); });

  it('answers 404 in the problem envelope under the catalog, import, export and sandbox bases', async () => {
    const cases = [
      ['/data/foundation/catalog/nothing', 'CAT-1404-404'],
      ['/data/foundation/import/nothing', 'INGEST-1404-404'],
      ['/data/foundation/export/nothing', 'INGEST-1404-404'],
      ['/data/foundation/sandbox-management/nothing', 'SBX-1404-404'],
    ] as const;
    for (const [url, code] of cases) {
      expectProblem(await t.inject({ method: 'GET', url }), 404, code, expect.stringContaining(url));
    }
  });

  it('answers 404 in the Flow Service envelope under /data/foundation/flowservice', async () => {
    const res = await t.inject({ method: 'GET', url: '/data/foundation/flowservice/nothing' });
    expect(res.statusCode).toBe(404);
    const body = res.json();
    expect(body).toEqual({
      type: 'https://ns.adobe.com/aep/errors/FLOW-1439-404', title: 'Resource not found', status: 404,
      report: { 'detailed-message': expect.stringContaining('/data/foundation/flowservice/nothing'), 'request-id': res.headers['x-request-id'] },
      errorMessage: body.report['detailed-message'], errorDetails: body.report['detailed-message'],
    });
  });

  it('answers 404 in the ups envelope under /data/core/ups', async () => {
    const res = await t.inject({ method: 'POST', url: '/data/core/ups/nothing' });
    expect(res.statusCode).toBe(404);
    const message = res.json().errors['404'][0].message as string;
    expect(message).toContain('/data/core/ups/nothing');
    expect(res.json()).toEqual({
      requestId: res.headers['x-request-id'], errors: { 404: [{ code: 404, message }] },
      type: 'https://ns.adobe.com/aep/errors/UPAPI-1404-404', title: message, status: 404,
    });
  });

  it('answers 404 in the adhoc envelope, the native envelope and the OAuth envelope under their bases', async () => {
    const adhoc = await t.inject({ method: 'POST', url: '/data/core/activation/disflowprovider/nothing' });
    expect(adhoc.statusCode).toBe(404);
    expect(Object.keys(adhoc.json())).toEqual(['message']);
    expectNative(await t.inject({ method: 'GET', url: '/api/v1/nothing' }), 404, 'NOT_FOUND', expect.stringContaining('/api/v1/nothing'));
    const token = await t.inject({ method: 'POST', url: '/ims/token/v3/nothing' });
    expect(token.statusCode).toBe(404);
    expect(Object.keys(token.json()).sort()).toEqual(['error', 'error_description']);
  });

  it('answers 404 in the native envelope for an unknown non-GET path outside every family', async () => {
    expectNative(await t.inject({ method: 'POST', url: '/nothing/here' }), 404, 'NOT_FOUND', expect.stringContaining('/nothing/here'));
  });

  it('answers 405 Method X is not allowed on <path> for a known path with another method, in the family envelope', async () => {
    expectProblem(await t.inject({ method: 'PATCH', url: SANDBOXES }), 405, 'SBX-1405-405', `Method PATCH is not allowed on ${SANDBOXES}`);
    expectProblem(await t.inject({ method: 'POST', url: `${SANDBOXES}/prod` }), 405, 'SBX-1405-405', `Method POST is not allowed on ${SANDBOXES}/prod`);
    const native = await t.inject({ method: 'PUT', url: '/api/v1/admin/users' });
    expect(native.statusCode).toBe(405);
    // The native code set of §1.4 is closed and has no 405 code; the message is what §1.1 fixes.
    expect(native.json().error.message).toBe('Method PUT is not allowed on /api/v1/admin/users');
    const token = await t.inject({ method: 'GET', url: '/ims/token/v3' });
    expect(token.statusCode).toBe(405);
    expect(token.json().error_description).toBe('Method GET is not allowed on /ims/token/v3');
  });

  it('tolerates a trailing slash on a known path', async () => {
    const admin = await t.caller({ admin: true });
    expect((await t.inject({ method: 'GET', url: `${SANDBOXES}/`, headers: admin.headers() })).statusCode).toBe(200);
  });
});
