// Tests of the AEP flow edge: parsing create bodies and patched documents, rendering SPEC §7.1, Adobe's own examples.

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkFlowDefinition } from '../../domain/flows/flow-rules.js';
import type { Flow, FlowDefinition } from '../../domain/flows/flow-types.js';
import { hasStateField, parseFlowDocument, renderFlowDocument, type FlowRenderContext } from './flow-mapper.js';
import { applyJsonPatch } from './json-patch.js';
import { examplesDir } from '../../../test/support/reference-examples.js';

/** 2025-01-07 05:00 UTC. */
const NOW = Date.UTC(2025, 0, 7, 5, 0);

/** The flow of SPEC §7.1. */
const SPEC_FLOW: Flow = {
  id: 'ef2dcbd6-36fc-49a3-afed-d7b8e8f724eb', sandboxId: '6ef74723-3ee7-46a4-b747-233ee7a6a41a', state: 'enabled',
  etag: '"0503aab5-0000-0200-0000-63756cd10000"', createdAt: 1736154000000, updatedAt: 1736157600000, createdBy: 'ana@example.com',
  updatedBy: 'ana@example.com', createdClient: 'activator-ui', updatedClient: 'activator-ui',
  lastOperation: { operation: 'update', started: 1736157600000, updated: 1736157600020, ops: ['…last PATCH ops…'] },
  name: 'Acme S3 – CRM exports', description: '', flowSpecId: '1a0514a6-33d4-4c7f-aff8-594799c47549',
  sourceConnectionId: 'aacb95f5-e451-4db6-bd72-de9845f9b1d0', targetConnectionId: 'e609bd68-ef20-41f8-910d-7a8a4b177954', labels: [],
  audiences: [{
    segmentId: 'db8961e9-d52f-45bc-b3fb-76d0382a6851', name: 'Flash sale VIP', description: '',
    filenameTemplate: '%DESTINATION_NAME%_%SEGMENT_ID%_%DATETIME(YYYYMMdd_HHmmss)%', exportMode: 'DAILY_FULL_EXPORT',
    schedule: { frequency: 'DAILY', triggerType: 'SCHEDULED', startDate: '2025-01-07', endDate: '2025-03-01', startTime: '06:00' },
    addedAt: 1736154000000, updatedAt: 1736157600000,
  }],
  columns: [
    { source: 'identityMap.Email', destination: 'Email', identity: true },
    { source: 'person.name.firstName', destination: 'person.name.firstName', identity: false },
    { source: 'segmentMembership.status', destination: 'segmentMembership.status', identity: false },
  ],
  mandatoryFields: ['Email'],
  dedupKey: { kind: 'identity', namespace: 'Email' },
};

const SPEC_CONTEXT: FlowRenderContext = {
  sandboxName: 'prod', orgId: 'ACTIVATOR@Org',
  sourceConnection: { id: 'aacb95f5-e451-4db6-bd72-de9845f9b1d0', connectionSpecId: '8a9c3494-9708-43d7-ae3f-cda01e5030e1' },
  targetConnection: {
    id: 'e609bd68-ef20-41f8-910d-7a8a4b177954', connectionSpecId: '4fce964d-3f37-408f-9778-e597338a21ee',
    baseConnectionId: '77eeb629-5ffd-4d2b-a8e6-1c7a8e4b2f3d', baseConnectionSpecId: '4fce964d-3f37-408f-9778-e597338a21ee',
  },
  lastRun: { id: '88d6da63-dc97-460e-b781-fc795a7386d9', state: 'success', startedAt: 1736244000412, completedAt: 1736244014908 },
};

