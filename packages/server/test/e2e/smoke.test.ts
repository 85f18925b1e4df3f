import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/with-app.js';

describe('smoke', () => {
  let t: TestApp;
  beforeAll(async () => { t = await createTestApp(); });
  afterAll(async () => { await t.close(); });

  it('serves healthz and lists sandboxes for an admin', async () => {
    expect((await t.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    const admin = await t.caller({ admin: true });
    const res = await t.inject({ method: 'GET', url: '/data/foundation/sandbox-management/sandboxes', headers: admin.headers() });
    expect(res.statusCode).toBe(200);
    expect(res.json().sandboxes.map((s: { name: string }) => s.name)).toEqual(['prod']);
  });
});
