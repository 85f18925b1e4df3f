// Bad input end to end: every malformed, mistyped, oversized or unauthenticated request gets a clear 4xx in its family envelope and changes nothing.
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CONTENT_TYPE_PROBLEM, SANDBOXES, expectGateway, expectNative, expectProblem, storedState,
} from '../support/e2e-expectations.js';
import { createTestApp, type TestApp, type TestCaller } from '../support/with-app.js';

const JSON_TYPE = { 'content-type': 'application/json' };
const MALFORMED = 'Malformed JSON request body';
const USERS = '/api/v1/admin/users';
const ROLES = '/api/v1/admin/roles';

/** Sends a request that must be refused; asserts no 5xx and that users, credentials, roles, sandboxes and the audit log are unchanged. */
async function refusedWithoutEffect(t: TestApp, send: () => Promise<LightMyRequestResponse>): Promise<LightMyRequestResponse> {
  const before = await storedState(t);
  const res = await send();
  expect(res.statusCode, res.body).toBeGreaterThanOrEqual(400);
  expect(res.statusCode, res.body).toBeLessThan(500);
  expect(await storedState(t)).toEqual(before);
  return res;
}

describe('bad request bodies', () => {
  let t: TestApp;
  let admin: TestCaller;
  const post = (url: string, payload: string, headers: Record<string, string> = JSON_TYPE) =>
    refusedWithoutEffect(t, () => t.inject({ method: 'POST', url, headers: admin.headers(headers), payload }));

  beforeAll(async () => {
    t = await createTestApp({ ACTIVATOR_MAX_JSON_BODY_BYTES: '2048' });
    admin = await t.caller({ admin: true });
  });
  afterAll(async () => { await t.close(); });

  it('answers malformed JSON with 400 Malformed JSON request body in the native and the problem envelopes', async () => {
    for (const payload of ['{"email": "x@example.com",', '{email: "x@example.com"}', '{"email":"x@example.com"} trailing', "{'a': 1}"]) {
      expectNative(await post(USERS, payload), 400, 'BAD_REQUEST', MALFORMED);
      expectProblem(await post(SANDBOXES, payload), 400, 'SBX-1400-400', MALFORMED);
    }
  });

  it('answers wrong types with 400 naming the field on the native API', async () => {
    const valid = { email: 'typed@example.com', password: 'long enough password' };
    const cases: [Record<string, unknown>, string][] = [
      [{ ...valid, admin: 'yes' }, 'admin'],
      [{ ...valid, roleIds: 'Read only' }, 'roleIds'],
      [{ ...valid, email: 42 }, 'email'],
      [{ ...valid, name: ['Ada'] }, 'name'],
    ];
    for (const [body, field] of cases) {
      expectNative(await post(USERS, JSON.stringify(body)), 400, 'BAD_REQUEST', expect.stringContaining(field));
    }
    const role = await post(ROLES, JSON.stringify({ name: 'Typed role', permissions: 'View Destinations' }));
    expectNative(role, 400, 'BAD_REQUEST', expect.stringContaining('permissions'));
  });

  it('answers wrong types with 400 naming the field on the sandbox API', async () => {
    expectProblem(await post(SANDBOXES, JSON.stringify({ name: 5 })), 400, 'SBX-1400-400', expect.stringContaining('name'));
    expectProblem(await post(SANDBOXES, JSON.stringify({ name: 'typed', type: 'staging' })), 400, 'SBX-1400-400', expect.stringContaining('type'));
    expectProblem(await post(SANDBOXES, JSON.stringify({ name: 'Bad Name!' })), 400, 'SBX-1400-400', expect.stringContaining('Bad Name!'));
  });

  it('rejects unknown fields on the native API with 400 naming the field', async () => {
    const user = await post(USERS, JSON.stringify({ email: 'extra@example.com', password: 'long enough password', nickname: 'Ex' }));
    expectNative(user, 400, 'BAD_REQUEST', expect.stringContaining('nickname'));
    const role = await post(ROLES, JSON.stringify({ name: 'Colourful', permissions: [], colour: 'blue' }));
    expectNative(role, 400, 'BAD_REQUEST', expect.stringContaining('colour'));
    const patch = await refusedWithoutEffect(t, () => t.inject({
      method: 'PATCH', url: `/api/v1/admin/credentials/${admin.id}`, headers: admin.headers(JSON_TYPE), payload: { name: 'x', clientId: 'mine' },
    }));
    expectNative(patch, 400, 'BAD_REQUEST', expect.stringContaining('clientId'));
  });

  it('ignores unknown fields on the AEP sandbox API and creates the sandbox', async () => {
    const res = await t.inject({
      method: 'POST', url: SANDBOXES, headers: admin.headers(JSON_TYPE),
      payload: { name: 'extra-fields', title: 'Extra fields', type: 'development', region: 'va7', labels: ['a'], owner: { id: 1 } },
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ name: 'extra-fields', title: 'Extra fields', type: 'development', state: 'active' });
    expect(res.json()).not.toHaveProperty('region');
  });

  it('answers a body over ACTIVATOR_MAX_JSON_BODY_BYTES with 413 Request body too large in the family envelope', async () => {
    const big = JSON.stringify({ name: 'big', title: 'x'.repeat(2100) });
    expectProblem(await post(SANDBOXES, big), 413, 'SBX-1413-413', 'Request body too large');
    const native = await post(ROLES, JSON.stringify({ name: 'Big role', description: 'x'.repeat(2100) }));
    expect(native.statusCode).toBe(413);
    expect(native.json()).toEqual({ error: { code: expect.any(String), message: 'Request body too large', requestId: native.headers['x-request-id'] } });
  });

  it('answers a body without a JSON content type with the exact problem body of §1.2 row 8', async () => {
    for (const url of [SANDBOXES, USERS]) {
      for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
        const res = await post(url, '{"name":"typed"}', { 'content-type': contentType });
        expect(res.statusCode).toBe(400);
        expect(res.json()).toEqual(CONTENT_TYPE_PROBLEM);
      }
    }
  });

  it('answers an empty JSON body with 400 Request body is empty', async () => {
    expectProblem(await post(SANDBOXES, ''), 400, 'SBX-1400-400', 'Request body is empty');
    expectNative(await post(USERS, ''), 400, 'BAD_REQUEST', 'Request body is empty');
    expectNative(await post(USERS, '   '), 400, 'BAD_REQUEST', 'Request body is empty');
  });

  it('answers a request with no body and no Content-Type, where the route needs a body, with 400 and how to send one', async () => {
    const message = 'Request body is empty: send a JSON body with Content-Type: application/json';
    expectProblem(await post(SANDBOXES, '', {}), 400, 'SBX-1400-400', message);
    expectNative(await post(USERS, '', {}), 400, 'BAD_REQUEST', message);
    const jobs = await refusedWithoutEffect(t, () => t.inject({ method: 'POST', url: '/data/core/ups/segment/jobs', headers: admin.headers() }));
    expect(jobs.statusCode).toBe(400);
    expect(jobs.json<{ title: string }>().title).toBe(message);
  });

  it('answers an empty object with 400 naming the required field', async () => {
    expectProblem(await post(SANDBOXES, '{}'), 400, 'SBX-1400-400', expect.stringContaining('name'));
    expectNative(await post(USERS, '{}'), 400, 'BAD_REQUEST', expect.stringContaining('email'));
  });

  it('answers JSON that is not an object with 400', async () => {
    for (const payload of ['null', '[]', '"text"', '42', 'true', `${'['.repeat(900)}${']'.repeat(900)}`]) {
      const native = await post(USERS, payload);
      expect(native.statusCode, payload.slice(0, 10)).toBe(400);
      expect(native.json().error.code).toBe('BAD_REQUEST');
      expect((await post(SANDBOXES, payload)).statusCode).toBe(400);
    }
  });

  it('answers values the domain refuses with 400 and a message that says what is wrong', async () => {
    expectNative(await post(USERS, JSON.stringify({ email: 'not-an-email', password: 'long enough password' })), 400, 'BAD_REQUEST', expect.stringContaining('email'));
    expectNative(await post(USERS, JSON.stringify({ email: 'short@example.com', password: 'short' })), 400, 'BAD_REQUEST', expect.stringContaining('12 characters'));
    expectNative(await post(USERS, JSON.stringify({ email: 'roles@example.com', roleIds: ['no-such-role'] })), 400, 'BAD_REQUEST', expect.stringContaining('no-such-role'));
    expectNative(await post(ROLES, JSON.stringify({ name: 'Flyers', permissions: ['Fly Planes'] })), 400, 'BAD_REQUEST', expect.stringContaining('Fly Planes'));
  });

  it('refuses a duplicate sandbox, deleting prod and an unknown reset action without changing anything', async () => {
    expectProblem(await post(SANDBOXES, JSON.stringify({ name: 'prod' })), 409, 'SBX-1409-409', expect.stringContaining('prod'));
    const deleteProd = await refusedWithoutEffect(t, () => t.inject({ method: 'DELETE', url: `${SANDBOXES}/prod`, headers: admin.headers() }));
    expectProblem(deleteProd, 400, 'SBX-1400-400', 'The default sandbox cannot be deleted');
    const reset = await refusedWithoutEffect(t, () => t.inject({ method: 'PUT', url: `${SANDBOXES}/prod`, headers: admin.headers(JSON_TYPE), payload: { action: 'explode' } }));
    expectProblem(reset, 400, 'SBX-1400-400', expect.stringContaining('action'));
  });

  it('answers bad query parameters with 400 naming the parameter', async () => {
    const get = (url: string) => refusedWithoutEffect(t, () => t.inject({ method: 'GET', url, headers: admin.headers() }));
    expectNative(await get(`${USERS}?limit=abc`), 400, 'BAD_REQUEST', expect.stringContaining('limit'));
    expectNative(await get(`${USERS}?limit=0`), 400, 'BAD_REQUEST', expect.stringContaining('limit'));
    expectNative(await get(`${USERS}?cursor=garbage`), 400, 'BAD_REQUEST', expect.stringContaining('cursor'));
    expectNative(await get('/api/v1/admin/audit?from=yesterday'), 400, 'BAD_REQUEST', expect.stringContaining('from'));
    expectProblem(await get(`${SANDBOXES}?limit=-1`), 400, 'SBX-1400-400', expect.stringContaining('limit'));
  });
});

