// Dataflow creation (SPEC §7.1, §7.2) on both stores: the 201 answer, the full flow object, Adobe's shape, and the create rules.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SANDBOXES } from '../support/e2e-expectations.js';
import {
  AUDIENCE, FLOW_SPEC, FUTURE_DATE, SPEC, T0, expectFlowError, expectValidationProblems, flowClient, profileSelector,
  schedule, segmentSelector, storedProfileSelector, transformParams, type FlowClient, type FlowConnections, seedFixtureAudiences,
} from '../support/flow-fixtures.js';
import { describeOnEachStore } from '../support/on-each-store.js';
import { createTestApp, type TestApp, type TestCaller } from '../support/with-app.js';

const ETAG = /^"[0-9a-f-]{36}"$/;
const T0_SECONDS = String(T0 / 1000);

describeOnEachStore('Flow Service: creating dataflows', (storeEnv) => {
  let t: TestApp;
  let admin: TestCaller;
  let fs: FlowClient;
  let dlz: FlowConnections;
  let prodId: string;

  beforeAll(async () => {
    t = await createTestApp(await storeEnv());
    await seedFixtureAudiences(t);
    admin = await t.caller({ admin: true });
    fs = flowClient(t, admin);
    dlz = await fs.dlzConnections();
    prodId = (await t.inject({ method: 'GET', url: `${SANDBOXES}/prod`, headers: admin.headers() })).json().id;
  });
  afterAll(async () => t.close());

  it('answers 201 with exactly the new id and a quoted etag', async () => {
    const res = await fs.post('/flows', fs.flowBody(dlz));
    expect(res.statusCode, res.body).toBe(201);
    expect(Object.keys(res.json()).sort()).toEqual(['etag', 'id']);
    expect(res.json().id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(res.json().etag).toMatch(ETAG);
  });

  it('returns every field of SPEC §7.1 for a new flow, wrapped in items', async () => {
    const template = '%DESTINATION_NAME%_%SEGMENT_ID%_%DATETIME(YYYYMMdd_HHmmss)%';
    const { id, etag } = await fs.createFlow(dlz, {
      name: 'Acme DLZ – CRM exports', description: 'CRM audiences',
      transformations: transformParams({
        segmentSelectors: { selectors: [segmentSelector(AUDIENCE.vip, {
          name: 'Flash sale VIP', filenameTemplate: template, schedule: schedule({ startDate: '2026-01-20', endDate: '2026-03-01' }),
        })] },
        profileSelectors: { selectors: [profileSelector('identityMap.Email'), profileSelector('person.name.firstName'), profileSelector('segmentMembership.status')] },
        mandatoryFields: ['Email'],
        primaryFields: [{ fieldType: 'IDENTITY', identityNamespace: 'Email' }],
      }),
    });
    const res = await fs.get(`/flows/${id}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    const versionSpec = (specId: string) => ({ id: specId, version: '1.0' });
    expect(res.json()).toEqual({ items: [{
      id, createdAt: T0, updatedAt: T0, createdBy: admin.clientId, updatedBy: admin.clientId, createdClient: admin.clientId, updatedClient: admin.clientId,
      sandboxId: prodId, sandboxName: 'prod', imsOrgId: 'ACTIVATOR@Org',
      name: 'Acme DLZ – CRM exports', description: 'CRM audiences',
      flowSpec: versionSpec(FLOW_SPEC.dlz), state: 'enabled', version: etag, etag,
      sourceConnectionIds: [dlz.sourceId], targetConnectionIds: [dlz.targetId],
      inheritedAttributes: {
        properties: { isDestinationFlow: true },
        sourceConnections: [{ id: dlz.sourceId, connectionSpec: versionSpec(SPEC.profileStore), typeInfo: { type: 'ProfileFragments', id: 'ups' } }],
        targetConnections: [{ id: dlz.targetId, connectionSpec: versionSpec(SPEC.dlz), baseConnection: { id: dlz.baseId, connectionSpec: versionSpec(SPEC.dlz) } }],
      },
      transformations: [{ name: 'GeneralTransform', params: {
        segmentSelectors: { selectors: [{ type: 'PLATFORM_SEGMENT', value: {
          id: AUDIENCE.vip, name: 'Flash sale VIP', description: '', filenameTemplate: template, exportMode: 'DAILY_FULL_EXPORT',
          schedule: { frequency: 'DAILY', triggerType: 'SCHEDULED', startDate: '2026-01-20', endDate: '2026-03-01', startTime: '06:00' },
          createTime: T0_SECONDS, updateTime: T0_SECONDS,
        } }] },
        profileSelectors: { selectors: [
          storedProfileSelector('identityMap.Email', 'Email', true),
          storedProfileSelector('person.name.firstName', 'person.name.firstName'),
          storedProfileSelector('segmentMembership.status', 'segmentMembership.status'),
        ] },
        mandatoryFields: ['Email'],
        primaryFields: [{ fieldType: 'IDENTITY', identityNamespace: 'Email' }],
      } }],
      runs: `/runs?property=flowId==${id}`,
      // SPEC §7.1 shows lastOperation after a PATCH; for a create it is the create itself, with no ops.
      lastOperation: { started: T0, updated: T0, percentCompleted: 100, status: { value: 'completed', properties: null, errors: [] }, ops: [], operation: 'create' },
    }] });
  });

  it('refuses a body carrying state with FLOW-1410-400', async () => {
    const res = await fs.post('/flows', fs.flowBody(dlz, { state: 'enabled' }));
    expectFlowError(res, 'FLOW-1410-400', 'State is not allowed in create flow request');
  });

  it('refuses a body without a name, naming the field', async () => {
    expectValidationProblems(await fs.post('/flows', fs.flowBody(dlz, { name: undefined })), [['name']]);
  });

  it('refuses two target connections, naming targetConnectionIds', async () => {
    const second = await fs.dlzTarget(dlz.baseId, 'Second target');
    expectValidationProblems(await fs.post('/flows', fs.flowBody(dlz, { targetConnectionIds: [dlz.targetId, second] })), [['targetConnectionIds']]);
  });

  it('refuses a target connection that does not exist in the sandbox, naming targetConnectionIds', async () => {
    const unknown = 'e609bd68-ef20-41f8-910d-7a8a4b177954';
    expectValidationProblems(await fs.post('/flows', fs.flowBody(dlz, { targetConnectionIds: [unknown] })), [['targetConnectionIds', unknown]]);
  });

  it('answers FLOW-1460-400 when the flow spec does not allow the target\'s connection spec', async () => {
    const res = await fs.post('/flows', fs.flowBody(dlz, { flowSpec: { id: FLOW_SPEC.s3, version: '1.0' } }));
    expectFlowError(res, 'FLOW-1460-400', 'Please provide a valid spec id');
  });

  it('answers FLOW-1460-400 for an unknown flow spec', async () => {
    const res = await fs.post('/flows', fs.flowBody(dlz, { flowSpec: { id: '00000000-0000-4000-8000-000000000000', version: '1.0' } }));
    expectFlowError(res, 'FLOW-1460-400', 'Please provide a valid spec id');
  });

  it('accepts Adobe\'s generic batch flow spec for a landing-zone target', async () => {
    const res = await fs.post('/flows', fs.flowBody(dlz, { flowSpec: { id: '71471eba-b620-49e4-90fd-23f1fa0174d8', version: '1.0' } }));
    expect(res.statusCode, res.body).toBe(201);
  });

  it('stores the empty GeneralTransform when transformations is absent or empty', async () => {
    const empty = [{ name: 'GeneralTransform', params: { segmentSelectors: { selectors: [] }, profileSelectors: { selectors: [] }, mandatoryFields: [], primaryFields: [] } }];
    for (const transformations of [undefined, []]) {
      const { id } = await fs.createFlow(dlz, { transformations });
      expect((await fs.getFlow(id)).transformations).toEqual(empty);
    }
  });

  it('accepts "General Transform" and returns it as GeneralTransform', async () => {
    const { id } = await fs.createFlow(dlz, { transformations: [{ name: 'General Transform', params: { segmentSelectors: { selectors: [segmentSelector(AUDIENCE.vip)] } } }] });
    const flow = await fs.getFlow(id);
    expect(flow.transformations).toHaveLength(1);
    expect(flow.transformations[0].name).toBe('GeneralTransform');
    expect(flow.transformations[0].params.segmentSelectors.selectors[0].value.id).toBe(AUDIENCE.vip);
  });

  it('accepts the fileNameTemplate alias and returns it as filenameTemplate', async () => {
    const template = '%DESTINATION%_%SEGMENT_NAME%_%SEGMENT_ID%_%TIMESTAMP%';
    const { id } = await fs.createFlow(dlz, { transformations: transformParams({ segmentSelectors: { selectors: [segmentSelector(AUDIENCE.vip, { fileNameTemplate: template })] } }) });
    const value = (await fs.getFlow(id)).transformations[0].params.segmentSelectors.selectors[0].value;
    expect(value.filenameTemplate).toBe(template);
    expect(value).not.toHaveProperty('fileNameTemplate');
  });

  it('leaves filenameTemplate out when none is given (the default name of SPEC §8.3 applies)', async () => {
    const { id } = await fs.createFlow(dlz, { transformations: transformParams({ segmentSelectors: { selectors: [segmentSelector(AUDIENCE.vip)] } }) });
    expect((await fs.getFlow(id)).transformations[0].params.segmentSelectors.selectors[0].value).not.toHaveProperty('filenameTemplate');
  });

  it('does not store startTime for AFTER_SEGMENT_EVAL and defaults triggerType to SCHEDULED', async () => {
    const { id } = await fs.createFlow(dlz, { transformations: transformParams({ segmentSelectors: { selectors: [
      segmentSelector(AUDIENCE.vip, { schedule: { frequency: 'DAILY', triggerType: 'AFTER_SEGMENT_EVAL', startDate: FUTURE_DATE, startTime: '06:00' } }),
      segmentSelector(AUDIENCE.lapsed, { schedule: { frequency: 'WEEKLY', startDate: FUTURE_DATE, startTime: '07:30' } }),
    ] } }) });
    const selectors = (await fs.getFlow(id)).transformations[0].params.segmentSelectors.selectors;
    expect(selectors[0].value.schedule).toEqual({ frequency: 'DAILY', triggerType: 'AFTER_SEGMENT_EVAL', startDate: FUTURE_DATE });
    expect(selectors[1].value.schedule).toEqual({ frequency: 'WEEKLY', triggerType: 'SCHEDULED', startDate: FUTURE_DATE, startTime: '07:30' });
  });

  it('ignores createTime and updateTime sent by the client and sets both to the creation time in epoch seconds', async () => {
    const { id } = await fs.createFlow(dlz, { transformations: transformParams({ segmentSelectors: { selectors: [
      segmentSelector(AUDIENCE.vip, { createTime: '1000', updateTime: '2000' }),
    ] } }) });
    const value = (await fs.getFlow(id)).transformations[0].params.segmentSelectors.selectors[0].value;
    expect([value.createTime, value.updateTime]).toEqual([T0_SECONDS, T0_SECONDS]);
  });

  it('maps an identity namespace with the namespace code as its column, mandatory and deduplication key', async () => {
    const { id } = await fs.createFlow(dlz, { transformations: transformParams({
      profileSelectors: { selectors: [profileSelector('person.name.lastName'), profileSelector('xdm: identityMap.Email')] },
    }) });
    const params = (await fs.getFlow(id)).transformations[0].params;
    expect(params.profileSelectors.selectors).toEqual([
      storedProfileSelector('person.name.lastName', 'person.name.lastName'), storedProfileSelector('identityMap.Email', 'Email', true),
    ]);
    expect(params.mandatoryFields).toEqual(['Email']);
    expect(params.primaryFields).toEqual([{ fieldType: 'IDENTITY', identityNamespace: 'Email' }]);
  });

  it('moves mandatory and primary fields sent in the legacy profileSelectors location to params', async () => {
    const { id } = await fs.createFlow(dlz, { transformations: [{ name: 'GeneralTransform', params: {
      profileSelectors: {
        selectors: [profileSelector('person.name.firstName'), profileSelector('personalEmail.address')],
        mandatoryFields: ['person.name.firstName'],
        primaryFields: [{ fieldType: 'ATTRIBUTE', attributePath: 'personalEmail.address' }],
      },
    } }] });
    const params = (await fs.getFlow(id)).transformations[0].params;
    expect(params.mandatoryFields).toEqual(['person.name.firstName']);
    expect(params.primaryFields).toEqual([{ fieldType: 'ATTRIBUTE', attributePath: 'personalEmail.address' }]);
    expect(Object.keys(params.profileSelectors)).toEqual(['selectors']);
  });
});
