// Segment definitions over HTTP on both stores (SPEC §5.1, §5.5, §1.5): create, get, list, PATCH, bulk-get, validate, delete, errors.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeOnEachStore } from '../support/on-each-store.js';
import {
  audienceBody, BUILT_IN_POLICY, createSegmentationDatasets, DEFINITIONS, expectUpsError, PROFILE_SCHEMA, segmentClient, VALIDATE,
  type AudienceJson, type SegmentClient,
} from '../support/segment-client.js';
import { createTestApp, type TestApp } from '../support/with-app.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const QUOTED_UUID = /^"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"$/;
const GOLD_US = 'homeAddress.countryCode = "US" and loyalty.tier in ["gold", "platinum"]';
const MINUTE = 60_000;

describeOnEachStore('segment definitions API', (storeEnv) => {
  let t: TestApp;
  let ups: SegmentClient;
  let prodId = '';

  beforeAll(async () => {
    t = await createTestApp(await storeEnv());
    ups = segmentClient(t, await t.caller({ admin: true }));
    prodId = (await ups.call('GET', '/data/foundation/sandbox-management/sandboxes/prod')).json<{ id: string }>().id;
    await createSegmentationDatasets(ups);
  });
  afterAll(async () => t.close());

  it('creates an audience: 200, X-Location, the SPEC §5.1 object with the default merge policy stored explicitly', async () => {
    const createdAt = t.clock.now();
    const response = await ups.call('POST', DEFINITIONS, audienceBody('Flash sale VIP', GOLD_US, { description: 'Gold and platinum members in the US' }));
    expect(response.statusCode, response.body).toBe(200);
    const created = response.json<AudienceJson>();
    expect(created.id).toMatch(UUID_V4);
    expect(response.headers['x-location']).toBe(`/segment/definitions/${created.id}`);
    expect(created).toEqual({
      id: created.id, schema: PROFILE_SCHEMA, profileInstanceId: 'ups', imsOrgId: t.config.orgId,
      sandbox: { sandboxId: prodId, sandboxName: 'prod', type: 'production', default: true },
      name: 'Flash sale VIP', description: 'Gold and platinum members in the US',
      expression: { type: 'PQL', format: 'pql/text', value: GOLD_US },
      mergePolicyId: BUILT_IN_POLICY,
      evaluationInfo: { batch: { enabled: true }, continuous: { enabled: false }, synchronous: { enabled: false } },
      dataGovernancePolicy: { excludeOptOut: true },
      lifecycleState: 'published', dependencies: [], _etag: expect.stringMatching(QUOTED_UUID) as string,
      creationTime: createdAt, createEpoch: Math.floor(createdAt / 1000), updateEpoch: Math.floor(createdAt / 1000), updateTime: createdAt,
    });
    const read = await ups.call('GET', `${DEFINITIONS}/${created.id}`);
    expect(read.statusCode).toBe(200);
    expect(read.json()).toEqual(created);
  });

  it('answers 400 with the SPEC §5.5 diagnostics for invalid PQL, and stores nothing', async () => {
    const response = await ups.call('POST', DEFINITIONS, audienceBody('Typo', 'loyalty.teir = "gold"'));
    const body = expectUpsError(response, 400, ['Invalid PQL expression']);
    expect(body.diagnostics).toEqual([expect.objectContaining({
      severity: 'error', code: 'PQL-UNKNOWN-FIELD', line: 1, column: 1, endLine: 1, endColumn: 13, construct: 'path',
      message: expect.stringContaining('unknown field "loyalty.teir"') as string, suggestions: expect.arrayContaining(['loyalty.tier']) as string[],
    })]);
    const listed = (await ups.call('GET', `${DEFINITIONS}?name=Typo`)).json<{ segments: unknown[] }>();
    expect(listed.segments).toEqual([]);
  });

  it('refuses pql/json, continuous or synchronous evaluation, another schema, a missing name and an expression over 64 KiB', async () => {
    expectUpsError(await ups.call('POST', DEFINITIONS, audienceBody('J', '{}', { expression: { type: 'PQL', format: 'pql/json', value: '{}' } })), 400,
      ['expression.format pql/json is not supported; use pql/text']);
    for (const mode of ['continuous', 'synchronous']) {
      expectUpsError(await ups.call('POST', DEFINITIONS, audienceBody('E', GOLD_US, { evaluationInfo: { batch: { enabled: true }, [mode]: { enabled: true } } })), 400,
        ['Only batch evaluation is supported']);
    }
    expectUpsError(await ups.call('POST', DEFINITIONS, audienceBody('S', GOLD_US, { schema: { name: '_xdm.context.experienceevent' } })), 400,
      ['schema.name must be _xdm.context.profile, got "_xdm.context.experienceevent"']);
    expectUpsError(await ups.call('POST', DEFINITIONS, { schema: PROFILE_SCHEMA, expression: { type: 'PQL', format: 'pql/text', value: GOLD_US } }), 400, [/name/]);
    const tooLong = `loyalty.tier = "${'x'.repeat(64 * 1024)}"`;
    expectUpsError(await ups.call('POST', DEFINITIONS, audienceBody('Long', tooLong)), 400, [`expression.value has ${tooLong.length} characters; a PQL expression may have at most 65536 (64 KiB)`]);
    expectUpsError(await ups.call('POST', DEFINITIONS, audienceBody('Unknown policy', GOLD_US, { mergePolicyId: 'no-such-policy' })), 400,
      [/^mergePolicyId no-such-policy is not a merge policy of this sandbox/]);
  });

  it('refuses a name already used in the sandbox, ignoring case, with 422', async () => {
    await ups.create('Lapsed buyers', 'loyalty.points < 10');
    expectUpsError(await ups.call('POST', DEFINITIONS, audienceBody('LAPSED buyers', GOLD_US)), 422,
      ['A segment definition named "LAPSED buyers" already exists in this sandbox']);
    const other = await ups.create('Renamed later', GOLD_US);
    expectUpsError(await ups.patch(other.id, { name: 'lapsed Buyers' }), 422, ['A segment definition named "lapsed Buyers" already exists in this sandbox']);
  });

  it('patches the top-level fields present: 200 with X-Location, a new _etag and updateTime, dependencies and fields recomputed', async () => {
    const base = await ups.create('Patch base', 'loyalty.points > 100');
    const created = await ups.create('Patch me', 'loyalty.points > 5', { description: 'before' });
    t.clock.advance(MINUTE);
    const response = await ups.patch(created.id, { description: 'after', expression: { type: 'PQL', format: 'pql/text', value: `inSegment("${base.id}") and loyalty.tier = "gold"` } });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.headers['x-location']).toBe(`/segment/definitions/${created.id}`);
    const patched = response.json<AudienceJson>();
    expect(patched).toEqual({
      ...created, description: 'after', expression: { type: 'PQL', format: 'pql/text', value: `inSegment("${base.id}") and loyalty.tier = "gold"` },
      dependencies: [base.id], _etag: expect.stringMatching(QUOTED_UUID) as string,
      updateTime: created.updateTime + MINUTE, updateEpoch: Math.floor((created.updateTime + MINUTE) / 1000),
    });
    expect(patched._etag).not.toBe(created._etag);
    expect((await ups.call('GET', `${DEFINITIONS}/${created.id}`)).json()).toEqual(patched);
    const validated = (await ups.call('POST', VALIDATE, { expression: patched.expression })).json<{ fields: string[] }>();
    expect(validated.fields).toEqual(['loyalty.tier']);
  });

  it('follows the lifecycle: draft → published ↔ inactive; published → draft is refused', async () => {
    const draft = await ups.create('Lifecycle', 'loyalty.points > 1', { lifecycleState: 'draft' });
    expect(draft.lifecycleState).toBe('draft');
    expectUpsError(await ups.patch(draft.id, { lifecycleState: 'inactive' }), 400, ['A draft audience must be published before it can become inactive']);
    for (const state of ['published', 'inactive', 'published']) {
      const response = await ups.patch(draft.id, { lifecycleState: state });
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json<AudienceJson>().lifecycleState).toBe(state);
    }
    expectUpsError(await ups.patch(draft.id, { lifecycleState: 'draft' }), 400, ['A published audience cannot go back to draft; make it inactive instead']);
    expectUpsError(await ups.call('POST', DEFINITIONS, audienceBody('Born inactive', GOLD_US, { lifecycleState: 'inactive' })), 400, [/publish it first/]);
  });

  it('lists with the SPEC §1.5 envelope: creationTime:desc by default, start, page, limit, sort, name and lifecycleState', async () => {
    const sandbox = 'list-sbx';
    expect((await ups.call('POST', '/data/foundation/sandbox-management/sandboxes', { name: sandbox, title: sandbox, type: 'development' })).statusCode).toBe(201);
    const names = ['Charlie', 'alpha', 'Bravo', 'delta VIP', 'echo vip'];
    const ids: string[] = [];
    for (const name of names) {
      t.clock.advance(MINUTE);
      ids.push((await ups.create(name, 'true', name === 'Bravo' ? { lifecycleState: 'draft' } : {}, sandbox)).id);
    }
    const list = async (query: string) => {
      const response = await ups.call('GET', `${DEFINITIONS}${query}`, undefined, sandbox);
      expect(response.statusCode, response.body).toBe(200);
      return response.json<{ segments: AudienceJson[]; page: Record<string, unknown>; link: Record<string, string> }>();
    };
    const first = await list('?limit=2');
    expect(first.segments.map((s) => s.name)).toEqual(['echo vip', 'delta VIP']);
    expect(first.page).toEqual({ totalCount: 5, totalPages: 3, sortField: 'creationTime', sort: 'desc', pageSize: 2, limit: 2 });
    expect(first.link).toEqual({ next: '/segment/definitions?start=2&limit=2' });
    expect((await list('?start=2&limit=2')).segments.map((s) => s.name)).toEqual(['Bravo', 'alpha']);
    const last = await list('?page=2&limit=2');
    expect(last.segments.map((s) => s.name)).toEqual(['Charlie']);
    expect(last.link).toEqual({});
    expect((await list('?sort=name:asc')).segments.map((s) => s.name)).toEqual(['alpha', 'Bravo', 'Charlie', 'delta VIP', 'echo vip']);
    expect((await list('?sort=updateTime:asc&limit=1')).link).toEqual({ next: '/segment/definitions?start=1&limit=1&sort=updateTime%3Aasc' });
    const vip = await list('?name=VIP&sort=name:desc');
    expect(vip.segments.map((s) => s.name)).toEqual(['echo vip', 'delta VIP']);
    expect(vip.page.totalCount).toBe(2);
    expect((await list('?lifecycleState=draft')).segments.map((s) => s.id)).toEqual([ids[2]]);
    expect((await list('')).page).toMatchObject({ totalCount: 5, pageSize: 5, limit: 100 });
    expectUpsError(await ups.call('GET', `${DEFINITIONS}?sort=size:asc`, undefined, sandbox), 400, [/sort must be <field>:asc or <field>:desc/]);
    expectUpsError(await ups.call('GET', `${DEFINITIONS}?limit=101`, undefined, sandbox), 400, [/limit/]);
  });

  it('bulk-gets with 207, leaving out ids that do not exist', async () => {
    const one = await ups.create('Bulk one', 'loyalty.points = 1');
    const two = await ups.create('Bulk two', 'loyalty.points = 2');
    const response = await ups.call('POST', `${DEFINITIONS}/bulk-get`, { ids: [{ id: two.id }, { id: 'e0a7e0a7-0000-4000-8000-000000000000' }, { id: one.id }] });
    expect(response.statusCode, response.body).toBe(207);
    expect(response.json()).toEqual({ results: { [two.id]: two, [one.id]: one } });
  });

  it('validates without saving: 200 with valid, diagnostics, dependencies and fields', async () => {
    const base = await ups.create('Validate base', 'loyalty.points > 0');
    const valid = await ups.call('POST', VALIDATE, { expression: { type: 'PQL', format: 'pql/text', value: `inSegment("${base.id}") and xEvent[commerce.order.priceTotal > 100].count() > 0 and loyalty.points > 5` } });
    expect(valid.statusCode, valid.body).toBe(200);
    expect(valid.json()).toEqual({ valid: true, diagnostics: [], dependencies: [base.id], fields: ['loyalty.points', 'xEvent.commerce.order.priceTotal'] });
    const invalid = await ups.call('POST', VALIDATE, { expression: { type: 'PQL', format: 'pql/text', value: 'loyalty.points = "many"' }, mergePolicyId: BUILT_IN_POLICY });
    expect(invalid.statusCode).toBe(200);
    expect(invalid.json()).toMatchObject({ valid: false, diagnostics: [{ severity: 'error', code: 'PQL-TYPE-MISMATCH' }] });
    expectUpsError(await ups.call('POST', VALIDATE, { expression: { type: 'PQL', format: 'pql/json', value: '{}' } }), 400, ['expression.format pql/json is not supported; use pql/text']);
  });

  it('deletes with 200 {"status": true}; afterwards the audience is 404 with the ups message', async () => {
    const doomed = await ups.create('Doomed', 'loyalty.points = 3');
    const response = await ups.call('DELETE', `${DEFINITIONS}/${doomed.id}`);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toEqual({ status: true, message: 'Segment definition deleted' });
    expectUpsError(await ups.call('GET', `${DEFINITIONS}/${doomed.id}`), 404, [`Segment definition ${doomed.id} not found`]);
    expectUpsError(await ups.call('DELETE', `${DEFINITIONS}/${doomed.id}`), 404, [`Segment definition ${doomed.id} not found`]);
    expectUpsError(await ups.patch(doomed.id, { name: 'x' }), 404, [`Segment definition ${doomed.id} not found`]);
  });
});
