// Profile and event lookups (SPEC §4.1–4.5) over hand-built fixtures ingested through the HTTP API, checked against hand-merged values.
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeOnEachStore } from '../support/on-each-store.js';
import { createTestApp, type TestApp, type TestCaller } from '../support/with-app.js';

const CATALOG = '/data/foundation/catalog';
const IMPORT = '/data/foundation/import/batches';
const UPS = '/data/core/ups';
const HOUR = 3_600_000;

const crmSchema = {
  class: 'profile',
  fields: [
    { path: 'crmId', type: 'string', required: true },
    { path: 'person.name.firstName', type: 'string' },
    { path: 'person.name.lastName', type: 'string' },
    { path: 'personalEmail.address', type: 'string' },
    { path: 'loyalty.points', type: 'integer' },
    { path: 'loyalty.tier', type: 'string' },
    { path: 'updatedAt', type: 'date-time' },
  ],
  identities: [{ path: 'crmId', namespace: 'CRMID', primary: true }, { path: 'personalEmail.address', namespace: 'Email', primary: false }],
  timestampField: 'updatedAt',
};
/** `appId` is lower-case on purpose: by upper-cased namespace it sorts before CRMID, by raw code points after. */
const appSchema = {
  class: 'profile',
  fields: [
    { path: 'appUserId', type: 'string', required: true },
    { path: 'person.name.firstName', type: 'string' },
    { path: 'personalEmail.address', type: 'string' },
    { path: 'loyalty.points', type: 'integer' },
    { path: 'modifiedAt', type: 'date-time' },
  ],
  identities: [{ path: 'appUserId', namespace: 'appId', primary: true }, { path: 'personalEmail.address', namespace: 'Email', primary: false }],
  timestampField: 'modifiedAt',
};
const webSchema = {
  class: 'experienceEvent',
  fields: [{ path: 'appUserId', type: 'string' }, { path: 'eventType', type: 'string' }, { path: 'web.pageName', type: 'string' }],
  identities: [{ path: 'appUserId', namespace: 'appId', primary: true }],
};

/** Ingested first (batch completed 2026-01-15T10:00Z), but A-1's timestampField is newer than C-1's. */
const appRows = [
  { appUserId: 'A-1', person: { name: { firstName: 'Janet' } }, personalEmail: { address: 'jane@example.com' }, loyalty: { points: 250 }, modifiedAt: '2026-01-12T00:00:00Z' },
  { appUserId: 'A-2', person: { name: { firstName: 'Solo' } }, loyalty: { points: 5 }, modifiedAt: '2026-01-01T00:00:00Z' },
].map((row) => JSON.stringify(row)).join('\n');
/** Completed 2026-01-15T11:00Z. C-3's two rows tie on updatedAt (later row wins); C-4's row has no updatedAt. */
const crmBatch1 = [
  'crmId,person.name.firstName,person.name.lastName,personalEmail.address,loyalty.points,loyalty.tier,updatedAt',
  'C-1,Jane,Doe,Jane@Example.com,100,gold,2026-01-10T10:00:00Z',
  'C-2,John,Roe,john@example.com,40,silver,2026-01-05T00:00:00Z',
  'C-3,Tie,First,,1,bronze,2026-01-08T00:00:00Z',
  'C-3,,Second,,2,,2026-01-08T00:00:00Z',
  'C-4,NoTime,Early,,10,,',
].join('\n');
/** Completed 2026-01-15T12:00Z. C-3 ties again (later batch wins); C-4's 2026-01-14 is older than batch 1's completion time. */
const crmBatch2 = ['crmId,person.name.lastName,loyalty.points,updatedAt', 'C-3,Later,3,2026-01-08T00:00:00Z', 'C-4,Late,20,2026-01-14T00:00:00Z'].join('\n');
const webEvents = [
  { _id: 'ev-1', timestamp: '2026-01-10T08:00:00Z', appUserId: 'A-1', eventType: 'pageView', web: { pageName: 'home' } },
  { _id: 'ev-2', timestamp: '2026-01-11T08:00:00Z', appUserId: 'A-1', eventType: 'purchase', web: { pageName: 'checkout' } },
  { _id: 'ev-3', timestamp: '2026-01-12T08:00:00Z', appUserId: 'A-1', eventType: 'pageView', web: { pageName: 'cart' } },
  { _id: 'ev-4', timestamp: '2026-01-11T09:00:00Z', appUserId: 'A-2', eventType: 'pageView', web: { pageName: 'home' } },
  { timestamp: '2026-01-09T08:00:00Z', appUserId: 'A-1', eventType: 'login' },
].map((row) => JSON.stringify(row)).join('\n');

