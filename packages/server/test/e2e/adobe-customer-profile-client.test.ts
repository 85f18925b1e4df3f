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
  let baseUrl = '';
  let gatewayHeaders: Record<string, string> = {};
  let connect: (sandbox?: string) => Promise<AdobeClient> = () => Promise.reject(new Error('not started'));

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
    baseUrl = url;
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
    gatewayHeaders = { authorization: `Bearer ${token}`, 'x-api-key': credential.clientId, 'x-gw-ims-org-id': t.config.orgId };
    connect = (sandbox) => adobeClient(url, t.config.orgId, credential.clientId, token, sandbox);
    client = await connect('prod');
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

  it('getExperienceEvents lists a profile\'s events (schema.name without the leading underscore), with a window and a limit', async () => {
    const crmId = 'C-1';
    const newestFirst = (events: typeof EVENTS) => [...events].sort((a, b) => b.timestamp.localeCompare(a.timestamp)).map((event) => Date.parse(event.timestamp));
    const ofProfile = EVENTS.filter((event) => event.crmId === crmId);
    const response = await client.getExperienceEvents({ relatedEntityId: crmId, relatedEntityIdNS: 'CRMID' });
    expect(response.status).toBe(200);
    expect(response.body._page.count).toBe(ofProfile.length);
    expect((response.body.children as { timestamp: number }[]).map((child) => child.timestamp)).toEqual(newestFirst(ofProfile));
    expect(response.body.children[0].entity.eventType).toBe(ofProfile[0]!.eventType);

    // Every query parameter the library knows for events, with a one-day window.
    const all = EVENTS.filter((event) => event.crmId === 'C-3');
    const windowed = await client.getExperienceEvents({
      relatedEntityId: 'C-3', relatedEntityIdNS: 'CRMID', mergePolicyId: BUILT_IN_POLICY, orderby: '-timestamp', limit: 10,
      startTime: Date.parse('2026-01-10T00:00:00Z'), endTime: Date.parse('2026-01-11T00:00:00Z'),
    });
    expect((windowed.body.children as { timestamp: number }[]).map((child) => child.timestamp)).toEqual(newestFirst(all.filter((event) => event.timestamp < '2026-01-11')));
  });

  // After getExperienceEvents the library keeps its `relatedSchema.name` in every later getProfile (it merges each
  // call's fixed parameters into a shared config): this lookup sends it, and SPEC §4.5 ignores it.
  it('getProfile keeps only the requested fields', async () => {
    const row = CRM_ROWS[1]!;
    const response = await client.getProfile({ entityId: row.crmId, entityIdNS: 'CRMID', fields: 'loyalty.tier', mergePolicyId: BUILT_IN_POLICY });
    expect(response.body[`CRMID:${row.crmId}`].entity.loyalty).toEqual({ tier: row.tier });
    await expect(client.getProfile({ entityId: 'C-404', entityIdNS: 'CRMID' })).rejects.toThrow(/404.*Profile not found/);
  });

  it('a client initialised without a sandbox works in prod (no x-sandbox-name header)', async () => {
    const plain = await connect();
    const listed = await call(plain, 'getConfigMergePolicies', { default: true });
    expect((listed.body.children as { id: string; sandbox: { sandboxName: string } }[]).map((policy) => [policy.id, policy.sandbox.sandboxName])).toEqual([[BUILT_IN_POLICY, 'prod']]);
  });

  it('merge policies: list, create, get, patch and delete', async () => {
    const listed = await call(client, 'getConfigMergePolicies');
    expect(listed.status).toBe(200);
    expect((listed.body.children as { id: string }[]).map((policy) => policy.id)).toContain(BUILT_IN_POLICY);

    const body = { name: 'Stitched by the library', schema: PROFILE, identityGraph: { type: 'pdg' }, attributeMerge: { type: 'timestampOrdered' }, default: false };
    const created = await callWithBody(client, 'postConfigMergePolicies', body, { 'x-profile-instance-id': 'ups' });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ ...body, version: 1, imsOrgId: t.config.orgId });
    const id = String(created.body.id);

    const fetched = await call(client, 'getConfigMergePoliciesMergePolicyId', { mergePolicyId: id });
    expect(fetched.body).toMatchObject({ id, name: body.name, identityGraph: { type: 'pdg' } });

    const patched = await callWithBody(client, 'patchConfigMergePoliciesMergePolicyId', [{ op: 'add', path: '/identityGraph/type', value: 'none' }], { mergePolicyId: id, 'x-profile-instance-id': 'ups' });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ id, identityGraph: { type: 'none' }, version: 2 });

    const deleted = await call(client, 'deleteConfigMergePoliciesMergePolicyId', { mergePolicyId: id });
    expect(deleted.status).toBe(200);
    await expect(call(client, 'getConfigMergePoliciesMergePolicyId', { mergePolicyId: id })).rejects.toThrow(/404/);
  });

  it('segment definitions: create, list, get, patch, bulk-get and delete', async () => {
    const value = 'loyalty.points >= 100';
    const body = { name: 'Library rich', schema: PROFILE, expression: { type: 'PQL', format: 'pql/text', value }, mergePolicyId: BUILT_IN_POLICY, lifecycleState: 'published' };
    const created = await callWithBody(client, 'postSegmentRoute', body);
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ ...body, profileInstanceId: 'ups', imsOrgId: t.config.orgId, dependencies: [] });
    const id = String(created.body.id);
    expect(created.headers['x-location']).toBe(`/segment/definitions/${id}`);

    const listed = await call(client, 'getSegmentsRoute', { limit: 50 });
    expect((listed.body.segments as { id: string }[]).map((segment) => segment.id)).toContain(id);
    const sorted = await call(client, 'getSegmentsRoute', { start: 0, limit: 5, sort: 'name:asc' });
    const names = (sorted.body.segments as { name: string }[]).map((segment) => segment.name);
    expect(names).toEqual([...names].sort());
    const fetched = await call(client, 'getSegmentRoute', { segmentId: id });
    expect(fetched.body).toMatchObject({ id, name: body.name, expression: { value } });

    const patched = await callWithBody(client, 'patchSegmentRoute', { description: 'At least 100 points' }, { segmentId: id, 'Content-Type': 'application/json' });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ id, name: body.name, description: 'At least 100 points' });

    // bulk-get is not in the library's spec (no generated method, nothing to call internally): the same request by hand.
    const bulk = await fetch(`${baseUrl}/data/core/ups/segment/definitions/bulk-get`, {
      method: 'POST', headers: { ...gatewayHeaders, 'content-type': 'application/json' }, body: JSON.stringify({ ids: [{ id }, { id: '00000000-0000-4000-8000-000000000000' }] }),
    });
    expect(bulk.status).toBe(207);
    const results = ((await bulk.json()) as { results: Record<string, { description: string }> }).results;
    expect(Object.keys(results)).toEqual([id]);
    expect(results[id]?.description).toBe('At least 100 points');

    const deleted = await call(client, 'deleteSegmentRoute', { segmentId: id });
    expect(deleted.body).toEqual({ status: true, message: 'Segment definition deleted' });
    await expect(call(client, 'getSegmentRoute', { segmentId: id })).rejects.toThrow(/404/);
  });

  it('segment jobs: create, get, list; export jobs: create, get, list; members computed here', async () => {
    const gold = await callWithBody(client, 'postSegmentRoute', { name: 'Library gold', schema: PROFILE, expression: { type: 'PQL', format: 'pql/text', value: 'loyalty.tier = "gold"' } });
    const goldId = String(gold.body.id);
    const goldMembers = idsOf((row) => row.tier === 'gold');

    // The generated method itself sends no body (library bug 1, after the GETs above): we say what is missing.
    await expect(call(client, 'postSJRRoute', { 'x-profile-instance-id': 'ups' })).rejects.toThrow(/400 .*Request body is empty: send a JSON body/);
    const created = await callWithBody(client, 'postSJRRoute', [{ segmentId: goldId }], { 'x-profile-instance-id': 'ups' });
    expect(created.status).toBe(200);
    const jobId = String(created.body.id);
    expect(created.body).toMatchObject({ source: 'api', profileInstanceId: 'ups', segments: [{ segmentId: goldId }] });
    const done = await untilFinal(() => getSegmentJob(client, jobId));
    expect(done.body.status).toBe('SUCCEEDED');
    expect(done.body.metrics.segmentedProfileCounter).toEqual({ [goldId]: goldMembers.length });
    expect(done.body.metrics.totalProfiles).toBe(CRM_ROWS.length);
    const listed = await call(client, 'getSegmentJobs', { limit: 20 });
    expect((listed.body.children as { id: string }[]).map((job) => job.id)).toContain(jobId);
    const succeeded = await call(client, 'getSegmentJobs', { status: 'SUCCEEDED' });
    expect((succeeded.body.children as { status: string }[]).every((job) => job.status === 'SUCCEEDED')).toBe(true);

    const exportBody = { fields: 'crmId,loyalty.tier', schema: PROFILE, destination: { datasetId: targetId }, filter: { segments: [{ segmentId: goldId }] } };
    const exported = await callWithBody(client, 'postScanJobRoute', exportBody, { 'x-profile-instance-id': 'ups' });
    expect(exported.status).toBe(200);
    expect(exported.body).toMatchObject({ jobType: 'BATCH', fields: 'crmId,loyalty.tier', destination: { datasetId: targetId } });
    const exportId = exported.body.id as number;
    const exportDone = await untilFinal(() => call(client, 'getScanJobRoute', { exportJobId: exportId }));
    expect(exportDone.body.status).toBe('SUCCEEDED');
    expect(exportDone.body.metrics.totalExportedProfileCounter).toBe(goldMembers.length);
    const exports = await call(client, 'getScanJobsRoute', { limit: 10 });
    expect((exports.body.records as { id: number }[]).map((job) => job.id)).toContain(exportId);
  });

  it('schedules: list, get, patch, delete and create again', async () => {
    const listed = await call(client, 'getSchedules');
    expect(listed.status).toBe(200);
    const [schedule] = listed.body.children as { id: string; type: string; schedule: string }[];
    expect(schedule).toMatchObject({ type: 'batch_segmentation', schedule: '0 0 1 * * ?' });
    const id = schedule!.id;
    const fetched = await call(client, 'getScheduleById', { SCHEDULE_ID: id });
    expect(fetched.body).toMatchObject({ id, name: 'profile-default', properties: { segments: ['*'] } });

    const patched = await callWithBody(client, 'updateSchedule', [{ op: 'add', path: '/schedule', value: '0 0 2 * * ?' }, { op: 'add', path: '/state', value: 'inactive' }], { SCHEDULE_ID: id });
    expect(patched.status).toBe(204);
    expect((await call(client, 'getScheduleById', { SCHEDULE_ID: id })).body).toMatchObject({ schedule: '0 0 2 * * ?', state: 'inactive' });

    expect((await call(client, 'deleteSchedule', { SCHEDULE_ID: id })).status).toBe(204);
    expect((await call(client, 'getSchedules')).body.children).toEqual([]);
    const recreated = await callWithBody(client, 'createSchedule', { name: 'nightly', type: 'batch_segmentation', properties: { segments: ['*'] }, schedule: '0 30 3 * * ?' });
    expect(recreated.status).toBe(200);
    expect(recreated.body).toMatchObject({ name: 'nightly', type: 'batch_segmentation', schedule: '0 30 3 * * ?', state: 'inactive' });
  });

  it('cancels a waiting segment job and export job through the library', async () => {
    const rich = await callWithBody(client, 'postSegmentRoute', { name: 'Library cancel', schema: PROFILE, expression: { type: 'PQL', format: 'pql/text', value: 'loyalty.points >= 100' } });
    const richId = String(rich.body.id);
    const first = await callWithBody(client, 'postSJRRoute', [{ segmentId: richId }], { 'x-profile-instance-id': 'ups' });
    expect((await untilFinal(() => getSegmentJob(client, String(first.body.id)))).body.status).toBe('SUCCEEDED');
    await t.runtime.worker.stop(); // nothing runs from here on: new jobs wait
    const waiting = await callWithBody(client, 'postSJRRoute', [{ segmentId: richId }], { 'x-profile-instance-id': 'ups' });
    const cancelled = await call(client, 'deleteSegmentJobsSegmentJobId', { segmentJobId: String(waiting.body.id) });
    expect(cancelled.status).toBe(204);
    expect((await getSegmentJob(client, String(waiting.body.id))).body.status).toBe('CANCELLED');

    const exported = await callWithBody(client, 'postScanJobRoute', { schema: PROFILE, destination: { datasetId: targetId }, filter: { segments: [{ segmentId: richId }] } }, { 'x-profile-instance-id': 'ups' });
    const cancelExport = await call(client, 'cancelScanJobRoute', { exportJobId: exported.body.id });
    expect(cancelExport.body).toEqual({ status: true, message: 'Export job has been marked for cancelling' });
    expect(['CANCELLING', 'CANCELLED']).toContain((await call(client, 'getScanJobRoute', { exportJobId: exported.body.id })).body.status);
  });

  it('preview and estimate: create, poll, read members and the estimate, delete', async () => {
    const members = idsOf((row) => row.points !== null && row.points >= 100).map((crmId) => `CRMID:${crmId}`);
    const created = await callWithBody(client, 'postSessionlessPreviewRoute', {
      predicateExpression: 'loyalty.points >= 100', predicateType: 'pql/text', predicateModel: '_xdm.context.profile', graphType: 'none',
    });
    expect(created.status).toBe(201);
    const previewId = String(created.body.previewId);
    expect(created.headers['x-location']).toBe(`/preview/${previewId}`);

    let results: AdobeResponse | undefined;
    for (let round = 0; round < 200 && results === undefined; round += 1) {
      const read = await call(client, 'getSessionlessPreviewStatusRoute', { previewId, limit: 100 });
      if (read.body.state !== 'RUNNING') results = read;
      else await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(results?.body.state).toBe('RESULT_READY');
    expect((results?.body.results as { entityId: string }[]).map((result) => result.entityId).sort()).toEqual(members);
    expect(results?.body.page.totalCount).toBe(members.length);

    const estimate = await call(client, 'getEstimateStatusRoute', { previewId });
    expect(estimate.body).toMatchObject({
      state: 'RESULT_READY', estimatedSize: members.length, profilesMatchedSoFar: members.length, totalRows: CRM_ROWS.length,
      confidenceInterval: '100%', sampled: false, _links: { preview: `/preview/${previewId}` },
    });
    expect(estimate.body.estimatedNamespaceDistribution).toContainEqual({ namespaceId: 'CRMID', profilesMatchedSoFar: members.length });

    expect((await call(client, 'deleteSessionLessPreviewStatusRoute', { previewId })).status).toBe(204);
    await expect(call(client, 'getEstimateStatusRoute', { previewId })).rejects.toThrow(/404/);
  });
});
