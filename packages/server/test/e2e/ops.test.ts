import { chmodSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestCaller } from '../support/with-app.js';

describe('operations endpoints and logs', () => {
  let t: TestApp;
  let admin: TestCaller;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await t.caller({ admin: true });
  });
  afterAll(async () => t.close());

  it('answers liveness and readiness without authentication', async () => {
    expect((await t.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    const ready = await t.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready', checks: { database: 'ok', migrations: 'ok', dataDir: 'ok', queryEngine: 'ok' } });
  });

  it('reports 503 with the failing check when the data directory is not writable', async () => {
    if (process.getuid?.() === 0) {
      // root ignores mode bits; prove the failure path with a data dir that is gone instead
      const other = await createTestApp();
      const { rmSync } = await import('node:fs');
      rmSync(other.dataDir, { recursive: true, force: true });
      const response = await other.inject({ method: 'GET', url: '/readyz' });
      expect(response.statusCode).toBe(503);
      expect(response.json().checks.dataDir).toBe('failed');
      expect(response.json().status).toBe('unavailable');
      await other.close();
      return;
    }
    chmodSync(t.dataDir, 0o500);
    const response = await t.inject({ method: 'GET', url: '/readyz' });
    chmodSync(t.dataDir, 0o700);
    expect(response.statusCode).toBe(503);
  });

  it('exposes Prometheus metrics labelled by route template, never by concrete ids', async () => {
    await t.inject({ method: 'GET', url: '/api/v1/admin/users/1c2d3e4f-aaaa-bbbb-cccc-123456789abc', headers: admin.headers() });
    const metrics = await t.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.headers['content-type']).toContain('text/plain');
    expect(metrics.body).toContain('activator_http_requests_total{method="GET",route="/api/v1/admin/users/:id",status="404"} 1');
    expect(metrics.body).toContain('activator_http_request_duration_seconds_bucket');
    expect(metrics.body).toContain('process_cpu_user_seconds_total');
    expect(metrics.body).not.toContain('1c2d3e4f-aaaa');
  });

  it('protects /metrics with ACTIVATOR_METRICS_TOKEN when it is set', async () => {
    const guarded = await createTestApp({ ACTIVATOR_METRICS_TOKEN: 'scrape-me-please' });
    try {
      expect((await guarded.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
      expect((await guarded.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer wrong' } })).statusCode).toBe(401);
      expect((await guarded.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer scrape-me-please' } })).statusCode).toBe(200);
    } finally {
      await guarded.close();
    }
  });

  it('publishes an OpenAPI 3 document built from the validating schemas', async () => {
    const doc = (await t.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining([
      '/ims/token/v3', '/api/v1/admin/users', '/api/v1/admin/users/{id}', '/api/v1/admin/credentials/{id}/rotate-secret',
      '/data/foundation/sandbox-management/sandboxes', '/data/foundation/sandbox-management/sandboxes/{name}', '/api/v1/session',
    ]));
    const createUser = doc.paths['/api/v1/admin/users'].post.requestBody.content['application/json'].schema;
    expect(createUser.required).toEqual(['email']);
    expect(Object.keys(createUser.properties)).toEqual(['email', 'name', 'password', 'admin', 'roleIds']);
    expect(createUser.additionalProperties).toBe(false);
  });

  it('renders the API documentation at /docs', async () => {
    const docs = await t.inject({ method: 'GET', url: '/docs' });
    const page = docs.statusCode === 302 ? await t.inject({ method: 'GET', url: docs.headers.location as string }) : docs;
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('swagger');
  });

  it('writes one access line per request with the request id, and never a token or secret', async () => {
    t.logLines.length = 0;
    await t.inject({ method: 'GET', url: '/data/foundation/sandbox-management/sandboxes', headers: admin.headers({ 'x-request-id': 'trace-abc-123' }) });
    const lines = t.logLines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const access = lines.filter((line) => line['msg'] === 'request completed');
    expect(access).toHaveLength(1);
    expect(access[0]).toMatchObject({ requestId: 'trace-abc-123', method: 'GET', route: '/data/foundation/sandbox-management/sandboxes', status: 200, actor: 'test' });
    expect(access[0]).not.toHaveProperty('sandbox');
    expect(typeof access[0]?.['time']).toBe('string');
    expect(lines.every((line) => line['requestId'] === 'trace-abc-123')).toBe(true);
    const all = t.logLines.join('\n');
    expect(all).not.toContain(admin.token);
    expect(all).not.toContain(admin.clientSecret);
  });
});
