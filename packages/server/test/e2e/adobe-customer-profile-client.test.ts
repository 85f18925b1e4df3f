// End-to-end: Adobe's own Customer Profile client library, unchanged, against a listening server (SPEC §4.4–4.5, §5).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adobeClient, call, callWithBody, getSegmentJob, type AdobeClient, type AdobeResponse } from '../support/adobe-profile-client.js';
import { CRM_ROWS, crmCsv, EVENTS, upsClient } from '../support/segment-world.js';
import { createTestApp, type TestApp } from '../support/with-app.js';

const BUILT_IN_POLICY = 'timestampOrdered-none-mp';
const PROFILE = { name: '_xdm.context.profile' };
const crmSchema = {
  class: 'profile',
  fields: [{ path: 'crmId', type: 'string', required: true }, { path: 'email', type: 'string' }, { path: 'loyalty.tier', type: 'string' }, { path: 'loyalty.points', type: 'integer' }],
  identities: [{ path: 'crmId', namespace: 'CRMID', primary: true }, { path: 'email', namespace: 'Email', primary: false }],
};
const eventSchema = {
  class: 'experienceEvent',
  fields: [{ path: 'crmId', type: 'string' }, { path: 'eventType', type: 'string' }],
  identities: [{ path: 'crmId', namespace: 'CRMID', primary: true }],
};
const targetSchema = {
  class: 'profile',
  fields: [{ path: 'crmId', type: 'string' }, { path: 'loyalty.tier', type: 'string' }],
  identities: [{ path: 'crmId', namespace: 'CRMID', primary: true }],
};
const FINAL = ['SUCCEEDED', 'FAILED', 'CANCELLED'];

/** CRM ids of the rows `predicate` keeps, sorted: the expected members, computed here. */
const idsOf = (predicate: (row: (typeof CRM_ROWS)[number]) => boolean) => CRM_ROWS.filter(predicate).map((row) => row.crmId).sort();

describe('Adobe Customer Profile client library against Activator', () => {
  let t: TestApp;
  let client: AdobeClient;
  let targetId = '';

  /** Polls `read` (through the library) until its job is final. */
  async function untilFinal(read: () => Promise<AdobeResponse>): Promise<AdobeResponse> {
    for (let round = 0; round < 200; round += 1) {
      const response = await read();
      if (FINAL.includes(String(response.body.status))) return response;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error('job did not finish');
  }

  beforeAll(async () => {
    t = await createTestApp();
    const url = await t.app.listen({ host: '127.0.0.1', port: 0 });
    // A technical account and a token from the token endpoint, over the network like any client.
    const credential = await t.runtime.services.credentials.create({ name: 'adobe-client', admin: true, roleIds: [] });
    const tokenResponse = await fetch(`${url}/ims/token/v3`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: credential.clientId, client_secret: credential.clientSecret }),
    });
    expect(tokenResponse.status).toBe(200);
    const token = ((await tokenResponse.json()) as { access_token: string }).access_token;
    // A small lake, ingested with the project's own test client (ingestion is not the library's business).
    const admin = await t.caller({ admin: true, name: 'lake' });
    const ups = upsClient(t, admin);
    const crm = await ups.dataset('CRM', crmSchema);
    const events = await ups.dataset('Web events', eventSchema);
    await ups.ingest(crm, 'csv', 'crm.csv', crmCsv(CRM_ROWS));
    await ups.ingest(events, 'json', 'events.ndjson', EVENTS.map((event) => JSON.stringify(event)).join('\n'));
    const target = await ups.send('POST', '/data/foundation/catalog/dataSets', { name: 'Export target', profileEnabled: false, schema: targetSchema });
    expect(target.statusCode, target.body).toBe(201);
    targetId = (target.json<string[]>()[0] ?? '').replace('@/dataSets/', '');
    client = await adobeClient(url, t.config.orgId, credential.clientId, token, 'prod');
  }, 60_000);
  afterAll(async () => {
    await t.close();
  });

  it('getProfile looks up a merged profile by identity', async () => {
    const row = CRM_ROWS[0]!;
    const response = await client.getProfile({ entityId: row.crmId, entityIdNS: 'CRMID' });
    expect(response.status).toBe(200);
    const profile = response.body[`CRMID:${row.crmId}`];
    expect(profile.entityId).toBe(`CRMID:${row.crmId}`);
    expect(profile.entity.loyalty).toEqual({ tier: row.tier, points: row.points });
    const identities = (profile.entity.identities as { id: string; namespace: { code: string } }[]).map((identity) => `${identity.namespace.code}:${identity.id}`).sort();
    expect(identities).toEqual([`CRMID:${row.crmId}`, `Email:${row.email}`].sort());
  });

  it('getExperienceEvents lists a profile\'s events (schema.name without the leading underscore)', async () => {
    const crmId = 'C-1';
    const expected = EVENTS.filter((event) => event.crmId === crmId).sort((a, b) => b.timestamp.localeCompare(a.timestamp));
    const response = await client.getExperienceEvents({ relatedEntityId: crmId, relatedEntityIdNS: 'CRMID' });
    expect(response.status).toBe(200);
    expect(response.body._page.count).toBe(expected.length);
    expect((response.body.children as { timestamp: number }[]).map((child) => child.timestamp)).toEqual(expected.map((event) => Date.parse(event.timestamp)));
    expect(response.body.children[0].entity.eventType).toBe(expected[0]!.eventType);
  });
});
