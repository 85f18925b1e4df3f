// Gateway conventions of SPEC §1.2: the eleven checks with their exact bodies and their order, sandbox headers, request ids.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CONTENT_TYPE_PROBLEM, PERMISSION_MESSAGE, SANDBOXES, UUID, expectGateway, expectNative, expectProblem,
} from '../support/e2e-expectations.js';
import { createTestApp, type TestApp, type TestCaller } from '../support/with-app.js';

const JSON_TYPE = { 'content-type': 'application/json' };

describe('gateway checks (SPEC §1.2 rows 1–11)', () => {
  let t: TestApp;
  let admin: TestCaller;
  let other: TestCaller;
  let readOnly: TestCaller;
  let noRoles: TestCaller;

  beforeAll(async () => {
    t = await createTestApp({ ACTIVATOR_ORG_ID: 'C0FFEE1234@AdobeOrg', ACTIVATOR_MAX_JSON_BODY_BYTES: '2048' });
    admin = await t.caller({ admin: true, name: 'gateway-admin' });
    other = await t.caller({ admin: true, name: 'other-admin' });
    readOnly = await t.caller({ roles: ['Read only'], name: 'reader' });
    noRoles = await t.caller({ name: 'nobody' });
  });
  afterAll(async () => { await t.close(); });

  it('answers row 1 (403010) to a request with neither a token nor an API key', async () => {
    const res = await t.inject({ method: 'GET', url: SANDBOXES });
    expectGateway(res, '403010', 'Oauth token is missing.');
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
  });

  it('treats an Authorization header that is not a bearer token as missing (row 1)', async () => {
    for (const authorization of ['Basic dXNlcjpwYXNz', 'Bearer', 'Bearer ', 'act_abc', 'Token act_abc']) {
      const res = await t.inject({ method: 'GET', url: SANDBOXES, headers: { authorization, 'x-api-key': admin.clientId, 'x-gw-ims-org-id': 'C0FFEE1234@AdobeOrg' } });
      expectGateway(res, '403010', 'Oauth token is missing.');
    }
  });

  it('answers row 2 (401013) to an unknown token before looking at the API key or org', async () => {
    const res = await t.inject({ method: 'GET', url: SANDBOXES, headers: { authorization: `Bearer act_${'A'.repeat(43)}` } });
    expectGateway(res, '401013', 'Oauth token is not valid');
  });

  it('answers row 3 (403000) to a valid token without x-api-key, even when the org header is missing too', async () => {
    const res = await t.inject({ method: 'GET', url: SANDBOXES, headers: { authorization: `Bearer ${admin.token}` } });
    expectGateway(res, '403000', 'Api Key is required');
  });

  it('answers row 4 (403003) to a valid token sent with the API key of another credential', async () => {
    const res = await t.inject({ method: 'GET', url: SANDBOXES, headers: admin.headers({ 'x-api-key': other.clientId }) });
    expectGateway(res, '403003', 'Api Key is invalid');
  });

  it('answers row 5 (400003) when x-gw-ims-org-id is missing', async () => {
    const headers = admin.headers();
    delete headers['x-gw-ims-org-id'];
    expectGateway(await t.inject({ method: 'GET', url: SANDBOXES, headers }), '400003', 'Missing header');
  });

  it('answers row 6 (403025) when x-gw-ims-org-id is not the deployment org', async () => {
    const res = await t.inject({ method: 'GET', url: SANDBOXES, headers: admin.headers({ 'x-gw-ims-org-id': 'OTHER@AdobeOrg' }) });
    expectGateway(res, '403025', 'Profile is not valid');
  });

  it('answers the gateway rows with the same exact bodies on the native API', async () => {
    expectGateway(await t.inject({ method: 'GET', url: '/api/v1/admin/users' }), '403010', 'Oauth token is missing.');
    const wrongOrg = await t.inject({ method: 'GET', url: '/api/v1/admin/users', headers: admin.headers({ 'x-gw-ims-org-id': 'x' }) });
    expectGateway(wrongOrg, '403025', 'Profile is not valid');
  });

  it('reports only the first failing check when several fail at once', async () => {
    const everythingWrong = {
      'x-api-key': other.clientId, 'x-gw-ims-org-id': 'OTHER@AdobeOrg', 'x-sandbox-name': 'nope', 'content-type': 'text/plain',
    };
    const send = (headers: Record<string, string>) => t.inject({ method: 'POST', url: SANDBOXES, headers, payload: '{' });
    expectGateway(await send(everythingWrong), '403010', 'Oauth token is missing.');
    expectGateway(await send({ ...everythingWrong, authorization: 'Bearer act_forged' }), '401013', 'Oauth token is not valid');
    expectGateway(await send({ ...everythingWrong, authorization: `Bearer ${admin.token}` }), '403003', 'Api Key is invalid');
    const rightKey = { ...everythingWrong, authorization: `Bearer ${admin.token}`, 'x-api-key': admin.clientId };
    expectGateway(await send(rightKey), '403025', 'Profile is not valid');
    const rightOrg = { ...rightKey, 'x-gw-ims-org-id': 'C0FFEE1234@AdobeOrg' };
    const unknownSandbox = await send(rightOrg);
    expectProblem(unknownSandbox, 404, 'SBX-1404-404', 'Sandbox nope not found');
    expect(unknownSandbox.json()).toMatchObject({ title: 'Sandbox not found' });
    const rightSandbox = { ...rightOrg, 'x-sandbox-name': 'prod' };
    const res = await send(rightSandbox);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual(CONTENT_TYPE_PROBLEM);
  });

  it('answers row 8 with the exact problem body when a non-empty body has no JSON content type', async () => {
    for (const contentType of [undefined, 'text/plain', 'application/x-www-form-urlencoded', 'application/xml']) {
      for (const url of [SANDBOXES, '/api/v1/admin/roles']) {
        const headers = admin.headers(contentType === undefined ? {} : { 'content-type': contentType });
        const res = await t.inject({ method: 'POST', url, headers, payload: '{"name":"row8"}' });
        expect(res.statusCode, `${contentType} ${url}`).toBe(400);
        expect(res.json()).toEqual(CONTENT_TYPE_PROBLEM);
      }
    }
  });

  it('checks the content type before permissions (row 8 before row 11)', async () => {
    const res = await t.inject({ method: 'POST', url: SANDBOXES, headers: readOnly.headers({ 'content-type': 'text/plain' }), payload: '{"name":"x"}' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual(CONTENT_TYPE_PROBLEM);
  });

  it('answers row 9 (413 Request body too large) in the family envelope, before permissions', async () => {
    const big = JSON.stringify({ name: 'big', title: 'x'.repeat(3000) });
    const asReader = await t.inject({ method: 'POST', url: SANDBOXES, headers: readOnly.headers(JSON_TYPE), payload: big });
    expectProblem(asReader, 413, 'SBX-1413-413', 'Request body too large');
    const native = await t.inject({ method: 'POST', url: '/api/v1/admin/roles', headers: admin.headers(JSON_TYPE), payload: big });
    expect(native.statusCode).toBe(413);
    expect(native.json().error.message).toBe('Request body too large');
  });

  it('answers row 10 (400 Malformed JSON request body) in the family envelope, before permissions', async () => {
    const malformed = 'Malformed JSON request body';
    const asReader = await t.inject({ method: 'POST', url: SANDBOXES, headers: readOnly.headers(JSON_TYPE), payload: '{"name": "dev",' });
    expectProblem(asReader, 400, 'SBX-1400-400', malformed);
    const native = await t.inject({ method: 'POST', url: '/api/v1/admin/roles', headers: admin.headers(JSON_TYPE), payload: '{name: dev}' });
    expectNative(native, 400, 'BAD_REQUEST', malformed);
  });

  it('answers row 11 with the permission message and the missing permissions header', async () => {
    const res = await t.inject({ method: 'POST', url: SANDBOXES, headers: readOnly.headers(JSON_TYPE), payload: { name: 'denied', title: 'Denied' } });
    expectProblem(res, 403, 'SBX-1403-403', PERMISSION_MESSAGE);
    expect(res.headers['x-activator-missing-permissions']).toBe('Manage Sandboxes');
    const list = await t.inject({ method: 'GET', url: SANDBOXES, headers: noRoles.headers() });
    expectProblem(list, 403, 'SBX-1403-403', PERMISSION_MESSAGE);
    expect(list.headers['x-activator-missing-permissions']).toBe('View Sandboxes');
  });

  it('checks permissions before validating the body', async () => {
    const res = await t.inject({ method: 'POST', url: SANDBOXES, headers: readOnly.headers(JSON_TYPE), payload: { name: 5, type: 'weird' } });
    expectProblem(res, 403, 'SBX-1403-403', PERMISSION_MESSAGE);
  });

  it('refuses the admin endpoints to a credential without the admin flag', async () => {
    for (const [method, url] of [['GET', '/api/v1/admin/users'], ['GET', '/api/v1/admin/roles'], ['GET', '/api/v1/admin/credentials'], ['GET', '/api/v1/admin/audit']] as const) {
      expectNative(await t.inject({ method, url, headers: readOnly.headers() }), 403, 'FORBIDDEN', PERMISSION_MESSAGE);
    }
    const create = await t.inject({ method: 'POST', url: '/api/v1/admin/credentials', headers: readOnly.headers(JSON_TYPE), payload: { name: 'escalate', admin: true } });
    expectNative(create, 403, 'FORBIDDEN', PERMISSION_MESSAGE);
  });

  it('lets any authenticated credential read the permission catalogue', async () => {
    const res = await t.inject({ method: 'GET', url: '/api/v1/permissions', headers: noRoles.headers() });
    expect(res.statusCode).toBe(200);
    expect(res.json().items).toHaveLength(15);
    expect(res.json().items).toContainEqual({ name: 'Activate Segment without Mapping', key: 'activate-segment-without-mapping' });
  });
});

describe('sandbox headers (SPEC §1.2 x-sandbox-name, x-sandbox-id, row 7)', () => {
  let t: TestApp;
  let admin: TestCaller;
  let devOnly: TestCaller;
  let prodId: string;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await t.caller({ admin: true });
    const created = await t.inject({ method: 'POST', url: SANDBOXES, headers: admin.headers(JSON_TYPE), payload: { name: 'dev', title: 'Development', type: 'development' } });
    expect(created.statusCode).toBe(201);
    const role = await t.inject({
      method: 'POST', url: '/api/v1/admin/roles', headers: admin.headers(JSON_TYPE),
      payload: { name: 'Dev sandbox viewers', permissions: ['View Sandboxes'], sandboxes: ['dev'] },
    });
    expect(role.statusCode).toBe(201);
    devOnly = await t.caller({ roles: ['Dev sandbox viewers'] });
    prodId = (await t.inject({ method: 'GET', url: `${SANDBOXES}/prod`, headers: admin.headers() })).json().id;
  });
  afterAll(async () => { await t.close(); });

  it('answers 404 Sandbox <name> not found in the problem envelope for an unknown x-sandbox-name', async () => {
    const res = await t.inject({ method: 'GET', url: SANDBOXES, headers: admin.headers({ 'x-sandbox-name': 'nope' }) });
    expectProblem(res, 404, 'SBX-1404-404', 'Sandbox nope not found');
  });

  it('answers 404 Sandbox <name> not found in the native envelope for an unknown x-sandbox-name', async () => {
    const res = await t.inject({ method: 'GET', url: '/api/v1/admin/users', headers: admin.headers({ 'x-sandbox-name': 'nope' }) });
    expectNative(res, 404, 'NOT_FOUND', 'Sandbox nope not found');
  });

  it('answers 404 Sandbox prod not found to a caller whose only role is in dev when it names prod', async () => {
    const res = await t.inject({ method: 'GET', url: SANDBOXES, headers: devOnly.headers({ 'x-sandbox-name': 'prod' }) });
    expectProblem(res, 404, 'SBX-1404-404', 'Sandbox prod not found');
    const inDev = await t.inject({ method: 'GET', url: SANDBOXES, headers: devOnly.headers({ 'x-sandbox-name': 'dev' }) });
    expect(inDev.statusCode).toBe(200);
    expect(inDev.json().sandboxes.map((s: { name: string }) => s.name)).toEqual(['dev']);
  });

  it('uses x-sandbox-id when x-sandbox-name is absent', async () => {
    const byId = await t.inject({ method: 'GET', url: SANDBOXES, headers: admin.headers({ 'x-sandbox-id': prodId }) });
    expect(byId.statusCode).toBe(200);
    const unknownId = '00000000-0000-4000-8000-000000000000';
    const unknown = await t.inject({ method: 'GET', url: SANDBOXES, headers: admin.headers({ 'x-sandbox-id': unknownId }) });
    expectProblem(unknown, 404, 'SBX-1404-404', `Sandbox ${unknownId} not found`);
  });

  it('ignores x-sandbox-id when x-sandbox-name is present', async () => {
    const headers = admin.headers({ 'x-sandbox-name': 'prod', 'x-sandbox-id': '00000000-0000-4000-8000-000000000000' });
    expect((await t.inject({ method: 'GET', url: SANDBOXES, headers })).statusCode).toBe(200);
    const wrongName = admin.headers({ 'x-sandbox-name': 'nope', 'x-sandbox-id': prodId });
    expectProblem(await t.inject({ method: 'GET', url: SANDBOXES, headers: wrongName }), 404, 'SBX-1404-404', 'Sandbox nope not found');
  });

  it('accepts x-sandbox-name prod when it is sent explicitly', async () => {
    const res = await t.inject({ method: 'GET', url: SANDBOXES, headers: admin.headers({ 'x-sandbox-name': 'prod' }) });
    expect(res.statusCode).toBe(200);
  });

  // Flow Service routes are sandbox-scoped: they default to prod and check the caller's roles in that sandbox.
  it('serves a sandbox-scoped route in prod when neither x-sandbox-name nor x-sandbox-id is sent', async () => {
    const flowService = '/data/foundation/flowservice';
    const landingZone = { name: 'Prod landing zone', connectionSpec: { id: '10440537-2a7b-4583-ac39-ed38d4b848e8', version: '1.0' } };
    const created = await t.inject({ method: 'POST', url: `${flowService}/connections`, headers: admin.headers({ ...JSON_TYPE, 'x-sandbox-name': 'prod' }), payload: landingZone });
    expect(created.statusCode, created.body).toBe(201);
    const flows = await t.inject({ method: 'GET', url: `${flowService}/flows`, headers: admin.headers() });
    expect(flows.statusCode).toBe(200);
    expect(flows.json()).toEqual({ items: [], _links: {} });
    const inDefault = await t.inject({ method: 'GET', url: `${flowService}/connections`, headers: admin.headers() });
    expect(inDefault.json().items.map((c: { id: string; sandboxName: string }) => [c.id, c.sandboxName])).toEqual([[created.json().id, 'prod']]);
    const inDev = await t.inject({ method: 'GET', url: `${flowService}/connections`, headers: admin.headers({ 'x-sandbox-name': 'dev' }) });
    expect(inDev.json().items).toEqual([]);
  });

  it('answers FLOW-2100-404 Sandbox prod not found to a dev-only caller on a Flow Service route without x-sandbox-name', async () => {
    const res = await t.inject({ method: 'GET', url: '/data/foundation/flowservice/flows', headers: devOnly.headers() });
    expect(res.statusCode, res.body).toBe(404);
    expect(res.json()).toEqual({
      type: 'https://ns.adobe.com/aep/errors/FLOW-2100-404', title: 'Sandbox not found', status: 404,
      report: { 'detailed-message': 'Sandbox prod not found', 'request-id': res.headers['x-request-id'] },
      errorMessage: 'Sandbox prod not found', errorDetails: 'Sandbox prod not found',
    });
    // In dev the caller has a role, so rule 7 passes and rule 11 answers: it lacks View Destinations there.
    const inDev = await t.inject({ method: 'GET', url: '/data/foundation/flowservice/flows', headers: devOnly.headers({ 'x-sandbox-name': 'dev' }) });
    expect(inDev.statusCode, inDev.body).toBe(403);
    expect(inDev.headers['x-activator-missing-permissions']).toBe('View Destinations');
  });
});