/** SPEC §7.1, copied by hand: the oracle for values and field order. */
const SPEC_JSON = `{
  "id": "ef2dcbd6-36fc-49a3-afed-d7b8e8f724eb", "createdAt": 1736154000000, "updatedAt": 1736157600000,
  "createdBy": "ana@example.com", "updatedBy": "ana@example.com", "createdClient": "activator-ui", "updatedClient": "activator-ui",
  "sandboxId": "6ef74723-3ee7-46a4-b747-233ee7a6a41a", "sandboxName": "prod", "imsOrgId": "ACTIVATOR@Org",
  "name": "Acme S3 – CRM exports", "description": "",
  "flowSpec": {"id": "1a0514a6-33d4-4c7f-aff8-594799c47549", "version": "1.0"},
  "state": "enabled", "version": "\\"0503aab5-0000-0200-0000-63756cd10000\\"", "etag": "\\"0503aab5-0000-0200-0000-63756cd10000\\"",
  "sourceConnectionIds": ["aacb95f5-e451-4db6-bd72-de9845f9b1d0"], "targetConnectionIds": ["e609bd68-ef20-41f8-910d-7a8a4b177954"],
  "inheritedAttributes": {"properties": {"isDestinationFlow": true},
    "sourceConnections": [{"id": "aacb95f5-e451-4db6-bd72-de9845f9b1d0", "connectionSpec": {"id": "8a9c3494-9708-43d7-ae3f-cda01e5030e1", "version": "1.0"}, "typeInfo": {"type": "ProfileFragments", "id": "ups"}}],
    "targetConnections": [{"id": "e609bd68-ef20-41f8-910d-7a8a4b177954", "connectionSpec": {"id": "4fce964d-3f37-408f-9778-e597338a21ee", "version": "1.0"},
                           "baseConnection": {"id": "77eeb629-5ffd-4d2b-a8e6-1c7a8e4b2f3d", "connectionSpec": {"id": "4fce964d-3f37-408f-9778-e597338a21ee", "version": "1.0"}}}]},
  "transformations": [{"name": "GeneralTransform", "params": {
    "segmentSelectors": {"selectors": [{"type": "PLATFORM_SEGMENT", "value": {
        "id": "db8961e9-d52f-45bc-b3fb-76d0382a6851", "name": "Flash sale VIP", "description": "",
        "filenameTemplate": "%DESTINATION_NAME%_%SEGMENT_ID%_%DATETIME(YYYYMMdd_HHmmss)%",
        "exportMode": "DAILY_FULL_EXPORT",
        "schedule": {"frequency": "DAILY", "triggerType": "SCHEDULED", "startDate": "2025-01-07", "endDate": "2025-03-01", "startTime": "06:00"},
        "createTime": "1736154000", "updateTime": "1736157600"}}]},
    "profileSelectors": {"selectors": [
      {"type": "JSON_PATH", "value": {"path": "identityMap.Email", "operator": "EXISTS", "mapping": {"sourceType": "text/x.schema-path", "source": "identityMap.Email", "destination": "Email", "identity": true, "primaryIdentity": false, "functionVersion": 0, "copyModeMapping": false, "sourceAttribute": "identityMap.Email", "destinationXdmPath": "Email"}}},
      {"type": "JSON_PATH", "value": {"path": "person.name.firstName", "operator": "EXISTS", "mapping": {"sourceType": "text/x.schema-path", "source": "person.name.firstName", "destination": "person.name.firstName", "identity": false, "primaryIdentity": false, "functionVersion": 0, "copyModeMapping": false, "sourceAttribute": "person.name.firstName", "destinationXdmPath": "person.name.firstName"}}},
      {"type": "JSON_PATH", "value": {"path": "segmentMembership.status", "operator": "EXISTS", "mapping": {"sourceType": "text/x.schema-path", "source": "segmentMembership.status", "destination": "segmentMembership.status", "identity": false, "primaryIdentity": false, "functionVersion": 0, "copyModeMapping": false, "sourceAttribute": "segmentMembership.status", "destinationXdmPath": "segmentMembership.status"}}}]},
    "mandatoryFields": ["Email"],
    "primaryFields": [{"fieldType": "IDENTITY", "identityNamespace": "Email"}]}}],
  "runs": "/runs?property=flowId==ef2dcbd6-36fc-49a3-afed-d7b8e8f724eb",
  "lastRunDetails": {"id": "88d6da63-dc97-460e-b781-fc795a7386d9", "state": "success", "startedAtUTC": 1736244000412, "completedAtUTC": 1736244014908},
  "lastOperation": {"started": 1736157600000, "updated": 1736157600020, "percentCompleted": 100, "status": {"value": "completed", "properties": null, "errors": []}, "ops": ["…last PATCH ops…"], "operation": "update"}}`;

/** The definition part of a stored flow. */
function definitionOf(flow: Flow): FlowDefinition {
  const { name, description, flowSpecId, sourceConnectionId, targetConnectionId, labels, audiences, columns, mandatoryFields, dedupKey } = flow;
  return { name, description, flowSpecId, sourceConnectionId, targetConnectionId, labels, audiences, columns, mandatoryFields, dedupKey };
}

