// The runs endpoints before the export worker exists: empty lists with validated filters, 404 by id, 405 on writes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestCaller } from '../support/with-app.js';

const FS = '/data/foundation/flowservice';

describe('runs before the export worker exists', () => {
  let t: TestApp;
  let reader: TestCaller;
  beforeAll(async () => {
    t = await createTestApp();
    reader = await t.caller({ roles: ['Read only'] });
  });
  afterAll(async () => t.close());

  it('answers the runs link of a flow with an empty page', async () => {
    const response = await t.inject({ method: 'GET', url: `${FS}/runs?property=flowId==ef2dcbd6-36fc-49a3-afed-d7b8e8f724eb`, headers: reader.headers() });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ items: [], _links: {} });
    expect((await t.inject({ method: 'GET', url: `${FS}/runs?count=true`, headers: reader.headers() })).json()).toEqual({ count: 0 });
  });

  it('validates run filters now, so client mistakes show before runs exist', async () => {
    const unknown = await t.inject({ method: 'GET', url: `${FS}/runs?property=colour==red`, headers: reader.headers() });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().type).toBe('https://ns.adobe.com/aep/errors/FLOW-1449-400');
    expect(unknown.json().errorMessage).toBe('Invalid filter field: colour');
    const ok = await t.inject({ method: 'GET', url: `${FS}/runs?property=metrics.durationSummary.startedAtUTC>1736121600000&property=metrics.statusSummary.status==Failed`, headers: reader.headers() });
    expect(ok.statusCode).toBe(200);
  });

  it('reports an unknown run as not found and refuses writes with 405', async () => {
    const missing = await t.inject({ method: 'GET', url: `${FS}/runs/88d6da63-dc97-460e-b781-fc795a7386d9`, headers: reader.headers() });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().report).toMatchObject({ id: '88d6da63-dc97-460e-b781-fc795a7386d9', type: 'runs' });
    const post = await t.inject({ method: 'POST', url: `${FS}/runs`, headers: reader.headers({ 'content-type': 'application/json' }), payload: '{}' });
    expect(post.statusCode).toBe(405);
    expect(post.json().errorMessage).toBe(`Method POST is not allowed on ${FS}/runs`);
  });
});
