// Segment jobs over HTTP with a real lake (SPEC §5.6–5.7, §4.5): counts against the ingested rows, statuses across jobs, failures, lookups.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestCaller } from '../support/with-app.js';
import { buildSegmentWorld, CRM_ROWS, expectedMembers, namespaceCounts, TIER_CHANGES, UPS } from '../support/segment-world.js';

const JOBS = `${UPS}/segment/jobs`;

interface JobJson {
  id: string;
  status: string;
  source: string;
  segments: { segmentId: string; segment?: { expression: { value: string }; mergePolicyId: string; mergePolicy: { id: string; version: number } } }[];
  metrics: {
    totalTime: { startTimeInMs: number; endTimeInMs: number; totalTimeInMs: number };
    totalProfiles: number;
    segmentedProfileCounter: Record<string, number>;
    segmentedProfileByNamespaceCounter: Record<string, Record<string, number>>;
    segmentedProfileByStatusCounter: Record<string, { realized: number; existing: number; exited: number }>;
    totalProfilesByMergePolicy: Record<string, number>;
  };
  errors: { code: string; msg: string }[];
  properties: unknown;
  requestId: string;
  _links: { cancel: { href: string; method: string }; checkStatus: { href: string; method: string } };
  creationTime: number;
  updateEpoch: number;
}