/** The create body of SPEC §7.2 with `transformations[0].params` replaced. */
function createBody(params: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'Acme S3 – CRM exports', description: '', flowSpec: { id: '1a0514a6-33d4-4c7f-aff8-594799c47549', version: '1.0' },
    sourceConnectionIds: ['aacb95f5-e451-4db6-bd72-de9845f9b1d0'], targetConnectionIds: ['e609bd68-ef20-41f8-910d-7a8a4b177954'],
    transformations: [{ name: 'GeneralTransform', params }], ...extra,
  };
}

const SEGMENT = (value: Record<string, unknown>) => ({ type: 'PLATFORM_SEGMENT', value: {
  id: 'db8961e9-d52f-45bc-b3fb-76d0382a6851', exportMode: 'DAILY_FULL_EXPORT',
  schedule: { frequency: 'DAILY', startDate: '2025-01-08', startTime: '06:00' }, ...value,
} });

function parse(params: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return parseFlowDocument(createBody(params, extra), { now: NOW });
}

describe('renderFlowDocument', () => {
  it('renders the flow of SPEC §7.1 exactly, field order included', () => {
    expect(JSON.stringify(renderFlowDocument(SPEC_FLOW, SPEC_CONTEXT))).toBe(JSON.stringify(JSON.parse(SPEC_JSON)));
  });

  it('omits lastRunDetails before the first run, and completedAtUTC while a run is active', () => {
    expect(renderFlowDocument(SPEC_FLOW, { ...SPEC_CONTEXT, lastRun: undefined })).not.toHaveProperty('lastRunDetails');
    expect(renderFlowDocument(SPEC_FLOW, { ...SPEC_CONTEXT, lastRun: { id: 'r1', state: 'inProgress', startedAt: 5 } }).lastRunDetails)
      .toStrictEqual({ id: 'r1', state: 'inProgress', startedAtUTC: 5 });
  });

  it('renders labels after description only when the flow has labels', () => {
    expect(Object.keys(renderFlowDocument({ ...SPEC_FLOW, labels: ['C1'] }, SPEC_CONTEXT)).slice(11, 14)).toEqual(['description', 'labels', 'flowSpec']);
    expect(renderFlowDocument(SPEC_FLOW, SPEC_CONTEXT)).not.toHaveProperty('labels');
  });

  it('renders attribute dedup keys and omits absent template, end date and start time', () => {
    const flow: Flow = {
      ...SPEC_FLOW, columns: SPEC_FLOW.columns.slice(1), mandatoryFields: [], dedupKey: { kind: 'attributes', paths: ['person.name.firstName', 'segmentMembership.status'] },
      audiences: [{ segmentId: 'a1', name: 'A', description: 'd', exportMode: 'DAILY_FULL_EXPORT', schedule: { frequency: 'ONCE', triggerType: 'AFTER_SEGMENT_EVAL', startDate: '2025-01-08' }, addedAt: 1999, updatedAt: 2000 }],
    };
    const params = (renderFlowDocument(flow, SPEC_CONTEXT).transformations as { params: Record<string, unknown> }[])[0]?.params;
    expect(params?.primaryFields).toEqual([{ fieldType: 'ATTRIBUTE', attributePath: 'person.name.firstName' }, { fieldType: 'ATTRIBUTE', attributePath: 'segmentMembership.status' }]);
    expect(params?.segmentSelectors).toStrictEqual({ selectors: [{ type: 'PLATFORM_SEGMENT', value: {
      id: 'a1', name: 'A', description: 'd', exportMode: 'DAILY_FULL_EXPORT', schedule: { frequency: 'ONCE', triggerType: 'AFTER_SEGMENT_EVAL', startDate: '2025-01-08' },
      createTime: '1', updateTime: '2',
    } }] });
  });
});

