// Audience preview and estimate above ACTIVATOR_PREVIEW_SAMPLE_SIZE (SPEC §5.5): a flagged sample, counts scaled, the standard error and its tolerance.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/with-app.js';
import { UPS, upsClient } from '../support/segment-world.js';

const PROFILES = 400;
const SAMPLE = 100;
/** Profile i (0-based) has `points` i and an email only when i is even. */
const rows = Array.from({ length: PROFILES }, (_, index) => ({ crmId: `C-${index}`, email: index % 2 === 0 ? `p${index}@x.com` : '', points: index }));
const schema = {
  class: 'profile',
  fields: [{ path: 'crmId', type: 'string', required: true }, { path: 'email', type: 'string' }, { path: 'loyalty.points', type: 'integer' }],
  identities: [{ path: 'crmId', namespace: 'CRMID', primary: true }, { path: 'email', namespace: 'Email', primary: false }],
};

describe('audience preview and estimate over a sample', () => {
  let t: TestApp;
  let ups: ReturnType<typeof upsClient>;

  beforeAll(async () => {
    t = await createTestApp({ ACTIVATOR_PREVIEW_SAMPLE_SIZE: String(SAMPLE) });
    ups = upsClient(t, await t.caller({ admin: true }));
    const dataset = await ups.dataset('CRM', schema);
    await ups.ingest(dataset, 'csv', 'crm.csv', ['crmId,email,loyalty.points', ...rows.map((row) => `${row.crmId},${row.email},${row.points}`)].join('\n'));
  });
  afterAll(async () => t.close());

  it('evaluates a sample of ACTIVATOR_PREVIEW_SAMPLE_SIZE profiles, says so, and scales the counts', async () => {
    const created = await ups.send('POST', `${UPS}/preview`, { predicateExpression: 'loyalty.points < 100', predicateType: 'pql/text', predicateModel: '_xdm.context.profile' });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json<{ previewId: string }>().previewId;
    await t.runtime.services.segmentation.previews.whenIdle();

    const estimate = (await ups.send('GET', `${UPS}/estimate/${id}`)).json<{
      estimatedSize: number; profilesReadSoFar: number; profilesMatchedSoFar: number; totalRows: number; numRowsToRead: number; state: string;
      confidenceInterval: string; standardError: number; sampled: boolean; estimatedNamespaceDistribution: { namespaceId: string; profilesMatchedSoFar: number }[];
    }>();
    expect(estimate).toMatchObject({ state: 'RESULT_READY', sampled: true, confidenceInterval: '95%', totalRows: PROFILES, numRowsToRead: SAMPLE, profilesReadSoFar: SAMPLE });
    const matched = estimate.profilesMatchedSoFar;
    expect(matched).toBeGreaterThan(0);
    expect(matched).toBeLessThan(SAMPLE);
    // N·m/n and its standard error under sampling without replacement, N·sqrt((1 − n/N)·p(1 − p)/(n − 1)).
    const share = matched / SAMPLE;
    expect(estimate.estimatedSize).toBe(Math.round((PROFILES * matched) / SAMPLE));
    expect(estimate.standardError).toBeCloseTo(PROFILES * Math.sqrt(((1 - SAMPLE / PROFILES) * share * (1 - share)) / (SAMPLE - 1)), 6);
    // The true size is 100 (points 0..99). Its standard error at p = 1/4 is about 15: a deterministic sample off by more than 4 of them is a broken sampler.
    const trueSize = rows.filter((row) => row.points < 100).length;
    const trueError = PROFILES * Math.sqrt(((1 - SAMPLE / PROFILES) * 0.25 * 0.75) / (SAMPLE - 1));
    expect(Math.abs(estimate.estimatedSize - trueSize)).toBeLessThanOrEqual(4 * trueError);
    // Every sampled member has a CRMID; Email counts the even ones among them, both scaled like the size.
    const crm = estimate.estimatedNamespaceDistribution.find((entry) => entry.namespaceId === 'CRMID');
    expect(crm?.profilesMatchedSoFar).toBe(estimate.estimatedSize);

    const results = (await ups.send('GET', `${UPS}/preview/${id}?limit=100`)).json<{
      state: string; sampled: boolean; page: { totalCount: number; pageSize: number }; results: { entityId: string; entity: { loyalty: { points: number } } }[];
    }>();
    expect(results).toMatchObject({ state: 'RESULT_READY', sampled: true, page: { totalCount: estimate.estimatedSize, pageSize: matched } });
    for (const result of results.results) expect(result.entity.loyalty.points, result.entityId).toBeLessThan(100);
    const evenMatched = results.results.filter((result) => result.entity.loyalty.points % 2 === 0).length;
    const email = estimate.estimatedNamespaceDistribution.find((entry) => entry.namespaceId === 'Email');
    expect(email?.profilesMatchedSoFar ?? 0).toBe(Math.round((PROFILES * evenMatched) / SAMPLE));
  });

  it('is deterministic: the same expression over the same lake gives the same estimate', async () => {
    const estimateOf = async () => {
      const created = await ups.send('POST', `${UPS}/preview`, { predicateExpression: 'loyalty.points >= 300', predicateType: 'pql/text', predicateModel: '_xdm.context.profile' });
      await t.runtime.services.segmentation.previews.whenIdle();
      const { _links: links, ...estimate } = (await ups.send('GET', `${UPS}/estimate/${created.json<{ previewId: string }>().previewId}`)).json<{ _links: unknown; estimatedSize: number }>();
      expect(links).toBeDefined();
      return estimate;
    };
    const first = await estimateOf();
    expect(first.estimatedSize).toBeGreaterThan(0);
    expect(await estimateOf()).toEqual(first);
  });
});
