// Dataset size guardrails (SPEC §3.1, §14): at most 1,000 declared fields per dataset and 5,000 distinct paths in a
// sandbox's union schema, on create and on PATCH; refused with 400 CAT-1400-400 naming the limit.
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestCaller } from '../support/with-app.js';

const DATASETS = '/data/foundation/catalog/dataSets';

const fieldsNamed = (prefix: string, count: number) => Array.from({ length: count }, (_, index) => ({ path: `${prefix}.f${index}`, type: 'string' }));
const profileSchema = (fields: readonly { path: string; type: string }[]) => ({
  class: 'profile',
  fields: [{ path: 'crmId', type: 'string', required: true }, ...fields],
  identities: [{ path: 'crmId', namespace: 'CRMID', primary: true }],
});

function expectLimitProblem(response: LightMyRequestResponse, limit: string): void {
  expect(response.statusCode, response.body).toBe(400);
  const body = response.json<{ type: string; status: number; detail: string }>();
  expect(body.type).toBe('https://ns.adobe.com/aep/errors/CAT-1400-400');
  expect(body.detail).toContain(limit);
}

describe('dataset size guardrails', () => {
  let t: TestApp;
  let admin: TestCaller;
  const send = (method: 'POST' | 'PATCH', url: string, body: unknown, sandbox = 'prod') =>
    t.inject({ method, url, headers: admin.headers({ 'x-sandbox-name': sandbox, 'content-type': 'application/json' }), payload: JSON.stringify(body) });
  const create = async (name: string, fields: readonly { path: string; type: string }[], sandbox = 'prod') => {
    const response = await send('POST', DATASETS, { name, profileEnabled: true, schema: profileSchema(fields) }, sandbox);
    return response;
  };
  const idOf = (response: LightMyRequestResponse) => {
    expect(response.statusCode, response.body).toBe(201);
    return (response.json<string[]>()[0] ?? '').replace('@/dataSets/', '');
  };

  beforeAll(async () => {
    t = await createTestApp();
    admin = await t.caller({ admin: true });
    expect((await t.inject({ method: 'POST', url: '/data/foundation/sandbox-management/sandboxes', headers: admin.headers({ 'content-type': 'application/json' }), payload: JSON.stringify({ name: 'wide', title: 'Wide', type: 'development' }) })).statusCode).toBe(201);
  });
  afterAll(async () => t.close());

  it('accepts 1,000 declared fields and refuses 1,001, on create and on PATCH', async () => {
    const fullId = idOf(await create('Full', fieldsNamed('a', 999)));
    expectLimitProblem(await create('Too wide', fieldsNamed('b', 1000)), '1,000');
    const smallId = idOf(await create('Small', fieldsNamed('c', 998)));
    expect((await send('PATCH', `${DATASETS}/${smallId}`, { schema: { fields: fieldsNamed('d', 1) } })).statusCode).toBe(200);
    expectLimitProblem(await send('PATCH', `${DATASETS}/${smallId}`, { schema: { fields: fieldsNamed('e', 2) } }), '1,000');
    expectLimitProblem(await send('PATCH', `${DATASETS}/${fullId}`, { schema: { fields: fieldsNamed('e', 1) } }), '1,000');
  });

  it('refuses a dataset or new fields that take the union schema of a sandbox past 5,000 paths; shared paths count once', async () => {
    // crmId is shared by every dataset: 5 × 999 + 1 = 4,996 distinct paths.
    for (let index = 0; index < 5; index++) idOf(await create(`Part ${index}`, fieldsNamed(`p${index}`, 999), 'wide'));
    idOf(await create('Shared paths only', fieldsNamed('p0', 999), 'wide'));
    const smallId = idOf(await create('Three more', fieldsNamed('q', 3), 'wide')); // 4,999
    expectLimitProblem(await create('Two more', fieldsNamed('r', 2), 'wide'), '5,000');
    expectLimitProblem(await send('PATCH', `${DATASETS}/${smallId}`, { schema: { fields: fieldsNamed('s', 2) } }, 'wide'), '5,000');
    expect((await send('PATCH', `${DATASETS}/${smallId}`, { schema: { fields: fieldsNamed('s', 1) } }, 'wide')).statusCode).toBe(200); // 5,000
    expectLimitProblem(await create('One more', fieldsNamed('t', 1), 'wide'), '5,000');
    // Another sandbox has its own union schema.
    idOf(await create('Elsewhere', fieldsNamed('t', 1)));
  });
});