describe('parseFlowDocument', () => {
  it('gives back the definition of a rendered flow (round trip)', () => {
    for (const flow of [SPEC_FLOW, { ...SPEC_FLOW, labels: ['C1', 'C2'], dedupKey: undefined, mandatoryFields: [], columns: [], audiences: [] }]) {
      expect(parseFlowDocument(renderFlowDocument(flow, SPEC_CONTEXT), { now: NOW, previous: flow })).toEqual({ definition: definitionOf(flow), problems: [] });
    }
  });

  it('reads the create body of SPEC §7.2 as an empty flow', () => {
    expect(parse({ segmentSelectors: { selectors: [] }, profileSelectors: { selectors: [] }, mandatoryFields: [], primaryFields: [] })).toEqual({
      problems: [],
      definition: {
        name: 'Acme S3 – CRM exports', description: '', flowSpecId: '1a0514a6-33d4-4c7f-aff8-594799c47549', sourceConnectionId: 'aacb95f5-e451-4db6-bd72-de9845f9b1d0',
        targetConnectionId: 'e609bd68-ef20-41f8-910d-7a8a4b177954', labels: [], audiences: [], columns: [], mandatoryFields: [], dedupKey: undefined,
      },
    });
  });

  it.each([['absent', undefined], ['empty', []]])('treats %s transformations as the empty default', (_title, transformations) => {
    const { definition, problems } = parseFlowDocument({ ...createBody({}), transformations }, { now: NOW });
    expect(problems).toEqual([]);
    expect(definition).toMatchObject({ audiences: [], columns: [], mandatoryFields: [], dedupKey: undefined });
  });

  it('accepts "General Transform", the fileNameTemplate alias, ups/AEPSegments namespaces and ignores systemSegmentId and input times', () => {
    const { definition, problems } = parseFlowDocument({ ...createBody({}), transformations: [{ name: 'General Transform', params: { segmentSelectors: { selectors: [
      SEGMENT({ fileNameTemplate: '%DESTINATION%_%SEGMENT_ID%', namespace: 'ups', systemSegmentId: 'x', createTime: '1', updateTime: '2', enrichmentInfo: {} }),
      SEGMENT({ id: 'a2', namespace: 'AEPSegments', schedule: { frequency: 'DAILY', triggerType: 'AFTER_SEGMENT_EVAL', startDate: '2025-01-08', startTime: '06:00' } }),
    ] } } }] }, { now: NOW });
    expect(problems).toEqual([]);
    expect(definition.audiences).toStrictEqual([
      { segmentId: 'db8961e9-d52f-45bc-b3fb-76d0382a6851', name: '', description: '', filenameTemplate: '%DESTINATION%_%SEGMENT_ID%', exportMode: 'DAILY_FULL_EXPORT',
        schedule: { frequency: 'DAILY', triggerType: 'SCHEDULED', startDate: '2025-01-08', startTime: '06:00' }, addedAt: NOW, updatedAt: NOW },
      { segmentId: 'a2', name: '', description: '', exportMode: 'DAILY_FULL_EXPORT',
        schedule: { frequency: 'DAILY', triggerType: 'AFTER_SEGMENT_EVAL', startDate: '2025-01-08' }, addedAt: NOW, updatedAt: NOW },
    ]);
  });

  it('reads profile selectors in the input form, tolerating "xdm: " and ignoring mapping.source and sourceAttribute', () => {
    const selectors = [
      { type: 'JSON_PATH', value: { path: 'xdm: identityMap.Email' } },
      { type: 'JSON_PATH', value: { path: 'person.name.lastName', mapping: { destination: 'xdm: lastName', source: 'segmentMembership.status', sourceAttribute: 'x' } } },
      { type: 'JSON_PATH', value: { path: 'xdm: segmentMembership.ups.a1.status' } },
    ];
    expect(parse({ profileSelectors: { selectors } }).definition.columns).toEqual([
      { source: 'identityMap.Email', destination: 'Email', identity: true },
      { source: 'person.name.lastName', destination: 'lastName', identity: false },
      { source: 'segmentMembership.ups.a1.status', destination: 'segmentMembership.status', identity: false },
    ]);
  });

  it('reads mandatory and primary fields from params, and from the legacy profileSelectors location in preference', () => {
    const canonical = { mandatoryFields: ['a'], primaryFields: [{ fieldType: 'ATTRIBUTE', attributePath: 'a' }] };
    expect(parse(canonical).definition).toMatchObject({ mandatoryFields: ['a'], dedupKey: { kind: 'attributes', paths: ['a'] } });
    const legacy = { ...canonical, profileSelectors: { selectors: [], mandatoryFields: ['b'], primaryFields: [{ fieldType: 'IDENTITY', identityNamespace: 'Email' }] } };
    expect(parse(legacy).definition).toMatchObject({ mandatoryFields: ['b'], dedupKey: { kind: 'identity', namespace: 'Email' } });
  });

  it('keeps the timestamps of unchanged audiences and stamps changed and new ones with now', () => {
    const stored = SPEC_FLOW.audiences[0];
    const doc = createBody({ segmentSelectors: { selectors: [
      { type: 'PLATFORM_SEGMENT', value: { ...stored, id: stored?.segmentId, name: 'renamed' } },
      { type: 'PLATFORM_SEGMENT', value: { ...stored, id: 'a2' } },
    ] } });
    const unchanged = parseFlowDocument(doc, { now: NOW, previous: SPEC_FLOW }).definition.audiences;
    expect(unchanged.map((a) => [a.addedAt, a.updatedAt])).toEqual([[1736154000000, 1736157600000], [NOW, NOW]]);
    const later = { ...stored, id: stored?.segmentId, schedule: { ...stored?.schedule, startTime: '07:00' } };
    const changed = parseFlowDocument(createBody({ segmentSelectors: { selectors: [{ type: 'PLATFORM_SEGMENT', value: later }] } }), { now: NOW, previous: SPEC_FLOW });
    expect(changed.definition.audiences.map((a) => [a.addedAt, a.updatedAt])).toEqual([[1736154000000, NOW]]);
  });

  it.each<[string, Record<string, unknown>, Record<string, unknown>, string[]]>([
    ['a second source connection', {}, { sourceConnectionIds: ['s1', 's2'] }, ['sourceConnectionIds must hold exactly one connection id']],
    ['no target connection', {}, { targetConnectionIds: [] }, ['targetConnectionIds must hold exactly one connection id']],
    ['a numeric name and non-string labels', {}, { name: 5, labels: [1] }, ['name must be a string', 'labels must be an array of strings']],
    ['another transformation', {}, { transformations: [{ name: 'Mapping', params: {} }] }, ['transformations[0].name must be GeneralTransform']],
    ['a Data Prep mapping set', { profileMapping: { mappingId: 'm1', mappingVersion: 0 } }, {},
      ['profileMapping is not supported (Data Prep mapping sets), map columns with profileSelectors and leave profileMapping absent or {}']],
    ['another audience type', { segmentSelectors: { selectors: [{ type: 'EXTERNAL_SEGMENT', value: {} }] } }, {},
      ['segmentSelectors.selectors[0].type must be PLATFORM_SEGMENT, got "EXTERNAL_SEGMENT"']],
    ['an external audience namespace', { segmentSelectors: { selectors: [SEGMENT({ namespace: 'aamSegments' })] } }, {},
      ['segmentSelectors.selectors[0].value.namespace "aamSegments" is not supported, only Platform audiences (ups, AEPSegments) can be exported']],
    ['enrichment', { segmentSelectors: { selectors: [SEGMENT({ enrichmentInfo: { enabled: true } })] } }, {},
      ['segmentSelectors.selectors[0].value.enrichmentInfo is not supported (external audiences and enrichment attributes are not available)']],
    ['a CHAINED schedule', { segmentSelectors: { selectors: [SEGMENT({ schedule: { frequency: 'CHAINED', startDate: '2025-01-08', startTime: '06:00' } })] } }, {},
      ['segmentSelectors.selectors[0].value.schedule.frequency CHAINED is not supported, use frequency ONCE or DAILY with triggerType AFTER_SEGMENT_EVAL to export after each segment evaluation']],
    ['an unknown export mode, judging the schedule too', { segmentSelectors: { selectors: [SEGMENT({ exportMode: 'INCREMENTAL', schedule: { frequency: 'DAILY', startDate: '2025-01-08', startTime: 7 } })] } }, {}, [
      'segmentSelectors.selectors[0].value.exportMode must be DAILY_FULL_EXPORT or FIRST_FULL_THEN_INCREMENTAL, got "INCREMENTAL"',
      'segmentSelectors.selectors[0].value.schedule.startTime must be HH:mm (00:00–23:59), got "7"',
    ]],
    ['a missing schedule', { segmentSelectors: { selectors: [SEGMENT({ schedule: undefined })] } }, {}, ['segmentSelectors.selectors[0].value.schedule is required']],
    ['a profile selector of another type', { profileSelectors: { selectors: [{ type: 'XPATH', value: { path: 'a' } }] } }, {},
      ['profileSelectors.selectors[0].type must be JSON_PATH, got "XPATH"']],
    ['selectors that are not an array', { profileSelectors: { selectors: {} } }, {}, ['profileSelectors.selectors must be an array']],
    ['mixed dedup key fields', { primaryFields: [{ fieldType: 'IDENTITY', identityNamespace: 'Email' }, { fieldType: 'ATTRIBUTE', attributePath: 'a' }] }, {},
      ['primaryFields must not mix IDENTITY and ATTRIBUTE fields']],
  ])('refuses %s', (_title, params, extra, problems) => {
    expect(parse(params, extra).problems).toEqual(problems);
  });

  it('refuses a document that is not an object', () => {
    expect(parseFlowDocument([], { now: NOW }).problems).toEqual(['The flow must be a JSON object']);
  });
});

