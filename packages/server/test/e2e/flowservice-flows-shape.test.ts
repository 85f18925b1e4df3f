// A dataflow's JSON against Adobe's: the keys and nesting of GET /flows/{id} compared with Adobe's example, deviations listed (SPEC §7.1, §15).
import { beforeAll, expect, it } from 'vitest';
import { flowSuite, keyPaths, profileSelector, seedAudiences, transformParams } from '../support/flow-fixtures.js';
import { describeOnEachStore } from '../support/on-each-store.js';

/** The audience of Adobe's example flow, made a real audience of the suite's sandbox. */
const ADOBE_AUDIENCE = '6eeafdd5-e6db-485a-af30-e663c9b26bff';

const mapping = (path: string) => ({
  sourceType: 'text/x.schema-path', source: path, destination: path, identity: false, primaryIdentity: false, functionVersion: 0,
  sourceAttribute: path, destinationXdmPath: path,
});
const versioned = (id: string) => ({ id, version: '1.0' });
const ATTRIBUTES = ['person.name.firstName', 'person.name.lastName', 'personalEmail.address', 'segmentMembership.status'];

/** The PATCH that last changed Adobe's example (its `lastOperation.ops`), dates moved after the fake clock's today. */
const ADD_AUDIENCE_OPS = [{
  op: 'add', path: '/transformations/0/params/segmentSelectors/selectors/-',
  value: { type: 'PLATFORM_SEGMENT', value: {
    id: ADOBE_AUDIENCE, name: 'Female profile', description: '',
    filenameTemplate: '%DESTINATION_NAME%_%SEGMENT_ID%_%DATETIME(YYYYMMdd_HHmmss)%', exportMode: 'DAILY_FULL_EXPORT',
    schedule: { startDate: '2026-07-20', frequency: 'DAILY', endDate: '2026-07-30', startTime: '21:00', triggerType: 'SCHEDULED' },
  } },
}];

/** reference/examples/destinations/GET_flows_id_response_200_Batch_Flow_Daily_Full_Scheduled.json, condensed. */
const ADOBE_DAILY_FULL_SCHEDULED = { items: [{
  id: 'ca5c6e9a-8559-4a08-97a5-f15b756da600', createdAt: 1658340453699, updatedAt: 1658430188496,
  createdBy: '0A4334FA556585B77F000101@AdobeID', updatedBy: 'acp_foundation_connectors@AdobeID', createdClient: 'exc_app', updatedClient: 'acp_foundation_connectors',
  sandboxId: '6ef74723-3ee7-46a4-b747-233ee7a6a41a', sandboxName: 'sample-platform-sandbox', imsOrgId: '5555467B5D8013E50A494220@AdobeOrg',
  name: 'Documentation S3 Destination', description: 'Documentation S3 Destination',
  flowSpec: versioned('71471eba-b620-49e4-90fd-23f1fa0174d8'), state: 'enabled',
  version: '"04001b6d-0000-0200-0000-62d9a2ec0000"', etag: '"04001b6d-0000-0200-0000-62d9a2ec0000"',
  sourceConnectionIds: ['f3a5e232-eba3-428b-aa69-921d122d5db5'], targetConnectionIds: ['54d575d8-43c9-4d3d-aec5-b033e4189f4a'],
  inheritedAttributes: {
    properties: { isDestinationFlow: true },
    sourceConnections: [{
      id: 'f3a5e232-eba3-428b-aa69-921d122d5db5', connectionSpec: versioned('8a9c3494-9708-43d7-ae3f-cda01e5030e1'),
      baseConnection: { id: 'a9ae9a98-950d-468f-ac28-bc42bcd55d78', connectionSpec: versioned('8a9c3494-9708-43d7-ae3f-cda01e5030e1') },
      typeInfo: { type: 'ProfileFragments', id: 'ups' },
    }],
    targetConnections: [{
      id: '54d575d8-43c9-4d3d-aec5-b033e4189f4a', connectionSpec: versioned('4890fc95-5a1f-4983-94bb-e060c08e3f81'),
      baseConnection: { id: '459779de-6f0a-46dd-9b64-10121316a8d9', connectionSpec: versioned('4890fc95-5a1f-4983-94bb-e060c08e3f81') },
    }],
  },
  transformations: [{ name: 'GeneralTransform', params: {
    profileSelectors: {
      selectors: ATTRIBUTES.map((path) => ({ type: 'JSON_PATH', value: { path, operator: 'EXISTS', mapping: mapping(path) } })),
      mandatoryFields: ['person.name.firstName', 'person.name.lastName'],
      primaryFields: [{ fieldType: 'ATTRIBUTE', attributePath: 'personalEmail.address' }],
    },
    segmentSelectors: { selectors: [{ type: 'PLATFORM_SEGMENT', value: {
      id: ADOBE_AUDIENCE, name: 'Female profile', description: '',
      filenameTemplate: '%DESTINATION_NAME%_%SEGMENT_ID%_%DATETIME(YYYYMMdd_HHmmss)%', exportMode: 'DAILY_FULL_EXPORT',
      schedule: { frequency: 'DAILY', triggerType: 'SCHEDULED', startDate: '2022-07-20', endDate: '2022-07-30', startTime: '21:00' },
      createTime: '1658344069', updateTime: '1658427026',
    } }] },
  } }],
  runs: '/runs?property=flowId==ca5c6e9a-8559-4a08-97a5-f15b756da600',
  lastOperation: {
    started: 1658427025696, updated: 1658427031832, percentCompleted: 100, status: { value: 'completed', properties: null, errors: [] },
    ops: ADD_AUDIENCE_OPS, operation: 'update',
  },
  lastRunDetails: { id: 'daa87aaa-6969-458d-bc41-609c52ebc2b1', state: 'success', startedAtUTC: 1658430155398, completedAtUTC: 1658430160403 },
}] };

