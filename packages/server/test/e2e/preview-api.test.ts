// Audience preview and estimate over HTTP with a real lake (SPEC §5.5): exact counts against the ingested rows, inSegment on snapshots, lifecycle, access.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestCaller } from '../support/with-app.js';
import { buildSegmentWorld, buyers, CRM_ROWS, crmCsv, expectedMembers, namespaceCounts, TIER_CHANGES, UPS, upsClient } from '../support/segment-world.js';

const PREVIEW = `${UPS}/preview`;
const ESTIMATE = `${UPS}/estimate`;
const HOUR = 3_600_000;

interface ResultsJson {
  state: string;
  results: { entityId: string; entity: { identities: { id: string; namespace: { code: string }; primary?: boolean }[]; loyalty?: { tier?: string; points?: number } } }[];
  page: { totalCount: number; pageSize: number };
  link: string;
  sampled: boolean;
}

const body = (predicateExpression: string, extra: Record<string, unknown> = {}) => ({
  predicateExpression, predicateType: 'pql/text', predicateModel: '_xdm.context.profile', ...extra,
});
const keys = (crmIds: readonly string[]) => crmIds.map((id) => `CRMID:${id}`).sort();

describe('audience preview and estimate end to end', () => {
  let t: TestApp;
  let admin: TestCaller;
  let world: Awaited<ReturnType<typeof buildSegmentWorld>>;
  const expected = expectedMembers(CRM_ROWS);

  /** Creates a preview (201), waits for its evaluation, and returns its id. */
  const preview = async (expression: string, client = world.ups, extra: Record<string, unknown> = {}): Promise<string> => {
    const created = await client.send('POST', PREVIEW, body(expression, extra), { 'x-profile-instance-id': 'ups' });
    expect(created.statusCode, created.body).toBe(201);
    const json = created.json<{ previewId: string }>();
    expect(created.headers['x-location']).toBe(`/preview/${json.previewId}`);
    await t.runtime.services.segmentation.previews.whenIdle();
    return json.previewId;
  };
  const results = async (id: string, query = '', client = world.ups): Promise<ResultsJson> => {
    const response = await client.send('GET', `${PREVIEW}/${id}${query}`);
    expect(response.statusCode, response.body).toBe(200);
    return response.json<ResultsJson>();
  };
  const members = async (id: string) => (await results(id, '?limit=100')).results.map((result) => result.entityId).sort();

  beforeAll(async () => {
    t = await createTestApp();
    admin = await t.caller({ admin: true });
    world = await buildSegmentWorld(t, admin);
    await t.runtime.services.roles.create({ name: 'Segment viewers', permissions: ['View Segments'], sandboxes: ['prod'] });
    await t.runtime.services.roles.create({ name: 'Previewers', permissions: ['View Segments', 'View Profiles'], sandboxes: ['prod'] });
  });
  afterAll(async () => t.close());

  it('creates a RUNNING preview with the SPEC shape, then answers exact members and estimate', async () => {
    const created = await world.ups.send('POST', PREVIEW, body('loyalty.points >= 100'));
    expect(created.statusCode, created.body).toBe(201);
    const json = created.json<Record<string, unknown>>();
    expect(json).toEqual({ previewId: expect.any(String), previewQueryId: expect.any(String), previewExecutionId: 1, state: 'RUNNING', previewQueryStatus: 'RUNNING' });
    await t.runtime.services.segmentation.previews.whenIdle();
    const id = json['previewId'] as string;
    const ready = await results(id, '?limit=100');
    expect(ready).toMatchObject({ state: 'RESULT_READY', link: '', sampled: false, page: { totalCount: expected.rich.length, pageSize: expected.rich.length } });
    expect(ready.results.map((result) => result.entityId).sort()).toEqual(keys(expected.rich));
    const c1 = ready.results.find((result) => result.entityId === 'CRMID:C-1');
    expect(c1?.entity.loyalty).toEqual({ tier: 'gold', points: 500 });
    expect(c1?.entity.identities.map((identity) => `${identity.namespace.code}:${identity.id}`).sort()).toEqual(['CRMID:C-1', 'Email:a@x.com']);

    const estimate = await world.ups.send('GET', `${ESTIMATE}/${id}`);
    expect(estimate.statusCode, estimate.body).toBe(200);
    const byNamespace = namespaceCounts(CRM_ROWS, expected.rich);
    expect(estimate.json()).toEqual({
      estimatedSize: expected.rich.length, profilesReadSoFar: CRM_ROWS.length, profilesMatchedSoFar: expected.rich.length,
      totalRows: CRM_ROWS.length, numRowsToRead: CRM_ROWS.length, state: 'RESULT_READY', confidenceInterval: '100%', standardError: 0, sampled: false,
      estimatedNamespaceDistribution: Object.keys(byNamespace).sort().map((namespaceId) => ({ namespaceId, profilesMatchedSoFar: byNamespace[namespaceId] })),
      _links: { preview: `/preview/${id}` },
    });
  });

  it('evaluates events and nothing matching (exact, with `now` at the preview start)', async () => {
    expect(await members(await preview('exists E from xEvent where E.eventType = "purchase"'))).toEqual(keys([...buyers]));
    const none = await results(await preview('loyalty.points > 1000000'));
    expect(none).toMatchObject({ state: 'RESULT_READY', results: [], page: { totalCount: 0, pageSize: 0 } });
  });

  it('bounds limit: default 20, 1..100, anything else 400', async () => {
    const id = await preview('loyalty.points >= 0');
    const withPoints = CRM_ROWS.filter((row) => row.points !== null).length;
    expect((await results(id)).page).toEqual({ totalCount: withPoints, pageSize: withPoints });
    expect((await results(id, '?limit=2')).page).toEqual({ totalCount: withPoints, pageSize: 2 });
    expect((await results(id, '?limit=100')).results).toHaveLength(withPoints);
    for (const bad of ['0', '101', 'ten', '-1']) {
      const response = await world.ups.send('GET', `${PREVIEW}/${id}?limit=${bad}`);
      expect(response.statusCode, `limit=${bad}`).toBe(400);
    }
  });

  it('answers 400 with diagnostics for invalid PQL and clear messages for a wrong type, model or merge policy', async () => {
    const invalid = await world.ups.send('POST', PREVIEW, body('loyalty.pointz >= 1'));
    expect(invalid.statusCode, invalid.body).toBe(400);
    expect(invalid.json<{ diagnostics: unknown[] }>().diagnostics).toEqual([
      expect.objectContaining({ severity: 'error', code: 'PQL-UNKNOWN-FIELD', message: 'unknown field "loyalty.pointz"', line: 1, column: 1, suggestions: ['loyalty.points'] }),
    ]);
    const unknownSegment = await world.ups.send('POST', PREVIEW, body('inSegment("no-such-audience")'));
    expect(unknownSegment.statusCode).toBe(400);
    expect(unknownSegment.json<{ diagnostics: { code: string }[] }>().diagnostics.map((d) => d.code)).toEqual(['PQL-UNKNOWN-SEGMENT']);
    const wrongType = await world.ups.send('POST', PREVIEW, body('loyalty.points > 1', { predicateType: 'pql/json' }));
    expect(wrongType.statusCode).toBe(400);
    expect(wrongType.body).toContain('predicateType must be pql/text');
    const wrongModel = await world.ups.send('POST', PREVIEW, body('loyalty.points > 1', { predicateModel: '_xdm.context.experienceevent' }));
    expect(wrongModel.statusCode).toBe(400);
    expect(wrongModel.body).toContain('predicateModel must be _xdm.context.profile');
    const wrongPolicy = await world.ups.send('POST', PREVIEW, body('loyalty.points > 1', { mergePolicyId: 'nope' }));
    expect(wrongPolicy.statusCode).toBe(400);
    expect(wrongPolicy.body).toContain('mergePolicyId nope is not a merge policy of this sandbox');
    const wrongGraph = await world.ups.send('POST', PREVIEW, body('loyalty.points > 1', { graphType: 'full' }));
    expect(wrongGraph.statusCode).toBe(400);
  });

  it('reads inSegment from the latest visible snapshot, not from the current data', async () => {
    const inGold = `inSegment("${world.audiences.gold}")`;
    expect(await members(await preview(inGold))).toEqual([]); // no job has run: no snapshot, no members
    const runJob = async () => {
      const job = await world.ups.send('POST', `${UPS}/segment/jobs`, [{ segmentId: world.audiences.gold }]);
      expect(job.statusCode, job.body).toBe(200);
      await t.runtime.services.segmentJobs.jobs.whenIdle();
    };
    await runJob();
    expect(await members(await preview(inGold))).toEqual(keys(expected.gold));
    // New tiers arrive: the snapshot still has the old gold members until the next job.
    const changed = CRM_ROWS.map((row) => ({ ...row, tier: TIER_CHANGES[row.crmId] ?? row.tier }));
    await world.ups.ingest(world.datasets.crm, 'csv', 'crm2.csv', crmCsv(changed));
    const goldNow = expectedMembers(changed).gold;
    expect(goldNow).not.toEqual(expected.gold);
    expect(await members(await preview('loyalty.tier = "gold"'))).toEqual(keys(goldNow));
    expect(await members(await preview(inGold))).toEqual(keys(expected.gold));
    await runJob();
    expect(await members(await preview(inGold))).toEqual(keys(goldNow));
    expect(await members(await preview(`${inGold} and loyalty.points >= 100`))).toEqual(keys(goldNow.filter((id) => expectedMembers(changed).rich.includes(id))));
  });

  it('DELETE removes a preview: its results and estimate are 404 afterwards', async () => {
    const id = await preview('loyalty.points >= 100');
    const deleted = await world.ups.send('DELETE', `${PREVIEW}/${id}`);
    expect(deleted.statusCode, deleted.body).toBe(204);
    for (const url of [`${PREVIEW}/${id}`, `${ESTIMATE}/${id}`]) {
      const gone = await world.ups.send('GET', url);
      expect(gone.statusCode, url).toBe(404);
      expect(gone.body).toContain(`Preview ${id} not found`);
    }
    expect((await world.ups.send('DELETE', `${PREVIEW}/${id}`)).statusCode).toBe(404);
    // Deleted while running: the evaluation is abandoned and nothing comes back.
    const running = await world.ups.send('POST', PREVIEW, body('loyalty.points >= 100'));
    const runningId = running.json<{ previewId: string }>().previewId;
    expect((await world.ups.send('DELETE', `${PREVIEW}/${runningId}`)).statusCode).toBe(204);
    await t.runtime.services.segmentation.previews.whenIdle();
    expect((await world.ups.send('GET', `${PREVIEW}/${runningId}`)).statusCode).toBe(404);
  });

  it('keeps a preview one hour after its creation, then answers 404', async () => {
    const id = await preview('loyalty.points >= 100');
    t.clock.advance(HOUR - 1000);
    expect((await results(id)).state).toBe('RESULT_READY');
    t.clock.advance(1000);
    expect((await world.ups.send('GET', `${PREVIEW}/${id}`)).statusCode).toBe(404);
    expect((await world.ups.send('GET', `${ESTIMATE}/${id}`)).statusCode).toBe(404);
  });

  it('keeps previews per sandbox: another sandbox does not see them', async () => {
    const id = await preview('loyalty.points >= 100');
    const created = await world.ups.send('POST', '/data/foundation/sandbox-management/sandboxes', { name: 'preview-dev', title: 'Preview dev', type: 'development' });
    expect(created.statusCode, created.body).toBe(201);
    for (const [method, url] of [['GET', `${PREVIEW}/${id}`], ['GET', `${ESTIMATE}/${id}`], ['DELETE', `${PREVIEW}/${id}`]] as const) {
      expect((await world.ups.send(method, url, undefined, { 'x-sandbox-name': 'preview-dev' })).statusCode, `${method} ${url}`).toBe(404);
    }
    expect((await results(id)).state).toBe('RESULT_READY');
  });

  it('needs View Segments and View Profiles for previews, View Segments for estimates; identities follow View Identity Graph', async () => {
    const viewer = upsClient(t, await t.caller({ roles: ['Segment viewers'], name: 'viewer' }));
    const previewer = upsClient(t, await t.caller({ roles: ['Previewers'], name: 'previewer' }));
    const refused = await viewer.send('POST', PREVIEW, body('loyalty.points >= 100'));
    expect(refused.statusCode).toBe(403);
    expect(refused.headers['x-activator-missing-permissions']).toBe('View Profiles');
    const id = await preview('loyalty.points >= 100', previewer);
    expect((await viewer.send('GET', `${PREVIEW}/${id}`)).statusCode).toBe(403);
    expect((await viewer.send('DELETE', `${PREVIEW}/${id}`)).statusCode).toBe(403);
    const estimate = await viewer.send('GET', `${ESTIMATE}/${id}`);
    expect(estimate.statusCode, estimate.body).toBe(200);
    expect(estimate.json()).toMatchObject({ state: 'RESULT_READY', estimatedSize: expected.rich.length });
    const seen = await results(id, '?limit=100', previewer);
    const c1 = seen.results.find((result) => result.entityId === 'CRMID:C-1');
    expect(c1?.entity.identities).toEqual([{ id: 'C-1', namespace: { code: 'CRMID' }, primary: true }]);
  });

  it('bounds the previews a sandbox keeps: the 21st is 429 until one is deleted', async () => {
    const { previews } = t.runtime.services.segmentation;
    t.clock.advance(HOUR); // every earlier preview expires
    const ids: string[] = [];
    for (let index = 0; index < 20; index += 1) ids.push(await preview(`loyalty.points >= ${index}`));
    const refused = await world.ups.send('POST', PREVIEW, body('loyalty.points >= 100'));
    expect(refused.statusCode, refused.body).toBe(429);
    expect(refused.body).toContain('This sandbox already has 20 previews');
    expect((await world.ups.send('DELETE', `${PREVIEW}/${ids[0] ?? ''}`)).statusCode).toBe(204);
    await preview('loyalty.points >= 100');
    await previews.whenIdle();
  });
});