interface Identity {
  id: string;
  namespace: { code: string };
  primary?: boolean;
}
interface Lookup {
  entityId: string;
  sources: string[];
  entity: { identities: Identity[] } & Record<string, unknown>;
  lastModifiedAt: string;
}
interface EventPage {
  _page: { orderby: string; count: number; next: string };
  children: { entityId: string; timestamp: number; entity: Record<string, unknown> }[];
  _links: { next: { href: string } };
}

/** The fixture world: three datasets and four batches in the prod sandbox, through the HTTP API. */
async function buildFixtures(t: TestApp, admin: TestCaller, options: { events: boolean }) {
  const send = (method: 'GET' | 'POST', url: string, body?: unknown) =>
    t.inject({ method, url, headers: admin.headers(body === undefined ? {} : { 'content-type': 'application/json' }), ...(body === undefined ? {} : { payload: JSON.stringify(body) }) });
  const dataset = async (name: string, schema: unknown) => ((await send('POST', `${CATALOG}/dataSets`, { name, schema })).json<string[]>()[0] ?? '').replace('@/dataSets/', '');
  const ingest = async (datasetId: string, format: string, fileName: string, content: string) => {
    t.clock.advance(HOUR);
    const batchId = (await send('POST', IMPORT, { datasetId, inputFormat: { format } })).json<{ id: string }>().id;
    await t.inject({ method: 'PUT', url: `${IMPORT}/${batchId}/datasets/${datasetId}/files/${fileName}`, headers: admin.headers({ 'content-type': 'application/octet-stream' }), payload: content });
    await send('POST', `${IMPORT}/${batchId}?action=COMPLETE`);
    await t.runtime.services.profilesModule.batches.whenIdle();
    const batch = (await send('GET', `${CATALOG}/batches/${batchId}`)).json<Record<string, { status: string }>>()[batchId];
    expect(batch?.status, JSON.stringify(batch)).toBe('success');
  };
  const ids = { crm: await dataset('CRM', crmSchema), app: await dataset('Loyalty app', appSchema), web: '' };
  await ingest(ids.app, 'json', 'app.ndjson', appRows);
  await ingest(ids.crm, 'csv', 'crm-1.csv', crmBatch1);
  await ingest(ids.crm, 'csv', 'crm-2.csv', crmBatch2);
  if (options.events) {
    ids.web = await dataset('Web events', webSchema);
    await ingest(ids.web, 'json', 'web.ndjson', webEvents);
  }
  const policy = async (name: string, identityGraph: string, attributeMerge: Record<string, unknown>) => {
    const response = await send('POST', `${UPS}/config/mergePolicies`, { name, schema: { name: '_xdm.context.profile' }, identityGraph: { type: identityGraph }, attributeMerge });
    expect(response.statusCode, response.body).toBe(200);
    return response.json<{ id: string }>().id;
  };
  return { ids, policy };
}

/** The single profile of a 200 lookup, with its key. */
function onlyProfile(response: LightMyRequestResponse): [string, Lookup] {
  expect(response.statusCode, response.body).toBe(200);
  const entries = Object.entries(response.json<Record<string, Lookup>>());
  expect(entries).toHaveLength(1);
  return entries[0] as [string, Lookup];
}
const idsOf = (profile: Lookup) => profile.entity.identities.map((identity) => `${identity.namespace.code}:${identity.id}`).sort();