describe('segment jobs end to end', () => {
  let t: TestApp;
  let admin: TestCaller;
  let world: Awaited<ReturnType<typeof buildSegmentWorld>>;
  let firstJob: JobJson;
  let firstStart: number;
  let secondJob: JobJson;
  let secondStart: number;
  const updatedRows = CRM_ROWS.map((row) => ({ ...row, tier: TIER_CHANGES[row.crmId] ?? row.tier }));

  const runJob = async (body: unknown, headers: Record<string, string> = {}): Promise<JobJson> => {
    const created = await world.ups.send('POST', JOBS, body, headers);
    expect(created.statusCode, created.body).toBe(200);
    await t.runtime.services.segmentJobs.jobs.whenIdle();
    const job = await world.ups.send('GET', `${JOBS}/${created.json<JobJson>().id}`);
    expect(job.statusCode, job.body).toBe(200);
    return job.json<JobJson>();
  };
  const lookup = async (crmId: string) => {
    const response = await world.ups.send('GET', `${UPS}/access/entities?schema.name=_xdm.context.profile&entityId=${crmId}&entityIdNS=CRMID`);
    expect(response.statusCode, response.body).toBe(200);
    const [profile] = Object.values(response.json<Record<string, { entity: { segmentMembership?: { ups: Record<string, { status: string; lastQualificationTime: string }> } } }>>());
    return profile?.entity.segmentMembership?.ups ?? {};
  };

  beforeAll(async () => {
    t = await createTestApp();
    admin = await t.caller({ admin: true });
    world = await buildSegmentWorld(t, admin);
    // The flag's dataset goes away: "Flagged" no longer compiles (its field is unknown), and its dependent fails with it.
    expect((await world.ups.send('DELETE', `/data/foundation/catalog/dataSets/${world.datasets.extra}`)).statusCode).toBe(200);
    t.clock.advance(60_000);
    firstStart = t.clock.now();
    firstJob = await runJob([{ segmentId: '*' }], { 'x-profile-instance-id': 'ups' });
    await world.ups.ingest(world.datasets.crm, 'csv', 'tiers.csv', ['crmId,loyalty.tier', ...Object.entries(TIER_CHANGES).map(([id, tier]) => `${id},${tier}`)].join('\n'));
    t.clock.advance(60_000);
    secondStart = t.clock.now();
    secondJob = await runJob([{ segmentId: world.audiences.gold }, { segmentId: world.audiences.goldBuyers }]);
  }, 120_000);
  afterAll(async () => t?.close());

  it('evaluates every published audience, dependencies first, and counts members as the rows say', () => {
    const expected = expectedMembers(CRM_ROWS);
    const { gold, rich, goldBuyers, flagged, flaggedOrVeryRich, draft } = world.audiences;
    expect(firstJob.status).toBe('SUCCEEDED');
    expect(firstJob.source).toBe('api');
    const order = firstJob.segments.map((segment) => segment.segmentId);
    expect(new Set(order)).toEqual(new Set([gold, rich, goldBuyers, flagged, flaggedOrVeryRich]));
    expect(order).not.toContain(draft);
    expect(order.indexOf(gold)).toBeLessThan(order.indexOf(goldBuyers));
    expect(order.indexOf(flagged)).toBeLessThan(order.indexOf(flaggedOrVeryRich));
    expect(firstJob.metrics.segmentedProfileCounter).toEqual({ [gold]: expected.gold.length, [rich]: expected.rich.length, [goldBuyers]: expected.goldBuyers.length });
    expect(firstJob.metrics.segmentedProfileByStatusCounter[gold]).toEqual({ realized: expected.gold.length, existing: 0, exited: 0 });
    expect(firstJob.metrics.segmentedProfileByNamespaceCounter[rich]).toEqual(namespaceCounts(CRM_ROWS, expected.rich));
    expect(firstJob.metrics.totalProfiles).toBe(CRM_ROWS.length);
    expect(firstJob.metrics.totalProfilesByMergePolicy).toEqual({ 'timestampOrdered-none-mp': CRM_ROWS.length });
    expect(firstJob.metrics.totalTime.startTimeInMs).toBe(firstStart);
  });

  it('a failing audience and its dependent are reported, and do not stop the others', () => {
    const { flagged, flaggedOrVeryRich } = world.audiences;
    expect(firstJob.errors).toHaveLength(2);
    expect(firstJob.errors.map((error) => error.code)).toEqual(['SEGMENT-JOB-FAILED', 'SEGMENT-JOB-FAILED']);
    expect(firstJob.errors[0]?.msg).toMatch(new RegExp(`^${flagged}: .*extra\\.flag`));
    expect(firstJob.errors[1]?.msg).toBe(`${flaggedOrVeryRich}: depends on audience ${flagged}, which failed`);
    expect(firstJob.metrics.segmentedProfileCounter[flagged]).toBeUndefined();
  });

  it('has the AEP job shape: segments with their expression and merge policy, links, request id, epochs', () => {
    const gold = firstJob.segments.find((segment) => segment.segmentId === world.audiences.gold);
    expect(gold?.segment).toEqual({ id: world.audiences.gold, expression: { type: 'PQL', format: 'pql/text', value: 'loyalty.tier = "gold"' }, mergePolicyId: 'timestampOrdered-none-mp', mergePolicy: { id: 'timestampOrdered-none-mp', version: 1 } });
    expect(firstJob._links).toEqual({ cancel: { href: `/segment/jobs/${firstJob.id}`, method: 'DELETE' }, checkStatus: { href: `/segment/jobs/${firstJob.id}`, method: 'GET' } });
    expect(firstJob.properties).toBeNull();
    expect(firstJob.requestId).not.toBe('');
    expect(firstJob.updateEpoch).toBe(Math.floor(firstJob.metrics.totalTime.endTimeInMs / 1000));
  });

  it('a second job sees realized, existing and exited members relative to the first', () => {
    const before = expectedMembers(CRM_ROWS).gold;
    const after = expectedMembers(updatedRows).gold;
    const { gold, goldBuyers } = world.audiences;
    expect(secondJob.status).toBe('SUCCEEDED');
    expect(secondJob.segments.map((segment) => segment.segmentId)).toEqual([gold, goldBuyers]);
    expect(secondJob.metrics.segmentedProfileByStatusCounter[gold]).toEqual({
      realized: after.filter((id) => !before.includes(id)).length,
      existing: after.filter((id) => before.includes(id)).length,
      exited: before.filter((id) => !after.includes(id)).length,
    });
    expect(secondJob.metrics.segmentedProfileCounter[goldBuyers]).toBe(expectedMembers(updatedRows).goldBuyers.length);
  });

  it('lookups carry segmentMembership from the latest snapshot of each audience', async () => {
    const { gold, rich } = world.audiences;
    const iso = (ms: number) => new Date(ms).toISOString();
    expect((await lookup('C-1'))[gold]).toEqual({ status: 'existing', lastQualificationTime: iso(firstStart) });
    expect((await lookup('C-1'))[rich]).toEqual({ status: 'realized', lastQualificationTime: iso(firstStart) });
    expect((await lookup('C-5'))[gold]).toEqual({ status: 'realized', lastQualificationTime: iso(secondStart) });
    expect((await lookup('C-3'))[gold]).toEqual({ status: 'exited', lastQualificationTime: iso(secondStart) });
    expect(await lookup('C-6')).toEqual({});
  });

  it('lists jobs newest first, filtered by status and by audience, paged with _page/children/_links', async () => {
    const list = async (query: string) => {
      const response = await world.ups.send('GET', `${JOBS}${query}`);
      expect(response.statusCode, response.body).toBe(200);
      return response.json<{ _page: { totalCount: number; pageSize: number }; children: JobJson[]; _links: { next: { href: string } } }>();
    };
    const all = await list('');
    expect(all.children.map((job) => job.id)).toEqual([secondJob.id, firstJob.id]);
    expect(all._page).toEqual({ totalCount: 2, pageSize: 2 });
    expect(all._links).toEqual({ next: { href: '' } });
    expect((await list('?sort=creationTime:asc')).children.map((job) => job.id)).toEqual([firstJob.id, secondJob.id]);
    expect((await list(`?property=segments~segmentId==${world.audiences.rich}`)).children.map((job) => job.id)).toEqual([firstJob.id]);
    expect((await list('?status=SUCCEEDED')).children).toHaveLength(2);
    expect((await list('?status=FAILED,QUEUED'))._page.totalCount).toBe(0);
    const page = await list('?limit=1');
    expect(page.children.map((job) => job.id)).toEqual([secondJob.id]);
    expect(page._links.next.href).toBe('/segment/jobs?start=1&limit=1');
    expect((await list('?start=1&limit=1')).children.map((job) => job.id)).toEqual([firstJob.id]);
    expect((await world.ups.send('GET', `${JOBS}?status=DONE`)).statusCode).toBe(400);
    expect((await world.ups.send('GET', `${JOBS}?property=name==x`)).statusCode).toBe(400);
  });

  it('bulk-get answers 207 with the jobs found; an unknown id is a 404 in the ups envelope', async () => {
    const bulk = await world.ups.send('POST', `${JOBS}/bulk-get`, { ids: [{ id: firstJob.id }, { id: 'b6f1c0de-0000-4000-8000-000000000000' }] });
    expect(bulk.statusCode).toBe(207);
    expect(Object.keys(bulk.json<{ results: Record<string, unknown> }>().results)).toEqual([firstJob.id]);
    const missing = await world.ups.send('GET', `${JOBS}/b6f1c0de-0000-4000-8000-000000000000`);
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ type: 'https://ns.adobe.com/aep/errors/UPAPI-1404-404', title: 'Segment job b6f1c0de-0000-4000-8000-000000000000 not found' });
  });

  it('an unknown audience id is a 400 naming it; an ended job cannot be cancelled', async () => {
    const unknown = await world.ups.send('POST', JOBS, [{ segmentId: world.audiences.gold }, { segmentId: 'no-such-audience' }]);
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json<{ title: string }>().title).toContain('no-such-audience');
    expect((await world.ups.send('DELETE', `${JOBS}/${firstJob.id}`)).statusCode).toBe(409);
  });

  it('requires View Segments to read jobs and Evaluate Segment to Audience to create them', async () => {
    const reader = await t.caller({ roles: ['Read only'], name: 'reader' });
    const asReader = (method: 'GET' | 'POST', url: string, body?: unknown) =>
      t.inject({ method, url, headers: reader.headers(body === undefined ? {} : { 'content-type': 'application/json' }), ...(body === undefined ? {} : { payload: JSON.stringify(body) }) });
    expect((await asReader('GET', `${JOBS}/${firstJob.id}`)).statusCode).toBe(200);
    const refused = await asReader('POST', JOBS, [{ segmentId: '*' }]);
    expect(refused.statusCode).toBe(403);
    expect(refused.headers['x-activator-missing-permissions']).toBe('Evaluate Segment to Audience');
  });
});