describeOnEachStore('Flow Service: a dataflow\'s JSON against Adobe\'s example', (storeEnv) => {
  const suite = flowSuite(storeEnv);
  beforeAll(async () => seedAudiences(suite.t, [ADOBE_AUDIENCE], { names: { [ADOBE_AUDIENCE]: 'Female profile' } }));

  it('has the keys and nesting of Adobe\'s Daily Full Scheduled flow, except the deviations listed here', async () => {
    const { id, etag } = await suite.fs.createFlow(suite.dlz, { name: 'Documentation DLZ Destination', transformations: transformParams({
      profileSelectors: { selectors: ATTRIBUTES.map((path) => profileSelector(path)) },
      mandatoryFields: ['person.name.firstName', 'person.name.lastName'],
      primaryFields: [{ fieldType: 'ATTRIBUTE', attributePath: 'personalEmail.address' }],
    }) });
    const patched = await suite.fs.patchFlow(id, etag, ADD_AUDIENCE_OPS);
    expect(patched.statusCode, patched.body).toBe(200);

    const ours = new Set(keyPaths((await suite.fs.get(`/flows/${id}`)).json()));
    const adobe = new Set(keyPaths(ADOBE_DAILY_FULL_SCHEDULED));
    const params = 'items[].transformations[].params';
    const sourceBase = 'items[].inheritedAttributes.sourceConnections[].baseConnection';
    // SPEC §7.1 and §15 #10: mandatory and primary fields are canonical under params; mappings carry copyModeMapping.
    const onlyOurs = [
      `${params}.mandatoryFields`, `${params}.primaryFields`, `${params}.primaryFields[].fieldType`, `${params}.primaryFields[].attributePath`,
      `${params}.profileSelectors.selectors[].value.mapping.copyModeMapping`,
    ];
    // Adobe's legacy field locations; no base connection for the Profile Store source (SPEC §7.1 example);
    // lastRunDetails absent until the first run (SPEC §7.1).
    const onlyAdobe = [
      `${params}.profileSelectors.mandatoryFields`, `${params}.profileSelectors.primaryFields`,
      `${params}.profileSelectors.primaryFields[].fieldType`, `${params}.profileSelectors.primaryFields[].attributePath`,
      sourceBase, `${sourceBase}.id`, `${sourceBase}.connectionSpec`, `${sourceBase}.connectionSpec.id`, `${sourceBase}.connectionSpec.version`,
      'items[].lastRunDetails', 'items[].lastRunDetails.id', 'items[].lastRunDetails.state', 'items[].lastRunDetails.startedAtUTC',
      'items[].lastRunDetails.completedAtUTC',
    ];
    expect([...ours].filter((path) => !adobe.has(path)).sort()).toEqual(onlyOurs.sort());
    expect([...adobe].filter((path) => !ours.has(path)).sort()).toEqual(onlyAdobe.sort());
  });

  it('gives every value the JSON type of Adobe\'s example (numbers for times, strings for selector times and etags)', async () => {
    const { id, etag } = await suite.fs.createFlow(suite.dlz);
    expect((await suite.fs.patchFlow(id, etag, ADD_AUDIENCE_OPS)).statusCode).toBe(200);
    const flow = await suite.fs.getFlow(id);
    const [adobe] = ADOBE_DAILY_FULL_SCHEDULED.items;
    for (const field of ['createdAt', 'updatedAt', 'etag', 'version', 'state', 'runs'] as const) expect(typeof flow[field], field).toBe(typeof adobe?.[field]);
    expect(flow.etag).toMatch(/^"[^"]+"$/);
    const value = flow.transformations[0].params.segmentSelectors.selectors[0].value;
    expect(value.createTime).toMatch(/^\d{10}$/);
    expect(value.updateTime).toMatch(/^\d{10}$/);
    expect(flow.lastOperation.ops).toEqual(ADD_AUDIENCE_OPS);
    expect(flow.lastOperation.operation).toBe('update');
  });
});
