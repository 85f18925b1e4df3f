// Dataflow guardrails (SPEC §7.2, §14): soft limits answer with warnings; the per-sandbox dataflow limit refuses with FLOW-1470-400.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOXES } from '../support/e2e-expectations.js';
import {
  audienceId, expectFlowError, flowClient, profileSelector, segmentSelector, transformParams, type FlowClient, type FlowConnections, seedFixtureAudiences,
} from '../support/flow-fixtures.js';
import { describeOnEachStore } from '../support/on-each-store.js';
import { createTestApp, type TestApp, type TestCaller } from '../support/with-app.js';

const audiences = (count: number) => ({ segmentSelectors: { selectors: Array.from({ length: count }, (_, i) => segmentSelector(audienceId(i + 1))) } });

describeOnEachStore('Flow Service: soft guardrails (ACTIVATOR_WARN_AUDIENCES_PER_FLOW=2, ACTIVATOR_WARN_MAPPED_ATTRIBUTES=2)', (storeEnv) => {
  let t: TestApp;
  let fs: FlowClient;
  let dlz: FlowConnections;

  beforeAll(async () => {
    t = await createTestApp({ ...(await storeEnv()), ACTIVATOR_WARN_AUDIENCES_PER_FLOW: '2', ACTIVATOR_WARN_MAPPED_ATTRIBUTES: '2' });
    await seedFixtureAudiences(t);
    fs = flowClient(t, await t.caller({ admin: true }));
    dlz = await fs.dlzConnections();
  });
  afterAll(async () => t.close());

  it('answers a create at the audience limit with only id and etag', async () => {
    const res = await fs.post('/flows', fs.flowBody(dlz, { transformations: transformParams(audiences(2)) }));
    expect(res.statusCode, res.body).toBe(201);
    expect(Object.keys(res.json()).sort()).toEqual(['etag', 'id']);
  });

  it('accepts a create above the audience limit with 201 and one warning naming the count and the limit', async () => {
    const res = await fs.post('/flows', fs.flowBody(dlz, { transformations: transformParams(audiences(3)) }));
    expect(res.statusCode, res.body).toBe(201);
    expect(Object.keys(res.json()).sort()).toEqual(['etag', 'id', 'warnings']);
    expect(res.json().warnings).toEqual([expect.stringMatching(/\b3\b.*\b2\b/)]);
    expect((await fs.getFlow(res.json().id)).transformations[0].params.segmentSelectors.selectors).toHaveLength(3);
  });

  it('answers a PATCH that goes above the audience limit with 200 and the warning', async () => {
    const { id, etag } = await fs.createFlow(dlz, { transformations: transformParams(audiences(2)) });
    const res = await fs.patchFlow(id, etag, [{ op: 'add', path: '/transformations/0/params/segmentSelectors/selectors/-', value: segmentSelector(audienceId(3)) }]);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ id, etag: expect.any(String), warnings: [expect.stringMatching(/\b3\b.*\b2\b/)] });
  });

  it('warns when more attributes are mapped than ACTIVATOR_WARN_MAPPED_ATTRIBUTES', async () => {
    const paths = ['person.name.firstName', 'person.name.lastName', 'personalEmail.address'];
    const res = await fs.post('/flows', fs.flowBody(dlz, { transformations: transformParams({ profileSelectors: { selectors: paths.map((path) => profileSelector(path)) } }) }));
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().warnings).toEqual([expect.stringMatching(/\b3\b.*\b2\b/)]);
  });
});

describe('Flow Service: at most ACTIVATOR_MAX_FLOWS_PER_SANDBOX=100 dataflows per sandbox [sqlite only: 100 creates keep CI fast]', () => {
  let t: TestApp;
  let admin: TestCaller;
  let fs: FlowClient;
  let dlz: FlowConnections;
  const ids: string[] = [];

  beforeAll(async () => {
    t = await createTestApp({ ACTIVATOR_MAX_FLOWS_PER_SANDBOX: '100' });
    await seedFixtureAudiences(t);
    admin = await t.caller({ admin: true });
    fs = flowClient(t, admin);
    dlz = await fs.dlzConnections();
    for (let n = 1; n <= 100; n += 1) ids.push((await fs.createFlow(dlz, { name: `Flow ${n}` })).id);
  });
  afterAll(async () => t.close());

  it('refuses the 101st dataflow with FLOW-1470-400 and stores nothing', async () => {
    expect((await fs.get('/flows?count=true')).json()).toEqual({ count: 100 });
    expectFlowError(await fs.post('/flows', fs.flowBody(dlz, { name: 'Flow 101' })), 'FLOW-1470-400', 'At most 100 dataflows can exist in a sandbox');
    expect((await fs.get('/flows?count=true')).json()).toEqual({ count: 100 });
  });

  it('allows one more after a dataflow is deleted, and refuses the next again', async () => {
    const deleted = await t.inject({ method: 'DELETE', url: `/data/foundation/flowservice/flows/${ids[0]}`, headers: admin.headers() });
    expect(deleted.statusCode).toBe(202);
    expect((await fs.post('/flows', fs.flowBody(dlz, { name: 'Replacement' }))).statusCode).toBe(201);
    expectFlowError(await fs.post('/flows', fs.flowBody(dlz, { name: 'One too many' })), 'FLOW-1470-400', 'At most 100 dataflows can exist in a sandbox');
  });

  it('counts per sandbox: a full prod does not stop a dataflow in dev', async () => {
    const created = await t.inject({ method: 'POST', url: SANDBOXES, headers: fs.json(), payload: { name: 'dev', title: 'Development', type: 'development' } });
    expect(created.statusCode, created.body).toBe(201);
    const devConnections = await fs.dlzConnections({ 'x-sandbox-name': 'dev' });
    const res = await fs.post('/flows', fs.flowBody(devConnections, { name: 'Dev flow' }), { 'x-sandbox-name': 'dev' });
    expect(res.statusCode, res.body).toBe(201);
    expect((await fs.get('/flows?count=true', { 'x-sandbox-name': 'dev' })).json()).toEqual({ count: 1 });
  });
});

describeOnEachStore('Flow Service: the dataflow limit under concurrent creates (ACTIVATOR_MAX_FLOWS_PER_SANDBOX=2)', (storeEnv) => {
  let t: TestApp;
  let fs: FlowClient;
  let dlz: FlowConnections;

  beforeAll(async () => {
    t = await createTestApp({ ...(await storeEnv()), ACTIVATOR_MAX_FLOWS_PER_SANDBOX: '2' });
    await seedFixtureAudiences(t);
    fs = flowClient(t, await t.caller({ admin: true }));
    dlz = await fs.dlzConnections();
  });
  afterAll(async () => t.close());

  it('lets exactly two of five simultaneous creates through and refuses the other three with FLOW-1470-400', async () => {
    const answers = await Promise.all([1, 2, 3, 4, 5].map((n) => fs.post('/flows', fs.flowBody(dlz, { name: `Concurrent ${n}` }))));
    expect(answers.map((res) => res.statusCode).sort()).toEqual([201, 201, 400, 400, 400]);
    for (const refused of answers.filter((res) => res.statusCode === 400)) {
      expectFlowError(refused, 'FLOW-1470-400', 'At most 2 dataflows can exist in a sandbox');
    }
    expect((await fs.get('/flows?count=true')).json()).toEqual({ count: 2 });
  });
});
