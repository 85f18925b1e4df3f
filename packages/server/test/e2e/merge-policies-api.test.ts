// Merge policy API (SPEC §4.4) over HTTP on both stores: built-in default, create/PUT/PATCH/DELETE, lists, bulk-get, errors, access, isolation.
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeOnEachStore } from '../support/on-each-store.js';
import { createTestApp, type TestApp, type TestCaller } from '../support/with-app.js';

const POLICIES = '/data/core/ups/config/mergePolicies';
const SANDBOXES = '/data/foundation/sandbox-management/sandboxes';
const BUILT_IN = 'timestampOrdered-none-mp';
const PROFILE_SCHEMA = { name: '_xdm.context.profile' };
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const PERMISSION_MESSAGE =
  'You do not have sufficient permissions to perform the operation. Please contact your administrator to resolve permissions and try again.';

interface Policy {
  id: string;
  name: string;
  default: boolean;
  version: number;
  updateEpoch: number;
  identityGraph: { type: string };
  attributeMerge: { type: string; order?: string[] };
  sandbox: { sandboxId: string; sandboxName: string };
}
interface PolicyList {
  _page: { totalCount: number; pageSize: number };
  children: Policy[];
  _links: { next: { href: string } };
}

const newPolicy = (name: string, extra: Record<string, unknown> = {}) => ({
  name, schema: PROFILE_SCHEMA, identityGraph: { type: 'pdg' }, attributeMerge: { type: 'timestampOrdered' }, ...extra,
});

/** The `ups` envelope of SPEC §1.4 for one message. */
function expectUpsError(response: LightMyRequestResponse, status: number, message?: string | RegExp): string {
  expect(response.statusCode, response.body).toBe(status);
  const body = response.json<{ requestId: string; errors: Record<string, { code: number; message: string }[]>; type: string; title: string; status: number }>();
  expect(body.type).toBe(`https://ns.adobe.com/aep/errors/UPAPI-${1000 + status}-${status}`);
  expect(body.status).toBe(status);
  expect(body.requestId).toBe(response.headers['x-request-id']);
  expect(Object.keys(body.errors)).toEqual([String(status)]);
  const first = body.errors[String(status)]?.[0];
  expect(first?.code).toBe(status);
  expect(body.title).toBe(first?.message);
  if (typeof message === 'string') expect(body.title).toBe(message);
  else if (message !== undefined) expect(body.title).toMatch(message);
  return body.title;
}

