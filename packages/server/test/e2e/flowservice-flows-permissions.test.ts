// Who may change what in a dataflow (SPEC §2.3 PATCH rules, §1.2 row 11) on both stores: audiences, mapping, identity namespaces, metadata.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PERMISSION_MESSAGE } from '../support/e2e-expectations.js';
import {
  AUDIENCE, expectFlowError, flowClient, missingPermissionsOf, profileSelector, segmentSelector, transformParams,
  type FlowClient, type FlowConnections, seedFixtureAudiences,
} from '../support/flow-fixtures.js';
import { describeOnEachStore } from '../support/on-each-store.js';
import { createTestApp, type TestApp } from '../support/with-app.js';

const SEGMENTS = '/transformations/0/params/segmentSelectors/selectors';
const PROFILES = '/transformations/0/params/profileSelectors/selectors';

describeOnEachStore('Flow Service: permissions on dataflows', (storeEnv) => {
  let t: TestApp;
  let admin: FlowClient;
  let dlz: FlowConnections;
  /** Activate Segment without Mapping + View Segments + View Destinations. */
  let audienceOnly: FlowClient;
  /** Activate Destinations + View Profiles + View Destinations (no View Identity Graph). */
  let mapper: FlowClient;
  /** The same plus View Identity Graph. */
  let identityMapper: FlowClient;
  let readOnly: FlowClient;
  /** Manage Destinations + View Destinations only. */
  let manager: FlowClient;

  beforeAll(async () => {
    t = await createTestApp(await storeEnv());
    await seedFixtureAudiences(t);
    admin = flowClient(t, await t.caller({ admin: true }));
    dlz = await admin.dlzConnections();
    const roles = t.runtime.services.roles;
    await roles.create({ name: 'Audience activators', permissions: ['Activate Segment without Mapping', 'View Segments', 'View Destinations'], sandboxes: ['prod'] });
    await roles.create({ name: 'Mappers', permissions: ['Activate Destinations', 'View Profiles', 'View Destinations'], sandboxes: ['prod'] });
    await roles.create({ name: 'Identity graph viewers', permissions: ['View Identity Graph'], sandboxes: ['prod'] });
    await roles.create({ name: 'Destination managers', permissions: ['Manage Destinations', 'View Destinations'], sandboxes: ['prod'] });
    audienceOnly = flowClient(t, await t.caller({ roles: ['Audience activators'], name: 'audience-only' }));
    mapper = flowClient(t, await t.caller({ roles: ['Mappers'], name: 'mapper' }));
    identityMapper = flowClient(t, await t.caller({ roles: ['Mappers', 'Identity graph viewers'], name: 'identity-mapper' }));
    readOnly = flowClient(t, await t.caller({ roles: ['Read only'], name: 'reader' }));
    manager = flowClient(t, await t.caller({ roles: ['Destination managers'], name: 'manager' }));
  });
  afterAll(async () => t.close());

  const createFlow = (params: Record<string, unknown> = {}) => admin.createFlow(dlz, { transformations: transformParams(params) });

  /** A 403 of SPEC §1.2 row 11 in the flow envelope, listing exactly these missing permissions. */
  function expectForbidden(res: Awaited<ReturnType<FlowClient['get']>>, missing: string[]): void {
    expectFlowError(res, 'FLOW-2120-403', PERMISSION_MESSAGE);
    expect(missingPermissionsOf(res)).toEqual([...missing].sort());
  }

  it('lets Activate Segment without Mapping + View Segments add, change and remove audiences', async () => {
    const { id, etag } = await createFlow();
    const added = await audienceOnly.patchFlow(id, etag, [{ op: 'add', path: `${SEGMENTS}/-`, value: segmentSelector(AUDIENCE.vip) }]);
    expect(added.statusCode, added.body).toBe(200);
    const changed = await audienceOnly.patchFlow(id, added.json().etag, [{ op: 'replace', path: `${SEGMENTS}/0/value/schedule/startTime`, value: '09:15' }]);
    expect(changed.statusCode, changed.body).toBe(200);
    const removed = await audienceOnly.patchFlow(id, changed.json().etag, [{ op: 'remove', path: `${SEGMENTS}/0` }]);
    expect(removed.statusCode, removed.body).toBe(200);
    expect((await audienceOnly.getFlow(id)).updatedBy).toBe(audienceOnly.caller.clientId);
  });

  it('refuses /name to that role with 403 listing Manage Destinations, and changes nothing', async () => {
    const { id, etag } = await createFlow();
    expectForbidden(await audienceOnly.patchFlow(id, etag, [{ op: 'replace', path: '/name', value: 'Renamed' }]), ['Manage Destinations']);
    expect((await admin.getFlow(id)).etag).toBe(etag);
  });

  it('refuses a mixed PATCH (audience + name) to that role as a whole', async () => {
    const { id, etag } = await createFlow();
    const res = await audienceOnly.patchFlow(id, etag, [
      { op: 'add', path: `${SEGMENTS}/-`, value: segmentSelector(AUDIENCE.vip) }, { op: 'replace', path: '/description', value: 'x' },
    ]);
    expectForbidden(res, ['Manage Destinations']);
    expect((await admin.getFlow(id)).transformations[0].params.segmentSelectors.selectors).toEqual([]);
  });

  it('refuses profile selectors to that role with 403 listing Activate Destinations and View Profiles', async () => {
    const { id, etag } = await createFlow();
    expectForbidden(await audienceOnly.patchFlow(id, etag, [{ op: 'add', path: `${PROFILES}/-`, value: profileSelector('person.name.firstName') }]),
      ['Activate Destinations', 'View Profiles']);
  });

  it('refuses mandatory and primary fields to that role alike', async () => {
    const { id, etag } = await createFlow({ profileSelectors: { selectors: [profileSelector('person.name.firstName')] } });
    expectForbidden(await audienceOnly.patchFlow(id, etag, [{ op: 'add', path: '/transformations/0/params/mandatoryFields/-', value: 'person.name.firstName' }]),
      ['Activate Destinations', 'View Profiles']);
    expectForbidden(await audienceOnly.patchFlow(id, etag, [{
      op: 'replace', path: '/transformations/0/params/primaryFields', value: [{ fieldType: 'ATTRIBUTE', attributePath: 'person.name.firstName' }],
    }]), ['Activate Destinations', 'View Profiles']);
  });

  it('lets Activate Destinations + View Profiles map attributes', async () => {
    const { id, etag } = await createFlow();
    const res = await mapper.patchFlow(id, etag, [{ op: 'add', path: `${PROFILES}/-`, value: profileSelector('person.name.firstName') }]);
    expect(res.statusCode, res.body).toBe(200);
  });

  it('requires View Identity Graph to map an identity namespace newly', async () => {
    const { id, etag } = await createFlow();
    const op = [{ op: 'add', path: `${PROFILES}/-`, value: profileSelector('identityMap.Email') }];
    expectForbidden(await mapper.patchFlow(id, etag, op), ['View Identity Graph']);
    expect((await identityMapper.patchFlow(id, etag, op)).statusCode).toBe(200);
  });

  it('does not require View Identity Graph for changes to a flow whose namespace was mapped before', async () => {
    const { id, etag } = await createFlow({ profileSelectors: { selectors: [profileSelector('identityMap.Email')] } });
    const res = await mapper.patchFlow(id, etag, [{ op: 'add', path: `${PROFILES}/-`, value: profileSelector('person.name.lastName') }]);
    expect(res.statusCode, res.body).toBe(200);
  });

  it('requires View Identity Graph to replace the mapped namespace by another', async () => {
    const { id, etag } = await createFlow({ profileSelectors: { selectors: [profileSelector('identityMap.Email')] } });
    const res = await mapper.patchFlow(id, etag, [{ op: 'replace', path: `${PROFILES}/0/value/path`, value: 'identityMap.Phone' }]);
    expectForbidden(res, ['View Identity Graph']);
  });

  it('lets Read only list and read flows but not create, patch, enable or delete them', async () => {
    const { id, etag } = await createFlow();
    expect((await readOnly.get('/flows')).statusCode).toBe(200);
    expect((await readOnly.getFlow(id)).id).toBe(id);
    expectForbidden(await readOnly.post('/flows', readOnly.flowBody(dlz)), ['Manage Destinations']);
    const patch = await readOnly.patchFlow(id, etag, [{ op: 'add', path: `${SEGMENTS}/-`, value: segmentSelector(AUDIENCE.vip) }]);
    expect(patch.statusCode, patch.body).toBe(403);
    expectForbidden(await t.inject({ method: 'POST', url: `/data/foundation/flowservice/flows/${id}/action?op=disable`, headers: readOnly.caller.headers() }), ['Manage Destinations']);
    expectForbidden(await t.inject({ method: 'DELETE', url: `/data/foundation/flowservice/flows/${id}`, headers: readOnly.caller.headers() }), ['Manage Destinations']);
    expect((await admin.getFlow(id)).etag).toBe(etag);
  });

  it('lets Manage Destinations create a flow without selectors and rename it', async () => {
    const res = await manager.post('/flows', manager.flowBody(dlz));
    expect(res.statusCode, res.body).toBe(201);
    expect((await manager.patchFlow(res.json().id, res.json().etag, [{ op: 'replace', path: '/name', value: 'Managed' }])).statusCode).toBe(200);
  });

  it('applies the PATCH rules to selectors in a create body: Manage Destinations alone cannot add audiences or mapping', async () => {
    const before = (await admin.get('/flows?count=true')).json();
    const withAudience = manager.flowBody(dlz, { transformations: transformParams({ segmentSelectors: { selectors: [segmentSelector(AUDIENCE.vip)] } }) });
    const audienceRes = await manager.post('/flows', withAudience);
    expectFlowError(audienceRes, 'FLOW-2120-403', PERMISSION_MESSAGE);
    expect(missingPermissionsOf(audienceRes)).toContain('View Segments');
    const withMapping = manager.flowBody(dlz, { transformations: transformParams({ profileSelectors: { selectors: [profileSelector('person.name.firstName')] } }) });
    expectForbidden(await manager.post('/flows', withMapping), ['Activate Destinations', 'View Profiles']);
    expect((await admin.get('/flows?count=true')).json()).toEqual(before);
  });
});