describe('profile lookup over HTTP', () => {
  let t: TestApp;
  let admin: TestCaller;
  let ids: { crm: string; app: string; web: string };
  const policies = { pdg: '', crmFirst: '', appOnly: '' };

  const get = (query: string, caller: TestCaller = admin) => t.inject({ method: 'GET', url: `${UPS}/access/entities?${query}`, headers: caller.headers() });
  const profile = (id: string, ns: string, extra = '') => get(`schema.name=_xdm.context.profile&entityId=${encodeURIComponent(id)}&entityIdNS=${ns}${extra}`);
  const events = async (id: string, ns: string, extra = '') => {
    const response = await get(`schema.name=_xdm.context.experienceevent&relatedSchema.name=_xdm.context.profile&relatedEntityId=${id}&relatedEntityIdNS=${ns}${extra}`);
    expect(response.statusCode, response.body).toBe(200);
    return response.json<EventPage>();
  };

  beforeAll(async () => {
    t = await createTestApp();
    admin = await t.caller({ admin: true });
    const fixtures = await buildFixtures(t, admin, { events: true });
    ids = fixtures.ids;
    policies.pdg = await fixtures.policy('Stitched, newest wins', 'pdg', { type: 'timestampOrdered' });
    policies.crmFirst = await fixtures.policy('CRM first', 'pdg', { type: 'dataSetPrecedence', order: [ids.crm, ids.app] });
    policies.appOnly = await fixtures.policy('App only', 'pdg', { type: 'dataSetPrecedence', order: [ids.app] });
  });
  afterAll(async () => t.close());

  it('looks up one CRM profile under the built-in policy (none): its own fragments and identities only', async () => {
    const [key, jane] = onlyProfile(await profile('C-1', 'CRMID'));
    expect(key).toBe('CRMID:C-1');
    expect(jane).toEqual({
      entityId: 'CRMID:C-1',
      sources: [ids.crm],
      entity: {
        identities: expect.arrayContaining([{ id: 'C-1', namespace: { code: 'CRMID' }, primary: true }, { id: 'jane@example.com', namespace: { code: 'Email' } }]) as Identity[],
        crmId: 'C-1',
        person: { name: { firstName: 'Jane', lastName: 'Doe' } },
        personalEmail: { address: 'Jane@Example.com' },
        loyalty: { points: 100, tier: 'gold' },
        updatedAt: '2026-01-10T10:00:00.000Z',
      },
      lastModifiedAt: '2026-01-10T10:00:00.000Z',
    });
    expect(jane.entity.identities).toHaveLength(2);
    const [appKey, janet] = onlyProfile(await profile('A-1', 'appId'));
    expect(appKey).toBe('appId:A-1');
    expect(janet.sources).toEqual([ids.app]);
    expect(janet.entity).toMatchObject({ person: { name: { firstName: 'Janet' } }, loyalty: { points: 250 } });
    expect(janet.entity).not.toHaveProperty('person.name.lastName');
  });

  it('breaks timestampOrdered ties by later row, then later batch, and uses batch completion time when the timestampField is empty', async () => {
    const [, tie] = onlyProfile(await profile('C-3', 'CRMID'));
    // Three fragments at 2026-01-08: batch 1 row 3, batch 1 row 4, batch 2 row 1 (newest). Absent values fall back to older fragments.
    expect(tie.entity).toEqual({
      identities: [{ id: 'C-3', namespace: { code: 'CRMID' }, primary: true }], crmId: 'C-3',
      person: { name: { firstName: 'Tie', lastName: 'Later' } }, loyalty: { points: 3, tier: 'bronze' }, updatedAt: '2026-01-08T00:00:00.000Z',
    });
    const [, early] = onlyProfile(await profile('C-4', 'CRMID'));
    // Batch 1's row has no updatedAt: its time is its batch completion, 2026-01-15T11:00Z, newer than batch 2's 2026-01-14.
    expect(early.entity).toEqual({
      identities: [{ id: 'C-4', namespace: { code: 'CRMID' }, primary: true }], crmId: 'C-4',
      person: { name: { firstName: 'NoTime', lastName: 'Early' } }, loyalty: { points: 10 }, updatedAt: '2026-01-14T00:00:00.000Z',
    });
  });

  it('stitches through a shared e-mail under pdg: newest timestampField wins, key is the smallest identity by upper-cased namespace', async () => {
    const [key, stitched] = onlyProfile(await profile('C-1', 'CRMID', `&mergePolicyId=${policies.pdg}`));
    // APPID < CRMID < EMAIL, so the key is the appId identity although "CRMID" < "appId" in raw code points.
    expect(key).toBe('appId:A-1');
    expect(stitched.entityId).toBe('appId:A-1');
    expect(idsOf(stitched)).toEqual(['CRMID:C-1', 'Email:jane@example.com', 'appId:A-1']);
    expect([...stitched.sources].sort()).toEqual([ids.crm, ids.app].sort());
    // The app fragment (2026-01-12) is newer than the CRM one (2026-01-10) though it was ingested first.
    const { identities: _identities, ...attributes } = stitched.entity;
    expect(attributes).toEqual({
      crmId: 'C-1', appUserId: 'A-1',
      person: { name: { firstName: 'Janet', lastName: 'Doe' } },
      personalEmail: { address: 'jane@example.com' },
      loyalty: { points: 250, tier: 'gold' },
      updatedAt: '2026-01-10T10:00:00.000Z',
      modifiedAt: '2026-01-12T00:00:00.000Z',
    });
    expect(stitched.lastModifiedAt).toBe('2026-01-12T00:00:00.000Z');
    const [sameKey] = onlyProfile(await profile('A-1', 'appId', `&mergePolicyId=${policies.pdg}`));
    expect(sameKey).toBe('appId:A-1');
    const [loneKey, lone] = onlyProfile(await profile('C-2', 'CRMID', `&mergePolicyId=${policies.pdg}`));
    expect(loneKey).toBe('CRMID:C-2');
    expect(idsOf(lone)).toEqual(['CRMID:C-2', 'Email:john@example.com']);
  });

  it('takes each value from the first listed dataset under dataSetPrecedence, even when it is older', async () => {
    const [, crmFirst] = onlyProfile(await profile('A-1', 'appId', `&mergePolicyId=${policies.crmFirst}`));
    const { identities: _identities, ...attributes } = crmFirst.entity;
    expect(attributes).toEqual({
      crmId: 'C-1', appUserId: 'A-1',
      person: { name: { firstName: 'Jane', lastName: 'Doe' } },
      personalEmail: { address: 'Jane@Example.com' },
      loyalty: { points: 100, tier: 'gold' },
      updatedAt: '2026-01-10T10:00:00.000Z',
      modifiedAt: '2026-01-12T00:00:00.000Z',
    });
    // Unlisted profile datasets are not merged, but their identities still stitch the profile together.
    const [key, appOnly] = onlyProfile(await profile('C-1', 'CRMID', `&mergePolicyId=${policies.appOnly}`));
    expect(key).toBe('appId:A-1');
    expect(idsOf(appOnly)).toEqual(['CRMID:C-1', 'Email:jane@example.com', 'appId:A-1']);
    const { identities: _ids, ...appAttributes } = appOnly.entity;
    expect(appAttributes).toEqual({
      appUserId: 'A-1', person: { name: { firstName: 'Janet' } }, personalEmail: { address: 'jane@example.com' }, loyalty: { points: 250 }, modifiedAt: '2026-01-12T00:00:00.000Z',
    });
  });

  it('keeps only the requested fields', async () => {
    const [, picked] = onlyProfile(await profile('A-1', 'appId', `&mergePolicyId=${policies.pdg}&fields=person.name.firstName,loyalty.points`));
    const { identities, ...attributes } = picked.entity;
    expect(attributes).toEqual({ person: { name: { firstName: 'Janet' } }, loyalty: { points: 250 } });
    expect(identities).toHaveLength(3);
    const [, none] = onlyProfile(await profile('C-4', 'CRMID', '&fields=loyalty.tier'));
    expect(none.entity).toEqual({ identities: [{ id: 'C-4', namespace: { code: 'CRMID' }, primary: true }] });
  });

  it('finds e-mail identities case-insensitively and compares namespaces case-insensitively', async () => {
    const [key, byEmail] = onlyProfile(await profile('JANE@EXAMPLE.COM', 'email', `&mergePolicyId=${policies.pdg}`));
    expect(key).toBe('appId:A-1');
    expect(byEmail.entity).toMatchObject({ person: { name: { firstName: 'Janet' } } });
    const [lowerNs] = onlyProfile(await profile('A-1', 'APPID', `&mergePolicyId=${policies.pdg}`));
    expect(lowerNs).toBe('appId:A-1');
    // CRMID ids compare exactly: c-1 is another identity.
    expect((await profile('c-1', 'CRMID')).statusCode).toBe(404);
  });

  it('answers an unknown identity with 404 UPAPI-1404-404 "Profile not found"', async () => {
    const response = await profile('C-999', 'CRMID');
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({
      requestId: response.headers['x-request-id'], errors: { 404: [{ code: 404, message: 'Profile not found' }] },
      type: 'https://ns.adobe.com/aep/errors/UPAPI-1404-404', title: 'Profile not found', status: 404,
    });
    expect((await profile('C-1', 'ECID')).statusCode).toBe(404);
    const unknownPolicy = await profile('C-1', 'CRMID', '&mergePolicyId=6c0e1f5a-3b2d-4c1e-9f8a-7b6c5d4e3f2a');
    expect(unknownPolicy.statusCode).toBe(404);
    expect(unknownPolicy.json<{ type: string }>().type).toBe('https://ns.adobe.com/aep/errors/UPAPI-1404-404');
  });

  it('shows only the looked-up identity to a caller without View Identity Graph', async () => {
    const role = await t.inject({
      method: 'POST', url: '/api/v1/admin/roles', headers: admin.headers({ 'content-type': 'application/json' }),
      payload: JSON.stringify({ name: 'Profile viewers', permissions: ['View Profiles'], sandboxes: ['prod'] }),
    });
    expect(role.statusCode, role.body).toBe(201);
    const viewer = await t.caller({ roles: ['Profile viewers'], name: 'profile-viewer' });
    const [key, seen] = onlyProfile(await get(`schema.name=_xdm.context.profile&entityId=C-1&entityIdNS=CRMID&mergePolicyId=${policies.pdg}`, viewer));
    expect(key).toBe('appId:A-1');
    expect(idsOf(seen)).toEqual(['CRMID:C-1']);
    expect(seen.entity).toMatchObject({ person: { name: { firstName: 'Janet', lastName: 'Doe' } } });
    const [, byEmail] = onlyProfile(await get(`schema.name=_xdm.context.profile&entityId=JANE%40EXAMPLE.COM&entityIdNS=email&mergePolicyId=${policies.pdg}`, viewer));
    expect(idsOf(byEmail)).toEqual(['Email:jane@example.com']);
    const reader = await t.caller({ roles: ['Read only'], name: 'read-only' });
    const [, readOnly] = onlyProfile(await get('schema.name=_xdm.context.profile&entityId=C-1&entityIdNS=CRMID', reader));
    expect(idsOf(readOnly)).toEqual(['CRMID:C-1']);
  });

  it('lists a profile\'s events newest first, with limit, a time window and _page.count', async () => {
    const all = await events('A-1', 'appId');
    expect(all.children.map((event) => event.entityId).slice(0, 3)).toEqual(['ev-3', 'ev-2', 'ev-1']);
    expect(all.children.map((event) => event.timestamp)).toEqual([Date.UTC(2026, 0, 12, 8), Date.UTC(2026, 0, 11, 8), Date.UTC(2026, 0, 10, 8), Date.UTC(2026, 0, 9, 8)]);
    expect(all.children[3]?.entityId).toEqual(expect.any(String));
    expect(all.children[3]?.entityId).not.toBe('');
    expect(all._page).toEqual({ orderby: '-timestamp', count: 4, next: '' });
    expect(all._links).toEqual({ next: { href: '' } });
    expect(all.children[1]?.entity).toMatchObject({ appUserId: 'A-1', eventType: 'purchase', web: { pageName: 'checkout' } });

    const limited = await events('A-1', 'appId', '&limit=2');
    expect(limited.children.map((event) => event.entityId)).toEqual(['ev-3', 'ev-2']);
    expect(limited._page.count).toBe(2);
    const window = await events('A-1', 'appId', `&startTime=${Date.UTC(2026, 0, 10)}&endTime=${Date.UTC(2026, 0, 12)}`);
    expect(window.children.map((event) => event.entityId)).toEqual(['ev-2', 'ev-1']);
    expect(window._page.count).toBe(2);
    expect((await events('A-2', 'appId')).children.map((event) => event.entityId)).toEqual(['ev-4']);
  });

  it('attaches the events of a stitched identity under pdg but not under none', async () => {
    const stitched = await events('C-1', 'CRMID', `&mergePolicyId=${policies.pdg}`);
    expect(stitched.children.map((event) => event.timestamp)).toEqual([Date.UTC(2026, 0, 12, 8), Date.UTC(2026, 0, 11, 8), Date.UTC(2026, 0, 10, 8), Date.UTC(2026, 0, 9, 8)]);
    const byEmail = await events('jane%40example.com', 'Email', `&mergePolicyId=${policies.pdg}`);
    expect(byEmail._page.count).toBe(4);
    const alone = await events('C-1', 'CRMID');
    expect(alone).toEqual({ _page: { orderby: '-timestamp', count: 0, next: '' }, children: [], _links: { next: { href: '' } } });
  });

  it('refuses a lookup without schema.name, entityId or relatedEntityId with 400 UPAPI-1400-400', async () => {
    for (const query of [
      'entityId=C-1&entityIdNS=CRMID',
      'schema.name=_xdm.context.profile&entityIdNS=CRMID',
      'schema.name=_xdm.context.experienceevent&relatedSchema.name=_xdm.context.profile&relatedEntityIdNS=appId',
      'schema.name=_xdm.context.segmentdefinition&entityId=C-1&entityIdNS=CRMID',
    ]) {
      const response = await get(query);
      expect(response.statusCode, query).toBe(400);
      expect(response.json<{ type: string }>().type).toBe('https://ns.adobe.com/aep/errors/UPAPI-1400-400');
    }
  });

  it("accepts the forms Adobe's Customer Profile client sends (SPEC §4.5) and names the accepted schemas otherwise", async () => {
    const canonical = await events('C-1', 'CRMID', `&mergePolicyId=${policies.pdg}`);
    const unprefixed = await get(`schema.name=xdm.context.experienceevent&relatedSchema.name=_xdm.context.profile&relatedEntityId=C-1&relatedEntityIdNS=CRMID&mergePolicyId=${policies.pdg}`);
    expect(unprefixed.statusCode, unprefixed.body).toBe(200);
    expect(unprefixed.json<EventPage>()).toEqual(canonical);
    expect(canonical._page.count).toBe(4);
    const plain = await profile('C-1', 'CRMID', `&mergePolicyId=${policies.pdg}`);
    const leftOver = await profile('C-1', 'CRMID', `&mergePolicyId=${policies.pdg}&relatedSchema.name=_xdm.context.profile`);
    expect(leftOver.statusCode, leftOver.body).toBe(200);
    expect(leftOver.json()).toEqual(plain.json());
    const withInstance = await t.inject({
      method: 'GET', url: `${UPS}/access/entities?schema.name=_xdm.context.profile&entityId=C-1&entityIdNS=CRMID&mergePolicyId=${policies.pdg}`,
      headers: admin.headers({ 'x-profile-instance-id': 'ups' }),
    });
    expect(withInstance.statusCode, withInstance.body).toBe(200);
    expect(withInstance.json()).toEqual(plain.json());
    const wrong = await get('schema.name=_xdm.context.segmentdefinition&entityId=C-1&entityIdNS=CRMID');
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain('schema.name must be _xdm.context.profile (a profile) or _xdm.context.experienceevent (its events)');
    expect(wrong.body).not.toMatch(/Invalid option|expected one of/i);
  });

  it('uses the sandbox default policy when none is named, and collapses events re-sent with the same _id', async () => {
    const patched = await t.inject({
      method: 'PATCH', url: `${UPS}/config/mergePolicies/${policies.pdg}`, headers: admin.headers({ 'content-type': 'application/json' }),
      payload: JSON.stringify({ op: 'replace', path: '/default', value: true }),
    });
    expect(patched.statusCode, patched.body).toBe(200);
    const [key] = onlyProfile(await profile('C-1', 'CRMID'));
    expect(key).toBe('appId:A-1');
    const [builtInKey] = onlyProfile(await profile('C-1', 'CRMID', '&mergePolicyId=timestampOrdered-none-mp'));
    expect(builtInKey).toBe('CRMID:C-1');

    t.clock.advance(HOUR);
    const send = (method: 'POST' | 'PUT', url: string, payload: string, contentType = 'application/json') => t.inject({ method, url, headers: admin.headers({ 'content-type': contentType }), payload });
    const batchId = (await send('POST', IMPORT, JSON.stringify({ datasetId: ids.web, inputFormat: { format: 'json' } }))).json<{ id: string }>().id;
    await send('PUT', `${IMPORT}/${batchId}/datasets/${ids.web}/files/resend.json`, JSON.stringify([{ _id: 'ev-2', timestamp: '2026-01-11T08:00:00Z', appUserId: 'A-1', eventType: 'refund' }]), 'application/octet-stream');
    await t.inject({ method: 'POST', url: `${IMPORT}/${batchId}?action=COMPLETE`, headers: admin.headers() });
    await t.runtime.services.profilesModule.batches.whenIdle();
    const after = await events('C-1', 'CRMID');
    expect(after._page.count).toBe(4);
    expect(after.children.find((event) => event.entityId === 'ev-2')?.entity).toEqual({ appUserId: 'A-1', eventType: 'refund' });
  });
});

describeOnEachStore('stitched profile lookup', (storeEnv) => {
  let t: TestApp;
  let admin: TestCaller;

  beforeAll(async () => {
    t = await createTestApp(await storeEnv());
    admin = await t.caller({ admin: true });
  });
  afterAll(async () => t.close());

  it('merges two datasets by precedence through a shared e-mail looked up in upper case', async () => {
    const { ids, policy } = await buildFixtures(t, admin, { events: false });
    const crmFirst = await policy('CRM first', 'pdg', { type: 'dataSetPrecedence', order: [ids.crm, ids.app] });
    const response = await t.inject({
      method: 'GET', url: `${UPS}/access/entities?schema.name=_xdm.context.profile&entityId=JANE%40EXAMPLE.COM&entityIdNS=Email&mergePolicyId=${crmFirst}`, headers: admin.headers(),
    });
    const [key, merged] = onlyProfile(response);
    expect(key).toBe('appId:A-1');
    expect(idsOf(merged)).toEqual(['CRMID:C-1', 'Email:jane@example.com', 'appId:A-1']);
    expect(merged.entity).toMatchObject({ person: { name: { firstName: 'Jane', lastName: 'Doe' } }, loyalty: { points: 100, tier: 'gold' } });
  });
});