describe('request ids (SPEC §1.2 x-request-id, §1.3)', () => {
  let t: TestApp;
  let admin: TestCaller;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await t.caller({ admin: true });
  });
  afterAll(async () => { await t.close(); });

  it('echoes a client x-request-id in the response header, the error body and the log', async () => {
    const res = await t.inject({ method: 'GET', url: `${SANDBOXES}/nope`, headers: admin.headers({ 'x-request-id': 'client-req-42' }) });
    expect(res.headers['x-request-id']).toBe('client-req-42');
    expectProblem(res, 404, 'SBX-1404-404', 'Sandbox nope not found');
    expect(res.json().requestId).toBe('client-req-42');
    const logged = t.logLines.map((line) => JSON.parse(line) as { requestId?: string }).filter((line) => line.requestId === 'client-req-42');
    expect(logged.length).toBeGreaterThan(0);
  });

  it('generates a UUID when x-request-id is absent, on successes and on gateway refusals alike', async () => {
    const ok = await t.inject({ method: 'GET', url: SANDBOXES, headers: admin.headers() });
    const refused = await t.inject({ method: 'GET', url: SANDBOXES });
    const health = await t.inject({ method: 'GET', url: '/healthz' });
    for (const res of [ok, refused, health]) expect(res.headers['x-request-id']).toMatch(UUID);
    expect(ok.headers['x-request-id']).not.toBe(refused.headers['x-request-id']);
  });

  it('replaces an unsafe x-request-id by a generated UUID', async () => {
    for (const unsafe of ['two words', '<script>alert(1)</script>', 'line\tbreak', 'x'.repeat(129)]) {
      const res = await t.inject({ method: 'GET', url: SANDBOXES, headers: admin.headers({ 'x-request-id': unsafe }) });
      expect(res.statusCode).toBe(200);
      expect(res.headers['x-request-id']).toMatch(UUID);
    }
  });
});