describeOnEachStore('merge policy API', (storeEnv) => {
  let t: TestApp;
  let admin: TestCaller;
  let prodId = '';

  const call = (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, body?: unknown, options: { sandbox?: string; caller?: TestCaller } = {}) =>
    t.inject({
      method, url,
      headers: (options.caller ?? admin).headers({
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(options.sandbox === undefined ? {} : { 'x-sandbox-name': options.sandbox }),
      }),
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });
  const create = async (body: unknown, sandbox?: string): Promise<Policy> => {
    const response = await call('POST', POLICIES, body, sandbox === undefined ? {} : { sandbox });
    expect(response.statusCode, response.body).toBe(200);
    return response.json<Policy>();
  };
  const list = async (query = '', sandbox?: string): Promise<PolicyList> => {
    const response = await call('GET', `${POLICIES}${query}`, undefined, sandbox === undefined ? {} : { sandbox });
    expect(response.statusCode, response.body).toBe(200);
    return response.json<PolicyList>();
  };
  const newSandbox = async (name: string): Promise<string> => {
    const response = await call('POST', SANDBOXES, { name, title: name, type: 'development' });
    expect(response.statusCode, response.body).toBe(201);
    return response.json<{ id: string }>().id;
  };
  const createDataset = async (name: string, datasetClass: 'profile' | 'experienceEvent'): Promise<string> => {
    const response = await call('POST', '/data/foundation/catalog/dataSets', {
      name, schema: { class: datasetClass, fields: [{ path: 'crmId', type: 'string' }], identities: [{ path: 'crmId', namespace: 'CRMID', primary: true }] },
    });
    expect(response.statusCode, response.body).toBe(201);
    return (response.json<string[]>()[0] ?? '').replace('@/dataSets/', '');
  };

  beforeAll(async () => {
    t = await createTestApp(await storeEnv());
    admin = await t.caller({ admin: true });
    prodId = (await call('GET', `${SANDBOXES}/prod`)).json<{ id: string }>().id;
  });
  afterAll(async () => t.close());

  it('starts every sandbox with the built-in timestampOrdered-none-mp as its default', async () => {
    const prod = await list();
    expect(prod._page).toEqual({ totalCount: 1, pageSize: 1 });
    expect(prod.children).toEqual([{
      id: BUILT_IN, name: 'Default Timebased', imsOrgId: t.config.orgId,
      sandbox: { sandboxId: prodId, sandboxName: 'prod', type: 'production', default: true },
      schema: PROFILE_SCHEMA, version: 1, identityGraph: { type: 'none' }, attributeMerge: { type: 'timestampOrdered' },
      default: true, updateEpoch: expect.any(Number) as number,
    }]);
    expect(prod._links).toEqual({ next: { href: '' } });

    const devId = await newSandbox('mp-fresh');
    const dev = await list('', 'mp-fresh');
    expect(dev.children.map((p) => [p.id, p.default, p.sandbox.sandboxId, p.sandbox.sandboxName])).toEqual([[BUILT_IN, true, devId, 'mp-fresh']]);
    const one = await call('GET', `${POLICIES}/${BUILT_IN}`, undefined, { sandbox: 'mp-fresh' });
    expect(one.statusCode).toBe(200);
    expect(one.json()).toMatchObject({ id: BUILT_IN, name: 'Default Timebased', default: true, sandbox: { sandboxName: 'mp-fresh', type: 'development', default: false } });
  });

  it('creates a policy and answers 200 with the full object (version 1, updateEpoch in seconds)', async () => {
    const response = await call('POST', POLICIES, newPolicy('Stitched, newest wins'));
    expect(response.statusCode, response.body).toBe(200);
    const created = response.json<Policy>();
    expect(created.id).toMatch(UUID_V4);
    expect(created).toEqual({
      id: created.id, name: 'Stitched, newest wins', imsOrgId: t.config.orgId,
      sandbox: { sandboxId: prodId, sandboxName: 'prod', type: 'production', default: true },
      schema: PROFILE_SCHEMA, version: 1, identityGraph: { type: 'pdg' }, attributeMerge: { type: 'timestampOrdered' },
      default: false, updateEpoch: Math.floor(t.clock.now() / 1000),
    });
    expect((await call('GET', `${POLICIES}/${created.id}`)).json()).toEqual(created);
  });

  it('refuses a missing name and a schema.name other than _xdm.context.profile with UPAPI-1400-400', async () => {
    const unnamed = await t.inject({
      method: 'POST', url: POLICIES, headers: admin.headers({ 'content-type': 'application/json', 'x-request-id': 'req-mp-1' }),
      payload: JSON.stringify({ schema: PROFILE_SCHEMA, identityGraph: { type: 'pdg' }, attributeMerge: { type: 'timestampOrdered' } }),
    });
    expect(expectUpsError(unnamed, 400)).toContain('name');
    expect(unnamed.json<{ requestId: string }>().requestId).toBe('req-mp-1');
    expectUpsError(await call('POST', POLICIES, newPolicy('  ')), 400, /name/);
    const otherSchema = await call('POST', POLICIES, { ...newPolicy('Events policy'), schema: { name: '_xdm.context.experienceevent' } });
    expect(expectUpsError(otherSchema, 400)).toContain('_xdm.context.profile');
    expectUpsError(await call('POST', POLICIES, newPolicy('Bad graph', { identityGraph: { type: 'cluster' } })), 400, /identityGraph/);
  });

  it('refuses a second policy of the same name in the sandbox with UPAPI-1422-422', async () => {
    await create(newPolicy('Twice'));
    expectUpsError(await call('POST', POLICIES, newPolicy('Twice', { identityGraph: { type: 'none' } })), 422, /Twice/);
    // Names are unique per sandbox: another sandbox may reuse it.
    await newSandbox('mp-names');
    await create(newPolicy('Twice'), 'mp-names');
  });

  it('refuses dataSetPrecedence with an empty order, an unknown dataset or an event dataset, naming the problem', async () => {
    const profileId = await createDataset('Precedence CRM', 'profile');
    const eventId = await createDataset('Precedence events', 'experienceEvent');
    const precedence = (name: string, order: string[]) => newPolicy(name, { attributeMerge: { type: 'dataSetPrecedence', order } });
    expectUpsError(await call('POST', POLICIES, precedence('Empty order', [])), 400, /order/);
    expectUpsError(await call('POST', POLICIES, { ...newPolicy('No order'), attributeMerge: { type: 'dataSetPrecedence' } }), 400, /order/);
    expectUpsError(await call('POST', POLICIES, precedence('Unknown dataset', [profileId, 'ffffffffffffffffffffffff'])), 400, /ffffffffffffffffffffffff/);
    expectUpsError(await call('POST', POLICIES, precedence('Event dataset', [eventId])), 400, new RegExp(eventId));
    const accepted = await create(precedence('CRM first', [profileId]));
    expect(accepted.attributeMerge).toEqual({ type: 'dataSetPrecedence', order: [profileId] });
  });

  it('keeps exactly one default: a second default clears the flag of the previous one', async () => {
    await newSandbox('mp-default');
    const first = await create(newPolicy('First default', { default: true }), 'mp-default');
    expect(first.default).toBe(true);
    const afterFirst = await list('', 'mp-default');
    expect(afterFirst.children.filter((p) => p.default).map((p) => p.id)).toEqual([first.id]);
    const second = await create(newPolicy('Second default', { default: true }), 'mp-default');
    const afterSecond = await list('', 'mp-default');
    expect(afterSecond.children.filter((p) => p.default).map((p) => p.id)).toEqual([second.id]);
    expect((await call('GET', `${POLICIES}/${first.id}`, undefined, { sandbox: 'mp-default' })).json<Policy>().default).toBe(false);
    expect((await call('GET', `${POLICIES}/${BUILT_IN}`, undefined, { sandbox: 'mp-default' })).json<Policy>().default).toBe(false);
  });

  it('replaces a policy wholesale with PUT', async () => {
    const created = await create(newPolicy('Before PUT'));
    t.clock.advance(60_000);
    const replaced = await call('PUT', `${POLICIES}/${created.id}`, { name: 'After PUT', schema: PROFILE_SCHEMA, identityGraph: { type: 'none' }, attributeMerge: { type: 'timestampOrdered' } });
    expect(replaced.statusCode, replaced.body).toBe(200);
    expect(replaced.json()).toMatchObject({
      id: created.id, name: 'After PUT', identityGraph: { type: 'none' }, attributeMerge: { type: 'timestampOrdered' }, default: false, version: 2,
      updateEpoch: created.updateEpoch + 60,
    });
    expect((await call('GET', `${POLICIES}/${created.id}`)).json<Policy>().name).toBe('After PUT');
    expectUpsError(await call('PUT', `${POLICIES}/${created.id}`, { ...newPolicy('After PUT'), schema: { name: 'other' } }), 400);
  });

  it('patches with a single op object or an array, the dotted /identityGraph.type path and "true" for /default', async () => {
    await newSandbox('mp-patch');
    const patch = (id: string, ops: unknown) =>
      t.inject({ method: 'PATCH', url: `${POLICIES}/${id}`, headers: admin.headers({ 'content-type': 'application/json-patch+json', 'x-sandbox-name': 'mp-patch' }), payload: JSON.stringify(ops) });
    const created = await create(newPolicy('Patch me'), 'mp-patch');

    const single = await patch(created.id, { op: 'replace', path: '/name', value: 'Patched once' });
    expect(single.statusCode, single.body).toBe(200);
    expect(single.json()).toMatchObject({ name: 'Patched once', version: 1 });

    const dotted = await patch(created.id, [{ op: 'replace', path: '/identityGraph.type', value: 'none' }]);
    expect(dotted.statusCode, dotted.body).toBe(200);
    expect(dotted.json()).toMatchObject({ identityGraph: { type: 'none' }, version: 2 });

    const slashed = await patch(created.id, [{ op: 'replace', path: '/identityGraph/type', value: 'pdg' }, { op: 'replace', path: '/name', value: 'Patched twice' }]);
    expect(slashed.json()).toMatchObject({ name: 'Patched twice', identityGraph: { type: 'pdg' }, version: 3 });

    const becomesDefault = await patch(created.id, { op: 'replace', path: '/default', value: 'true' });
    expect(becomesDefault.statusCode, becomesDefault.body).toBe(200);
    expect(becomesDefault.json()).toMatchObject({ default: true, version: 3 });
    expect((await list('?default=true', 'mp-patch')).children.map((p) => p.id)).toEqual([created.id]);

    expectUpsError(await patch(created.id, { op: 'replace', path: '/id', value: 'mine' }), 400);
    expectUpsError(await patch(created.id, { op: 'replace', path: '/identityGraph/type', value: 'cluster' }), 400);
  });

  it('increments version only when identityGraph or attributeMerge change', async () => {
    const datasetId = await createDataset('Version CRM', 'profile');
    const created = await create(newPolicy('Versioned'));
    const patch = async (ops: unknown) => {
      const response = await call('PATCH', `${POLICIES}/${created.id}`, ops);
      expect(response.statusCode, response.body).toBe(200);
      return response.json<Policy>().version;
    };
    expect(await patch({ op: 'replace', path: '/name', value: 'Versioned, renamed' })).toBe(1);
    expect(await patch({ op: 'replace', path: '/identityGraph/type', value: 'pdg' })).toBe(1);
    expect(await patch({ op: 'replace', path: '/identityGraph/type', value: 'none' })).toBe(2);
    expect(await patch([
      { op: 'add', path: '/attributeMerge/order', value: [datasetId] },
      { op: 'replace', path: '/attributeMerge/type', value: 'dataSetPrecedence' },
    ])).toBe(3);
    expect(await patch({ op: 'replace', path: '/attributeMerge/order', value: [datasetId] })).toBe(3);
    const put = await call('PUT', `${POLICIES}/${created.id}`, { ...newPolicy('Versioned, put'), identityGraph: { type: 'none' }, attributeMerge: { type: 'dataSetPrecedence', order: [datasetId] } });
    expect(put.json<Policy>().version).toBe(3);
    expect(await patch({ op: 'replace', path: '/attributeMerge/type', value: 'timestampOrdered' })).toBe(4);
  });

  it('lists in pages: start is a page number, limit a page size, with totalCount and a next link until the last page', async () => {
    await newSandbox('mp-pages');
    for (const name of ['P1', 'P2', 'P3', 'P4']) await create(newPolicy(name, { identityGraph: { type: name === 'P4' ? 'none' : 'pdg' } }), 'mp-pages');
    const pages = [await list('?start=0&limit=2', 'mp-pages'), await list('?start=1&limit=2', 'mp-pages'), await list('?start=2&limit=2', 'mp-pages')];
    expect(pages.map((page) => page._page)).toEqual([{ totalCount: 5, pageSize: 2 }, { totalCount: 5, pageSize: 2 }, { totalCount: 5, pageSize: 1 }]);
    expect(pages.map((page) => page._links.next.href)).toEqual(['/config/mergePolicies?start=1&limit=2', '/config/mergePolicies?start=2&limit=2', '']);
    const names = pages.flatMap((page) => page.children.map((p) => p.name));
    expect([...names].sort()).toEqual(['Default Timebased', 'P1', 'P2', 'P3', 'P4']);
    const whole = await list('', 'mp-pages');
    expect(whole._page).toEqual({ totalCount: 5, pageSize: 5 });
    expect(whole._links).toEqual({ next: { href: '' } });
    const beyond = await list('?start=9&limit=2', 'mp-pages');
    expect(beyond).toMatchObject({ _page: { totalCount: 5, pageSize: 0 }, children: [], _links: { next: { href: '' } } });
  });

  it('filters by default=true and identityGraph.type=pdg', async () => {
    const defaults = await list('?default=true', 'mp-pages');
    expect(defaults.children.map((p) => p.id)).toEqual([BUILT_IN]);
    expect(defaults._page.totalCount).toBe(1);
    const pdg = await list('?identityGraph.type=pdg', 'mp-pages');
    expect(pdg.children.map((p) => p.name).sort()).toEqual(['P1', 'P2', 'P3']);
    const paged = await list('?identityGraph.type=pdg&limit=2', 'mp-pages');
    expect(paged).toMatchObject({ _page: { totalCount: 3, pageSize: 2 }, _links: { next: { href: '/config/mergePolicies?start=1&limit=2' } } });
    const none = await list('?default=false&identityGraph.type=none', 'mp-pages');
    expect(none.children.map((p) => p.name)).toEqual(['P4']);
  });

  it('bulk-gets policies with 207, keyed by id, omitting unknown ids', async () => {
    const p1 = (await list('?identityGraph.type=pdg', 'mp-pages')).children[0];
    const missing = '00000000-0000-4000-8000-000000000000';
    const response = await call('POST', `${POLICIES}/bulk-get`, { ids: [{ id: p1?.id }, { id: missing }, { id: BUILT_IN }] }, { sandbox: 'mp-pages' });
    expect(response.statusCode, response.body).toBe(207);
    const results = response.json<{ results: Record<string, Policy> }>().results;
    expect(Object.keys(results).sort()).toEqual([p1?.id, BUILT_IN].sort());
    expect(results[p1?.id ?? '']).toEqual(p1);
    expect(results[BUILT_IN]).toMatchObject({ id: BUILT_IN, sandbox: { sandboxName: 'mp-pages' } });
  });

  it('deletes a policy with 200 and an empty body; it is then not found', async () => {
    const created = await create(newPolicy('Short-lived'));
    const deleted = await call('DELETE', `${POLICIES}/${created.id}`);
    expect(deleted.statusCode).toBe(200);
    expect(deleted.body).toBe('');
    expectUpsError(await call('GET', `${POLICIES}/${created.id}`), 404, `Merge policy ${created.id} not found`);
    expect((await list('?limit=100')).children.map((p) => p.id)).not.toContain(created.id);
  });

  it('refuses deleting the current default or the built-in policy with 400', async () => {
    await newSandbox('mp-delete');
    expectUpsError(await call('DELETE', `${POLICIES}/${BUILT_IN}`, undefined, { sandbox: 'mp-delete' }), 400);
    const chosen = await create(newPolicy('Chosen default', { default: true }), 'mp-delete');
    expectUpsError(await call('DELETE', `${POLICIES}/${chosen.id}`, undefined, { sandbox: 'mp-delete' }), 400);
    // The built-in stays undeletable after it has stopped being the default.
    expectUpsError(await call('DELETE', `${POLICIES}/${BUILT_IN}`, undefined, { sandbox: 'mp-delete' }), 400);
    expect((await list('', 'mp-delete'))._page.totalCount).toBe(2);
  });

  it('answers 404 UPAPI-1404-404 for an unknown id on GET, PUT, PATCH and DELETE', async () => {
    const unknown = '6c0e1f5a-3b2d-4c1e-9f8a-7b6c5d4e3f2a';
    const message = `Merge policy ${unknown} not found`;
    expectUpsError(await call('GET', `${POLICIES}/${unknown}`), 404, message);
    expectUpsError(await call('PUT', `${POLICIES}/${unknown}`, newPolicy('Ghost')), 404, message);
    expectUpsError(await call('PATCH', `${POLICIES}/${unknown}`, { op: 'replace', path: '/name', value: 'Ghost' }), 404, message);
    expectUpsError(await call('DELETE', `${POLICIES}/${unknown}`), 404, message);
  });

  it('lets Read only read policies but not change them (403 with x-activator-missing-permissions)', async () => {
    const reader = await t.caller({ roles: ['Read only'], name: 'mp-reader' });
    const read = await call('GET', POLICIES, undefined, { caller: reader });
    expect(read.statusCode, read.body).toBe(200);
    expect((await call('GET', `${POLICIES}/${BUILT_IN}`, undefined, { caller: reader })).statusCode).toBe(200);
    expect((await call('POST', `${POLICIES}/bulk-get`, { ids: [{ id: BUILT_IN }] }, { caller: reader })).statusCode).toBe(207);
    for (const [method, url, body] of [
      ['POST', POLICIES, newPolicy('Not allowed')],
      ['PUT', `${POLICIES}/${BUILT_IN}`, newPolicy('Not allowed')],
      ['PATCH', `${POLICIES}/${BUILT_IN}`, { op: 'replace', path: '/name', value: 'Not allowed' }],
      ['DELETE', `${POLICIES}/${BUILT_IN}`, undefined],
    ] as const) {
      const refused = await call(method, url, body, { caller: reader });
      expectUpsError(refused, 403, PERMISSION_MESSAGE);
      expect(refused.headers['x-activator-missing-permissions']).toBe('Manage Merge Policies');
    }
    expect((await list('?limit=100')).children.map((p) => p.name)).not.toContain('Not allowed');
  });

  it('keeps policies inside their sandbox: a policy of dev is not found from prod', async () => {
    await newSandbox('dev');
    const devPolicy = await create(newPolicy('Dev only'), 'dev');
    expect(devPolicy.sandbox.sandboxName).toBe('dev');
    expectUpsError(await call('GET', `${POLICIES}/${devPolicy.id}`), 404, `Merge policy ${devPolicy.id} not found`);
    expectUpsError(await call('DELETE', `${POLICIES}/${devPolicy.id}`), 404);
    expect((await list('?limit=100')).children.map((p) => p.id)).not.toContain(devPolicy.id);
    const bulk = await call('POST', `${POLICIES}/bulk-get`, { ids: [{ id: devPolicy.id }] });
    expect(bulk.json()).toEqual({ results: {} });
    // Each sandbox has its own built-in: making dev's policy the default leaves prod's default alone.
    await call('PATCH', `${POLICIES}/${devPolicy.id}`, { op: 'replace', path: '/default', value: true }, { sandbox: 'dev' });
    expect((await call('GET', `${POLICIES}/${BUILT_IN}`)).json<Policy>().default).toBe(true);
    expect((await call('GET', `${POLICIES}/${BUILT_IN}`, undefined, { sandbox: 'dev' })).json<Policy>().default).toBe(false);
  });
});
