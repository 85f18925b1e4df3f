// Listing dataflows (SPEC §1.5, §7.7) on both stores: order, orderby, limit and count, continuation links, and property filters.
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  AUDIENCE, T0, expectFlowError, flowClient, segmentSelector, transformParams, type FlowClient, type FlowConnections, seedFixtureAudiences,
} from '../support/flow-fixtures.js';
import { describeOnEachStore } from '../support/on-each-store.js';
import { createTestApp, type TestApp } from '../support/with-app.js';

const MINUTE = 60_000;

describeOnEachStore('Flow Service: listing dataflows', (storeEnv) => {
  let t: TestApp;
  let fs: FlowClient;
  let dlz: FlowConnections;
  let secondTargetId: string;
  /** Charlie (target 1, VIP) at T0; Alpha (target 2, lapsed) at T0+1 min, disabled at T0+3 min; Bravo (target 1) at T0+2 min. */
  let charlie: string;
  let alpha: string;
  let bravo: string;

  beforeAll(async () => {
    t = await createTestApp(await storeEnv());
    await seedFixtureAudiences(t);
    fs = flowClient(t, await t.caller({ admin: true }));
    dlz = await fs.dlzConnections();
    secondTargetId = await fs.dlzTarget(dlz.baseId, 'Second landing zone target');
    const audience = (id: string) => transformParams({ segmentSelectors: { selectors: [segmentSelector(id)] } });
    charlie = (await fs.createFlow(dlz, { name: 'Charlie exports', transformations: audience(AUDIENCE.vip) })).id;
    t.clock.advance(MINUTE);
    alpha = (await fs.createFlow({ ...dlz, targetId: secondTargetId }, { name: 'Alpha exports', transformations: audience(AUDIENCE.lapsed) })).id;
    t.clock.advance(MINUTE);
    bravo = (await fs.createFlow(dlz, { name: 'Bravo exports' })).id;
    t.clock.advance(MINUTE);
    const disabled = await t.inject({ method: 'POST', url: `/data/foundation/flowservice/flows/${alpha}/action?op=disable`, headers: fs.caller.headers() });
    expect(disabled.statusCode, disabled.body).toBe(200);
  });
  afterAll(async () => t.close());

  /** The ids of one list page, after checking it is a 200 list answer. */
  async function idsOf(query: string): Promise<string[]> {
    const res = await fs.get(`/flows${query}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json().items.map((flow: { id: string }) => flow.id);
  }

  it('lists every flow of the sandbox newest-updated first, with empty _links on the only page', async () => {
    const res = await fs.get('/flows');
    expect(res.statusCode).toBe(200);
    expect(Object.keys(res.json()).sort()).toEqual(['_links', 'items']);
    expect(res.json()._links).toEqual({});
    expect(res.json().items.map((flow: { id: string }) => flow.id)).toEqual([alpha, bravo, charlie]);
    expect(res.json().items.map((flow: { updatedAt: number }) => flow.updatedAt)).toEqual([T0 + 3 * MINUTE, T0 + 2 * MINUTE, T0]);
  });

  it('shows each flow in the list exactly as GET /flows/{id} shows it', async () => {
    const items = (await fs.get('/flows')).json().items;
    for (const item of items) expect(item).toEqual(await fs.getFlow(item.id));
  });

  it('orders by name, +name, -name, createdAt and -createdAt', async () => {
    expect(await idsOf('?orderby=name')).toEqual([alpha, bravo, charlie]);
    expect(await idsOf('?orderby=%2Bname')).toEqual([alpha, bravo, charlie]);
    expect(await idsOf('?orderby=-name')).toEqual([charlie, bravo, alpha]);
    expect(await idsOf('?orderby=createdAt')).toEqual([charlie, alpha, bravo]);
    expect(await idsOf('?orderby=-createdAt')).toEqual([bravo, alpha, charlie]);
    expect(await idsOf('?orderby=updatedAt')).toEqual([charlie, bravo, alpha]);
  });

  it('refuses an unknown orderby field with FLOW-1432-400', async () => {
    expectFlowError(await fs.get('/flows?orderby=state'), 'FLOW-1432-400', 'Invalid orderby field: state');
  });

  it('pages with limit and a next link of exactly /flows?continuationToken=<token>, keeping the order', async () => {
    const first = (await fs.get('/flows?limit=2')).json();
    expect(first.items.map((flow: { id: string }) => flow.id)).toEqual([alpha, bravo]);
    const href: string = first._links.next.href;
    expect(href).toMatch(/^\/flows\?continuationToken=[^=&]+$/);
    const second = (await fs.get(`/flows?continuationToken=${href.split('=')[1]}`)).json();
    expect(second).toEqual({ items: [expect.objectContaining({ id: charlie })], _links: {} });
  });

  it('clamps limit=500 to the page size of 100 (all three flows, one page)', async () => {
    const res = await fs.get('/flows?limit=500');
    expect(res.statusCode).toBe(200);
    expect(res.json().items).toHaveLength(3);
    expect(res.json()._links).toEqual({});
  });

  it('refuses limit=0 with a 400 naming limit', async () => {
    const res = await fs.get('/flows?limit=0');
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().type).toMatch(/^https:\/\/ns\.adobe\.com\/aep\/errors\/FLOW-\d{4}-400$/);
    expect(res.json().errorMessage).toContain('limit');
  });

  it('answers count=true with only the count, filters applied', async () => {
    expect((await fs.get('/flows?count=true')).json()).toEqual({ count: 3 });
    expect((await fs.get('/flows?count=true&property=state==enabled')).json()).toEqual({ count: 2 });
  });

  it('refuses count=true together with limit with FLOW-1401-400', async () => {
    expectFlowError(await fs.get('/flows?count=true&limit=5'), 'FLOW-1401-400', 'Parameters limit and count cannot be used together');
  });

  it('filters on state, case-insensitively, with == and !=', async () => {
    expect(await idsOf('?property=state==disabled')).toEqual([alpha]);
    expect(await idsOf('?property=state==DISABLED')).toEqual([alpha]);
    expect(await idsOf('?property=state!=enabled')).toEqual([alpha]);
    expect(await idsOf('?property=state==enabled')).toEqual([bravo, charlie]);
  });

  it('filters on several ids with id==a,b', async () => {
    expect(await idsOf(`?property=id==${charlie},${bravo}`)).toEqual([bravo, charlie]);
  });

  it('filters on an audience of the flow', async () => {
    expect(await idsOf(`?property=transformations[].params.segmentSelectors.selectors[].value.id==${AUDIENCE.vip}`)).toEqual([charlie]);
    expect(await idsOf(`?property=${encodeURIComponent(`transformations[].params.segmentSelectors.selectors[].value.id==${AUDIENCE.lapsed}`)}`)).toEqual([alpha]);
  });

  it('filters on the target connection and on the target\'s connection spec', async () => {
    expect(await idsOf(`?property=targetConnectionIds[]==${dlz.targetId}`)).toEqual([bravo, charlie]);
    expect(await idsOf(`?property=targetConnectionIds[]==${secondTargetId}`)).toEqual([alpha]);
    expect(await idsOf(`?property=sourceConnectionIds[]==${dlz.sourceId}`)).toEqual([alpha, bravo, charlie]);
    expect(await idsOf(`?property=inheritedAttributes.targetConnections[].connectionSpec.id==${dlz.targetSpecId}`)).toEqual([alpha, bravo, charlie]);
  });

  it('filters on createdAt with > and on a range with >= and <', async () => {
    expect(await idsOf(`?property=createdAt>${T0}`)).toEqual([alpha, bravo]);
    expect(await idsOf(`?property=createdAt>=${T0 + MINUTE}&property=createdAt<${T0 + 2 * MINUTE}`)).toEqual([alpha]);
    expect(await idsOf(`?property=updatedAt<=${T0 + 2 * MINUTE}`)).toEqual([bravo, charlie]);
  });

  it('ANDs repeated property filters (SPEC §7.7 example)', async () => {
    expect(await idsOf('?property=inheritedAttributes.properties.isDestinationFlow==true&property=state==enabled&limit=100')).toEqual([bravo, charlie]);
    expect(await idsOf(`?property=targetConnectionIds[]==${dlz.targetId}&property=createdAt>${T0}`)).toEqual([bravo]);
  });

  it('keeps filters across pages of a continuation walk', async () => {
    const first = (await fs.get(`/flows?property=targetConnectionIds[]==${dlz.targetId}&limit=1`)).json();
    expect(first.items.map((flow: { id: string }) => flow.id)).toEqual([bravo]);
    const second = (await fs.get(`/flows?continuationToken=${(first._links.next.href as string).split('=')[1]}`)).json();
    expect(second.items.map((flow: { id: string }) => flow.id)).toEqual([charlie]);
    expect(second._links).toEqual({});
  });

  it('refuses an unknown filter field with FLOW-1449-400', async () => {
    expectFlowError(await fs.get('/flows?property=owner==ana'), 'FLOW-1449-400', 'Invalid filter field: owner');
  });

  it('refuses the ~ operator with FLOW-1440-400', async () => {
    expectFlowError(await fs.get('/flows?property=name~Alpha'), 'FLOW-1440-400', "Operator '~' not implemented");
  });

  it('refuses > with several values with FLOW-1443-400', async () => {
    expectFlowError(await fs.get(`/flows?property=createdAt>${T0},${T0 + 1}`), 'FLOW-1443-400', "Operator '>' is not allowed for multiple values");
  });
});
