// Audience rules across objects on both stores: inSegment references, dataflow mappings, merge policies, permissions, sandbox isolation.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { flowClient, missingPermissionsOf, segmentSelector, transformParams, type FlowClient, type FlowConnections } from '../support/flow-fixtures.js';
import { describeOnEachStore } from '../support/on-each-store.js';
import {
  audienceBody, BUILT_IN_POLICY, createSegmentationDatasets, DEFINITIONS, expectUpsError, PROFILE_SCHEMA, segmentClient, VALIDATE,
  type SegmentClient,
} from '../support/segment-client.js';
import { createTestApp, type TestApp } from '../support/with-app.js';

const POLICIES = '/data/core/ups/config/mergePolicies';
const PERMISSION_MESSAGE =
  'You do not have sufficient permissions to perform the operation. Please contact your administrator to resolve permissions and try again.';
const withAudiences = (...ids: string[]) => transformParams({ segmentSelectors: { selectors: ids.map((id) => segmentSelector(id, { name: 'sent by the client' })) } });

describeOnEachStore('audience rules', (storeEnv) => {
  let t: TestApp;
  let ups: SegmentClient;
  let fs: FlowClient;
  let dlz: FlowConnections;

  beforeAll(async () => {
    t = await createTestApp(await storeEnv());
    const admin = await t.caller({ admin: true });
    ups = segmentClient(t, admin);
    fs = flowClient(t, admin);
    dlz = await fs.dlzConnections();
    await createSegmentationDatasets(ups);
  });
  afterAll(async () => t.close());

  it('records inSegment dependencies and diagnoses unknown audiences, cycles and merge policy mismatches at save', async () => {
    const base = await ups.create('Base', 'loyalty.points > 10');
    const user = await ups.create('Uses base', `inSegment("${base.id}") and loyalty.tier = "gold"`);
    expect(user.dependencies).toEqual([base.id]);
    const diagnosticsOf = (response: Awaited<ReturnType<SegmentClient['call']>>) =>
      (expectUpsError(response, 400, ['Invalid PQL expression']).diagnostics as { code: string; message: string }[]).map((d) => [d.code, d.message]);

    const unknown = '0f0f0f0f-0000-4000-8000-000000000000';
    expect(diagnosticsOf(await ups.call('POST', DEFINITIONS, audienceBody('Unknown ref', `inSegment("${unknown}")`))))
      .toEqual([['PQL-UNKNOWN-SEGMENT', `unknown audience "${unknown}"`]]);
    const cycle = await ups.patch(base.id, { expression: { type: 'PQL', format: 'pql/text', value: `inSegment("${user.id}")` } });
    expect(diagnosticsOf(cycle)).toEqual([['PQL-CYCLE', `inSegment cycle: ${base.id} -> ${user.id} -> ${base.id}`]]);
    expect(diagnosticsOf(await ups.patch(base.id, { expression: { type: 'PQL', format: 'pql/text', value: `inSegment("${base.id}")` } })))
      .toEqual([['PQL-CYCLE', `inSegment cycle: ${base.id} -> ${base.id}`]]);

    const policy = await ups.call('POST', POLICIES, { name: 'Stitched', schema: PROFILE_SCHEMA, identityGraph: { type: 'pdg' }, attributeMerge: { type: 'timestampOrdered' } });
    const policyId = policy.json<{ id: string }>().id;
    expect(diagnosticsOf(await ups.call('POST', DEFINITIONS, audienceBody('Other policy', `inSegment("${base.id}")`, { mergePolicyId: policyId }))))
      .toEqual([['PQL-MERGE-POLICY-MISMATCH', `audience "${base.id}" uses merge policy ${BUILT_IN_POLICY}`]]);
    const validated = await ups.call('POST', VALIDATE, { expression: { type: 'PQL', format: 'pql/text', value: `inSegment("${base.id}")` }, mergePolicyId: policyId });
    expect(validated.json()).toMatchObject({ valid: false, dependencies: [base.id], diagnostics: [{ code: 'PQL-MERGE-POLICY-MISMATCH' }] });
    expectUpsError(await ups.patch(base.id, { mergePolicyId: policyId }), 400, [`Audiences ${user.id} reference this audience through inSegment with another merge policy; an audience and the audiences it is used by must share one merge policy`]);
  });

  it('refuses to delete an audience referenced by inSegment or mapped in a dataflow, naming the users', async () => {
    const base = await ups.create('Delete base', 'loyalty.points > 20');
    const user = await ups.create('Delete user', `inSegment("${base.id}")`);
    const { id: flowId } = await fs.createFlow(dlz, { name: 'Delete guard flow', transformations: withAudiences(base.id) });
    expectUpsError(await ups.call('DELETE', `${DEFINITIONS}/${base.id}`), 400, ['The audience cannot be deleted.', `It is used by: ${flowId}, ${user.id}`]);
    expect((await ups.call('DELETE', `${DEFINITIONS}/${user.id}`)).statusCode).toBe(200);
    expectUpsError(await ups.call('DELETE', `${DEFINITIONS}/${base.id}`), 400, ['The audience cannot be deleted.', `It is used by: ${flowId}`]);
    const removed = await t.inject({ method: 'DELETE', url: `/data/foundation/flowservice/flows/${flowId}`, headers: fs.json() });
    expect(removed.statusCode, removed.body).toBe(202);
    expect((await ups.call('DELETE', `${DEFINITIONS}/${base.id}`)).statusCode).toBe(200);
  });

  it('lets dataflows map only published audiences of the sandbox, under the audience\'s current name; a mapped audience cannot become inactive', async () => {
    const published = await ups.create('Published for flows', 'loyalty.points > 30', { description: 'the audience description' });
    const draft = await ups.create('Draft for flows', 'loyalty.points > 31', { lifecycleState: 'draft' });
    const { id } = await fs.createFlow(dlz, { name: 'Mapped flow', transformations: withAudiences(published.id) });
    const selector = (await fs.getFlow(id)).transformations[0].params.segmentSelectors.selectors[0].value;
    expect([selector.id, selector.name, selector.description]).toEqual([published.id, 'Published for flows', 'the audience description']);
    expect((await ups.patch(published.id, { name: 'Renamed for flows', description: null })).statusCode).toBe(200);
    const refreshed = (await fs.getFlow(id)).transformations[0].params.segmentSelectors.selectors[0].value;
    expect([refreshed.name, refreshed.description]).toEqual(['Renamed for flows', '']);
    const listed = (await fs.get(`/flows?property=id==${id}`)).json<{ items: { transformations: { params: { segmentSelectors: { selectors: { value: { name: string } }[] } } }[] }[] }>();
    expect(listed.items[0]?.transformations[0]?.params.segmentSelectors.selectors[0]?.value.name).toBe('Renamed for flows');
    const refused = await fs.post('/flows', fs.flowBody(dlz, { name: 'Draft flow', transformations: withAudiences(draft.id) }));
    expect(refused.statusCode).toBe(400);
    expect(refused.json().errorMessage).toBe(`segmentSelectors.selectors[0].value.id ${draft.id} is not a published audience of this sandbox`);
    expectUpsError(await ups.patch(published.id, { lifecycleState: 'inactive' }), 400, [`The audience is mapped in dataflows ${id}; remove it from them before making it inactive`]);
    const inactive = await ups.create('Inactive for flows', 'loyalty.points > 32');
    expect((await ups.patch(inactive.id, { lifecycleState: 'inactive' })).statusCode).toBe(200);
    expect((await fs.post('/flows', fs.flowBody(dlz, { name: 'Inactive flow', transformations: withAudiences(inactive.id) }))).statusCode).toBe(400);
  });

  it('refuses to delete a merge policy while an audience uses it, and allows it afterwards', async () => {
    const policy = (await ups.call('POST', POLICIES, { name: 'In use', schema: PROFILE_SCHEMA, identityGraph: { type: 'none' }, attributeMerge: { type: 'timestampOrdered' } })).json<{ id: string }>();
    const audience = await ups.create('On the policy', 'loyalty.points > 40', { mergePolicyId: policy.id });
    expect(audience.mergePolicyId).toBe(policy.id);
    expectUpsError(await ups.call('DELETE', `${POLICIES}/${policy.id}`), 400, [`Merge policy ${policy.id} is used by audiences ${audience.id}: give them another merge policy or delete them first`]);
    expect((await ups.call('DELETE', `${DEFINITIONS}/${audience.id}`)).statusCode).toBe(200);
    expect((await ups.call('DELETE', `${POLICIES}/${policy.id}`)).statusCode).toBe(200);
  });

  it('enforces SPEC §2.3: View Segments to read and validate, Manage Segments to change, View Merge Policies to name a merge policy', async () => {
    const roles = t.runtime.services.roles;
    await roles.create({ name: 'Segment readers', permissions: ['View Segments'], sandboxes: ['prod'] });
    await roles.create({ name: 'Segment writers', permissions: ['Manage Segments'], sandboxes: ['prod'] });
    await roles.create({ name: 'Policy readers', permissions: ['View Merge Policies'], sandboxes: ['prod'] });
    const reader = segmentClient(t, await t.caller({ roles: ['Segment readers'], name: 'reader' }));
    const writer = segmentClient(t, await t.caller({ roles: ['Segment writers'], name: 'writer' }));
    const outsider = segmentClient(t, await t.caller({ roles: ['Policy readers'], name: 'outsider' }));
    const existing = await ups.create('Permission target', 'loyalty.points > 50');
    const forbidden = (response: Awaited<ReturnType<SegmentClient['call']>>, missing: string[]) => {
      expectUpsError(response, 403, [PERMISSION_MESSAGE]);
      expect(missingPermissionsOf(response)).toEqual(missing);
    };

    expect((await reader.call('GET', `${DEFINITIONS}/${existing.id}`)).statusCode).toBe(200);
    expect((await reader.call('POST', VALIDATE, { expression: existing.expression })).statusCode).toBe(200);
    forbidden(await reader.call('POST', DEFINITIONS, audienceBody('Reader made', 'true')), ['Manage Segments']);
    forbidden(await reader.patch(existing.id, { name: 'x' }), ['Manage Segments']);
    forbidden(await reader.call('DELETE', `${DEFINITIONS}/${existing.id}`), ['Manage Segments']);
    for (const [method, url, body] of [['GET', DEFINITIONS], ['GET', `${DEFINITIONS}/${existing.id}`], ['POST', `${DEFINITIONS}/bulk-get`, { ids: [] }], ['POST', VALIDATE, { expression: existing.expression }]] as const) {
      forbidden(await outsider.call(method, url, body), ['View Segments']);
    }
    expect((await writer.call('POST', DEFINITIONS, audienceBody('Writer made', 'loyalty.points > 1'))).statusCode).toBe(200);
    forbidden(await writer.call('POST', DEFINITIONS, audienceBody('Writer policy', 'loyalty.points > 1', { mergePolicyId: BUILT_IN_POLICY })), ['View Merge Policies']);
    forbidden(await writer.patch(existing.id, { mergePolicyId: BUILT_IN_POLICY }), ['View Merge Policies']);
  });

  it('keeps audiences of another sandbox out of reach: 404, left out of bulk-get, unknown to inSegment and to dataflows', async () => {
    expect((await ups.call('POST', '/data/foundation/sandbox-management/sandboxes', { name: 'iso-dev', title: 'iso', type: 'development' })).statusCode).toBe(201);
    await createSegmentationDatasets(ups, 'iso-dev');
    const theirs = await ups.create('Dev only', 'loyalty.points > 60', {}, 'iso-dev');
    expect(theirs.sandbox.sandboxName).toBe('iso-dev');
    const notFound = [`Segment definition ${theirs.id} not found`];
    expectUpsError(await ups.call('GET', `${DEFINITIONS}/${theirs.id}`), 404, notFound);
    expectUpsError(await ups.patch(theirs.id, { name: 'hijack' }), 404, notFound);
    expectUpsError(await ups.call('DELETE', `${DEFINITIONS}/${theirs.id}`), 404, notFound);
    expect((await ups.call('POST', `${DEFINITIONS}/bulk-get`, { ids: [{ id: theirs.id }] })).json()).toEqual({ results: {} });
    expect((await ups.call('POST', VALIDATE, { expression: { type: 'PQL', format: 'pql/text', value: `inSegment("${theirs.id}")` } })).json())
      .toMatchObject({ valid: false, diagnostics: [{ code: 'PQL-UNKNOWN-SEGMENT' }] });
    expect((await fs.post('/flows', fs.flowBody(dlz, { name: 'Cross sandbox', transformations: withAudiences(theirs.id) }))).statusCode).toBe(400);
    expect((await ups.call('GET', `${DEFINITIONS}/${theirs.id}`, undefined, 'iso-dev')).json()).toEqual(theirs);
    // The same name is free in every sandbox.
    expect((await ups.call('POST', DEFINITIONS, audienceBody('Dev only', 'loyalty.points > 60'))).statusCode).toBe(200);
  });
});
