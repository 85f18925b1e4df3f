// The docs walkthrough, end to end on both stores: SFTP connection → target → source → flow with two audiences → PATCH → disable.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeOnEachStore } from '../support/on-each-store.js';
import { seedFixtureAudiences } from '../support/flow-fixtures.js';
import { createTestApp, type TestApp, type TestCaller } from '../support/with-app.js';

const FS = '/data/foundation/flowservice';
const SFTP_SPEC = '36965a81-b1c6-401b-99f8-22508f1e6a26';
const SFTP_FLOW_SPEC = 'fd36aaa4-bf2b-43fb-9387-43785eeeb799';
const PROFILE_STORE = '8a9c3494-9708-43d7-ae3f-cda01e5030e1';
const AUDIENCE_A = 'db8961e9-d52f-45bc-b3fb-76d0382a6851';
const AUDIENCE_B = '3a1b2c3d-4e5f-4789-abcd-ef0123456789';

describeOnEachStore('Flow Service walkthrough', (storeEnv) => {
  let t: TestApp;
  let admin: TestCaller;
  const json = (extra: Record<string, string> = {}) => admin.headers({ 'content-type': 'application/json', ...extra });
  const post = async (path: string, body: unknown) => t.inject({ method: 'POST', url: `${FS}${path}`, headers: json(), payload: JSON.stringify(body) });

  beforeAll(async () => {
    t = await createTestApp(await storeEnv());
    await seedFixtureAudiences(t);
    admin = await t.caller({ admin: true });
  });
  afterAll(async () => t.close());

  it('creates an SFTP flow with two audiences, patches a schedule with the etag, and disables it', async () => {
    const base = await post('/connections', {
      name: 'Acme SFTP', auth: { specName: 'Basic Authentication for sftp', params: { domain: 'sftp.example.com', username: 'acme', password: 'hunter2-very-secret' } },
      connectionSpec: { id: SFTP_SPEC, version: '1.0' },
    });
    expect(base.statusCode, base.body).toBe(201);
    const baseId = base.json().id as string;
    expect(base.json().etag).toMatch(/^"[0-9a-f-]{36}"$/);

    const shown = (await t.inject({ method: 'GET', url: `${FS}/connections/${baseId}`, headers: admin.headers() })).json().items[0];
    expect(shown.auth).toEqual({ specName: 'Basic Authentication for sftp', params: { domain: 'sftp.example.com', port: 22, username: 'acme', password: '********' } });

    const target = await post('/targetConnections', {
      name: 'Acme SFTP – CRM', baseConnectionId: baseId, connectionSpec: { id: SFTP_SPEC, version: '1.0' },
      params: { path: 'exports/%SEGMENT_NAME%', fileType: 'CSV', compression: 'GZIP' },
    });
    expect(target.statusCode, target.body).toBe(201);
    const source = await post('/sourceConnections', { name: 'Profile Store', connectionSpec: { id: PROFILE_STORE, version: '1.0' } });
    expect(source.statusCode, source.body).toBe(201);

    const schedule = (startTime: string) => ({ frequency: 'DAILY', triggerType: 'SCHEDULED', startDate: '2026-02-01', startTime });
    const flow = await post('/flows', {
      name: 'Acme CRM exports', flowSpec: { id: SFTP_FLOW_SPEC, version: '1.0' },
      sourceConnectionIds: [source.json().id], targetConnectionIds: [target.json().id],
      transformations: [{ name: 'GeneralTransform', params: { segmentSelectors: { selectors: [
        { type: 'PLATFORM_SEGMENT', value: { id: AUDIENCE_A, name: 'Flash sale VIP', exportMode: 'DAILY_FULL_EXPORT', schedule: schedule('06:00') } },
        { type: 'PLATFORM_SEGMENT', value: { id: AUDIENCE_B, name: 'Lapsed buyers', exportMode: 'DAILY_FULL_EXPORT', schedule: schedule('07:00') } },
      ] } } }],
    });
    expect(flow.statusCode, flow.body).toBe(201);
    const flowId = flow.json().id as string;

    const got = (await t.inject({ method: 'GET', url: `${FS}/flows/${flowId}`, headers: admin.headers() })).json().items[0];
    expect(got.state).toBe('enabled');
    expect(got.etag).toBe(flow.json().etag);
    const selectors = got.transformations[0].params.segmentSelectors.selectors;
    expect(selectors.map((s: { value: { id: string } }) => s.value.id)).toEqual([AUDIENCE_A, AUDIENCE_B]);
    expect(selectors[0].value.schedule).toEqual(schedule('06:00'));
    expect(got.runs).toBe(`/runs?property=flowId==${flowId}`);
    expect(got.lastRunDetails).toBeUndefined();

    const patchPath = '/transformations/0/params/segmentSelectors/selectors/0/value/schedule/startTime';
    const stale = await t.inject({ method: 'PATCH', url: `${FS}/flows/${flowId}`, headers: json({ 'if-match': '"00000000-0000-0000-0000-000000000000"' }), payload: JSON.stringify([{ op: 'replace', path: patchPath, value: '08:30' }]) });
    expect(stale.statusCode).toBe(412);
    const patched = await t.inject({ method: 'PATCH', url: `${FS}/flows/${flowId}`, headers: json({ 'if-match': got.etag }), payload: JSON.stringify([{ op: 'replace', path: patchPath, value: '08:30' }]) });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json().etag).not.toBe(got.etag);
    const after = (await t.inject({ method: 'GET', url: `${FS}/flows/${flowId}`, headers: admin.headers() })).json().items[0];
    expect(after.transformations[0].params.segmentSelectors.selectors[0].value.schedule.startTime).toBe('08:30');

    const disabled = await t.inject({ method: 'POST', url: `${FS}/flows/${flowId}/action?op=disable`, headers: admin.headers() });
    expect(disabled.statusCode, disabled.body).toBe(200);
    expect((await t.inject({ method: 'GET', url: `${FS}/flows/${flowId}`, headers: admin.headers() })).json().items[0].state).toBe('disabled');
  });
});