describe('unknown sandboxes and bad tokens', () => {
  let t: TestApp;
  let admin: TestCaller;
  const validUser = { email: 'intruder@example.com', password: 'long enough password', admin: true };

  beforeAll(async () => {
    t = await createTestApp();
    admin = await t.caller({ admin: true });
  });
  afterAll(async () => { await t.close(); });

  it('answers 404 Sandbox <name> not found for an unknown sandbox, in the family envelope, creating nothing', async () => {
    const create = await refusedWithoutEffect(t, () => t.inject({
      method: 'POST', url: SANDBOXES, headers: admin.headers({ ...JSON_TYPE, 'x-sandbox-name': 'ghost' }), payload: { name: 'created-in-ghost' },
    }));
    expectProblem(create, 404, 'SBX-1404-404', 'Sandbox ghost not found');
    const user = await refusedWithoutEffect(t, () => t.inject({
      method: 'POST', url: USERS, headers: admin.headers({ ...JSON_TYPE, 'x-sandbox-name': 'ghost' }), payload: validUser,
    }));
    expectNative(user, 404, 'NOT_FOUND', 'Sandbox ghost not found');
    for (const method of ['GET', 'DELETE'] as const) {
      const res = await refusedWithoutEffect(t, () => t.inject({ method, url: `${SANDBOXES}/ghost`, headers: admin.headers() }));
      expectProblem(res, 404, 'SBX-1404-404', 'Sandbox ghost not found');
    }
    const reset = await refusedWithoutEffect(t, () => t.inject({ method: 'PUT', url: `${SANDBOXES}/ghost`, headers: admin.headers(JSON_TYPE), payload: { action: 'reset' } }));
    expectProblem(reset, 404, 'SBX-1404-404', 'Sandbox ghost not found');
  });

  it('answers 401013 to a forged random act_ token, creating nothing', async () => {
    const forged = 'act_Zm9yZ2VkLXRva2VuLWZvcmdlZC10b2tlbi1mb3JnZWQtdG9r';
    const res = await refusedWithoutEffect(t, () => t.inject({
      method: 'POST', url: USERS, headers: admin.headers({ ...JSON_TYPE, authorization: `Bearer ${forged}` }), payload: validUser,
    }));
    expectGateway(res, '401013', 'Oauth token is not valid');
  });

  it('answers 401013 to a real token with one character changed, creating nothing', async () => {
    const last = admin.token.slice(-1);
    const tampered = `${admin.token.slice(0, -1)}${last === 'x' ? 'y' : 'x'}`;
    const res = await refusedWithoutEffect(t, () => t.inject({
      method: 'POST', url: SANDBOXES, headers: admin.headers({ ...JSON_TYPE, authorization: `Bearer ${tampered}` }), payload: { name: 'tampered' },
    }));
    expectGateway(res, '401013', 'Oauth token is not valid');
    const prefixChanged = `Act_${admin.token.slice(4)}`;
    const res2 = await refusedWithoutEffect(t, () => t.inject({ method: 'GET', url: USERS, headers: admin.headers({ authorization: `Bearer ${prefixChanged}` }) }));
    expectGateway(res2, '401013', 'Oauth token is not valid');
  });

  it('answers 401013 to an expired token, creating nothing', async () => {
    t.clock.advance(24 * 3_600_000);
    const res = await refusedWithoutEffect(t, () => t.inject({ method: 'POST', url: USERS, headers: admin.headers(JSON_TYPE), payload: validUser }));
    expectGateway(res, '401013', 'Oauth token is not valid');
  });
});

describe('bodies that are not valid UTF-8', () => {
  it('are refused as malformed JSON and create nothing', async () => {
    const t = await createTestApp();
    try {
      const admin = await t.caller({ admin: true });
      const before = (await t.runtime.services.roles.list()).length;
      const payload = Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);
      const response = await t.inject({ method: 'POST', url: '/api/v1/admin/roles', headers: admin.headers({ 'content-type': 'application/json' }), payload });
      expect(response.statusCode).toBe(400);
      expect(response.json().error.message).toBe('Malformed JSON request body');
      expect((await t.runtime.services.roles.list()).length).toBe(before);
    } finally {
      await t.close();
    }
  });

  it('name an unknown field in words on the native API', async () => {
    const t = await createTestApp();
    try {
      const admin = await t.caller({ admin: true });
      const response = await t.inject({
        method: 'POST', url: '/api/v1/admin/roles', headers: admin.headers({ 'content-type': 'application/json' }),
        payload: JSON.stringify({ name: 'r', colour: 'blue' }),
      });
      expect(response.statusCode).toBe(400);
      expect(response.json().error.message).toBe("body: unknown field 'colour'");
    } finally {
      await t.close();
    }
  });
});
