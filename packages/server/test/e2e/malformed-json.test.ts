// Malformed JSON bodies answer exactly SPEC §1.2 row 10's message in every family's envelope; the parser's detail goes to the log.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOXES, expectNative, expectProblem } from '../support/e2e-expectations.js';
import { createTestApp, type TestApp, type TestCaller } from '../support/with-app.js';

const MESSAGE = 'Malformed JSON request body';
const BROKEN = '{"name": "x", oops}';

describe('malformed JSON request bodies', () => {
  let t: TestApp;
  let admin: TestCaller;
  beforeAll(async () => {
    t = await createTestApp();
    admin = await t.caller({ admin: true });
  });
  afterAll(async () => { await t.close(); });

  const post = (url: string, extra: Record<string, string> = {}) =>
    t.inject({ method: 'POST', url, headers: admin.headers({ 'content-type': 'application/json', 'x-sandbox-name': 'prod', ...extra }), payload: BROKEN });

  it('answers the native family with exactly the message', async () => {
    expectNative(await post('/api/v1/admin/roles'), 400, 'BAD_REQUEST', MESSAGE);
  });

  it('answers the problem families (sandboxes, catalog, import) with exactly the message', async () => {
    expectProblem(await post(SANDBOXES), 400, 'SBX-1400-400', MESSAGE);
    expectProblem(await post('/data/foundation/catalog/dataSets'), 400, 'CAT-1400-400', MESSAGE);
    expectProblem(await post('/data/foundation/import/batches'), 400, 'INGEST-1400-400', MESSAGE);
  });

  it('answers Flow Service in its envelope with exactly the message', async () => {
    const res = await post('/data/foundation/flowservice/connections');
    expect(res.statusCode).toBe(400);
    const body = res.json<{ title: string; errorMessage: string; errorDetails: string; report: Record<string, unknown> }>();
    expect(body.errorMessage).toBe(MESSAGE);
    expect(body.errorDetails).toBe(MESSAGE);
    expect(body.report['detailed-message']).toBe(MESSAGE);
  });

  it('answers the profile API (ups) in its envelope with exactly the message', async () => {
    const res = await post('/data/core/ups/config/mergePolicies');
    expect(res.statusCode).toBe(400);
    const body = res.json<{ title: string; errors: Record<string, { message: string }[]> }>();
    expect(body.title).toBe(MESSAGE);
    expect(body.errors['400']?.[0]?.message).toBe(MESSAGE);
  });

  it('answers a body that is not UTF-8 with the same message', async () => {
    const payload = Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);
    const res = await t.inject({ method: 'POST', url: '/api/v1/admin/roles', headers: admin.headers({ 'content-type': 'application/json' }), payload });
    expectNative(res, 400, 'BAD_REQUEST', MESSAGE);
  });

  it("writes the parser's detail to the log, with the request id", async () => {
    const res = await post('/api/v1/admin/roles', { 'x-request-id': 'malformed-json-log-check' });
    expect(res.statusCode).toBe(400);
    const line = t.logLines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l['requestId'] === 'malformed-json-log-check' && typeof l['detail'] === 'string');
    expect(line?.['msg']).toBe(MESSAGE);
    expect(String(line?.['detail'])).not.toBe('');
  });
});