describe('hasStateField', () => {
  it.each([[{ state: 'enabled' }, true], [{ state: null }, true], [{ name: 'x' }, false], [null, false], ['state', false]])('judges %j as %s', (doc, expected) => {
    expect(hasStateField(doc)).toBe(expected);
  });
});

const EXAMPLES = examplesDir('destinations');
const readExample = (file: string): unknown => JSON.parse(readFileSync(path.join(EXAMPLES, file), 'utf8'));

describe.skipIf(!existsSync(EXAMPLES))('Adobe reference examples (skipped when ACTIVATOR_REFERENCE_DIR/examples/destinations is absent)', () => {
  it.each([
    'POST_flows_request_Create_Batch_Destination_Flow.json',
    'POST_flows_request_Create_Batch_Destination_Flow_Segment_V2.json',
    // A dataset flow: its body parses; its flow spec is refused by the flow service (FLOW-1460-400).
    'POST_flows_request_Create_Batch_Destination_Flow_Dataset_V2.json',
  ])('parses the create body %s without problems', (file) => {
    expect(parseFlowDocument(readExample(file), { now: NOW }).problems).toEqual([]);
  });

  it.each<[string, string[]]>([
    ['Batch_Flow_Daily_Full_Scheduled', []],
    ['Batch_Flow_Daily_Full_Chained', []],
    ['Batch_Flow_Daily_Full_Once_Chained', []],
    ['Batch_Flow_Daily_Full_Once_Scheduled', []],
    ['Batch_Flow_First_Full_Then_Incremental_DAILY', []],
    ['Batch_Flow_First_Full_Then_Incremental_EVERY_3_HOURS', []],
    ['Batch_Flow_Profile_Mapping_And_Identities_V2', ['profileMapping is not supported (Data Prep mapping sets), map columns with profileSelectors and leave profileMapping absent or {}']],
    ['Batch_Flow_External_Audience_Profile_Mapping_And_Identities', [
      'profileMapping is not supported (Data Prep mapping sets), map columns with profileSelectors and leave profileMapping absent or {}',
      'segmentSelectors.selectors[0].value.namespace "aamSegments" is not supported, only Platform audiences (ups, AEPSegments) can be exported',
    ]],
  ])('parses the flow of GET %s as a patched document', (name, problems) => {
    const flow = (readExample(`GET_flows_id_response_200_${name}.json`) as { items: unknown[] }).items[0];
    expect(parseFlowDocument(flow, { now: NOW }).problems).toEqual(problems);
  });

  describe('PATCH bodies applied to a stored flow', () => {
    const JULY_21_2022 = Date.UTC(2022, 6, 21);
    const stored: Flow = {
      ...SPEC_FLOW, audiences: [], mandatoryFields: ['personalEmail.address'], dedupKey: { kind: 'attributes', paths: ['personalEmail.address'] },
      columns: ['loyalty.points', 'personalEmail.address', 'segmentMembership.status'].map((source) => ({ source, destination: source, identity: false })),
    };
    const NOT_MAPPED_GAID = 'mandatoryFields[0] GAID must be a mapped attribute path or the mapped identity namespace';

    it.each<[string, string[], string[]]>([
      ['Add_Profile_Selectors', [], []],
      ['Batch_Flow_Daily_Full_Once_Scheduled', [], []],
      ['Update_Source_Connection', [], []],
      ['Patch_Mandatory_Fields', [], [NOT_MAPPED_GAID]],
      ['Patch_Primary_Fields', [], ['primaryFields[0].identityNamespace GAID must be mapped in profileSelectors as identityMap.GAID']],
      ['Batch_Flow_Daily_Full_Once_Chained', ['segmentSelectors.selectors[0].value.schedule.frequency CHAINED is not supported, use frequency ONCE or DAILY with triggerType AFTER_SEGMENT_EVAL to export after each segment evaluation'], []],
      ['Batch_Flow_External_Audience_Daily_Full_Once_Scheduled', ['segmentSelectors.selectors[0].value.namespace "aamSegments" is not supported, only Platform audiences (ups, AEPSegments) can be exported'], []],
      ['Batch_Flow_Enrichment_Info_Daily_Full_Once_Scheduled', [
        'segmentSelectors.selectors[0].value.namespace "aamSegments" is not supported, only Platform audiences (ups, AEPSegments) can be exported',
        'segmentSelectors.selectors[0].value.enrichmentInfo is not supported (external audiences and enrichment attributes are not available)',
      ], []],
      ['Patch_Profile_Mapping', ['profileMapping is not supported (Data Prep mapping sets), map columns with profileSelectors and leave profileMapping absent or {}'], []],
      // Update_Dataset_Schedule patches /scheduleParams, a path the PATCH route refuses (FLOW-1455-400) before any parsing.
    ])('%s', (name, parseProblems, ruleProblems) => {
      const patched = applyJsonPatch(renderFlowDocument(stored, SPEC_CONTEXT), readExample(`PATCH_flows_id_request_${name}.json`));
      const { definition, problems } = parseFlowDocument(patched, { now: JULY_21_2022, previous: stored });
      expect(problems).toEqual(parseProblems);
      expect(checkFlowDefinition(definition, { now: JULY_21_2022, previous: stored }).problems).toEqual(ruleProblems);
    });

    it('Add_Profile_Selectors appends two columns and removes the first', () => {
      const patched = applyJsonPatch(renderFlowDocument(stored, SPEC_CONTEXT), readExample('PATCH_flows_id_request_Add_Profile_Selectors.json'));
      expect(parseFlowDocument(patched, { now: JULY_21_2022, previous: stored }).definition.columns.map((column) => column.source))
        .toEqual(['personalEmail.address', 'segmentMembership.status', 'person.name.firstName', 'person.name.lastName']);
    });
  });

  it('renders the same keys at every level as GET Batch_Flow_Daily_Full_Scheduled, apart from the listed differences', () => {
    const reference = (readExample('GET_flows_id_response_200_Batch_Flow_Daily_Full_Scheduled.json') as { items: unknown[] }).items[0];
    const flow: Flow = {
      ...SPEC_FLOW, mandatoryFields: ['person.name.firstName'], dedupKey: { kind: 'attributes', paths: ['personalEmail.address'] },
      columns: ['person.name.firstName', 'personalEmail.address'].map((source) => ({ source, destination: source, identity: false })),
    };
    const ours = keyPaths(renderFlowDocument(flow, SPEC_CONTEXT));
    const theirs = keyPaths(reference);
    const params = 'transformations[].params';
    // AEP shows the source's base connection and the legacy location of mandatory/primary fields; we do not produce them.
    expect([...theirs].filter((key) => !ours.has(key)).sort()).toEqual([
      'inheritedAttributes.sourceConnections[].baseConnection',
      'inheritedAttributes.sourceConnections[].baseConnection.connectionSpec',
      'inheritedAttributes.sourceConnections[].baseConnection.connectionSpec.id',
      'inheritedAttributes.sourceConnections[].baseConnection.connectionSpec.version',
      'inheritedAttributes.sourceConnections[].baseConnection.id',
      `${params}.profileSelectors.mandatoryFields`,
      `${params}.profileSelectors.primaryFields`,
      `${params}.profileSelectors.primaryFields[].attributePath`,
      `${params}.profileSelectors.primaryFields[].fieldType`,
    ]);
    // SPEC §7.1 puts them under params (SPEC §15 deviation 10) and shows copyModeMapping.
    expect([...ours].filter((key) => !theirs.has(key)).sort()).toEqual([
      `${params}.mandatoryFields`,
      `${params}.primaryFields`,
      `${params}.primaryFields[].attributePath`,
      `${params}.primaryFields[].fieldType`,
      `${params}.profileSelectors.selectors[].value.mapping.copyModeMapping`,
    ]);
  });
});

/** Every object key path of a JSON value (`a.b[].c`); the client's own patch ops under lastOperation.ops are skipped. */
function keyPaths(value: unknown, prefix = '', into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    for (const item of value) keyPaths(item, `${prefix}[]`, into);
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, child] of Object.entries(value)) {
      const keyPath = prefix === '' ? key : `${prefix}.${key}`;
      into.add(keyPath);
      if (keyPath !== 'lastOperation.ops') keyPaths(child, keyPath, into);
    }
  }
  return into;
}
