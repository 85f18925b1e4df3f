// The client commands `destinations list` and `flows list|show` against a listening server, through the real bin.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runActivator } from '../support/run-cli.js';
import { seedFixtureAudiences } from '../support/flow-fixtures.js';
import { createTestApp, type TestApp, type TestCaller } from '../support/with-app.js';

const FS = '/data/foundation/flowservice';
const DLZ_SPEC = '10440537-2a7b-4583-ac39-ed38d4b848e8';
const DLZ_FLOW_SPEC = '7e635b9f-e59b-4546-8ba8-fce6496693c8';

describe('flow service CLI commands', () => {
  let t: TestApp;
  let admin: TestCaller;
  let url: string;
  let flowId: string;
  const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'activator-cli-cache-'));

  const cli = (args: string[], overrides: Record<string, string> = {}) =>
    runActivator(args, {
      HOME: os.tmpdir(), ACTIVATOR_CACHE_DIR: cacheDir, ACTIVATOR_URL: url, ACTIVATOR_CLIENT_ID: admin.clientId, ACTIVATOR_CLIENT_SECRET: admin.clientSecret, ...overrides,
    });

  beforeAll(async () => {
    t = await createTestApp();
    await seedFixtureAudiences(t);
    url = await t.app.listen({ host: '127.0.0.1', port: 0 });
    admin = await t.caller({ admin: true });
    const post = async (resource: string, body: unknown) =>
      (await t.inject({ method: 'POST', url: `${FS}/${resource}`, headers: admin.headers({ 'content-type': 'application/json' }), payload: JSON.stringify(body) })).json<{ id: string }>().id;
    const base = await post('connections', { name: 'Landing zone', connectionSpec: { id: DLZ_SPEC, version: '1.0' } });
    const target = await post('targetConnections', { name: 'DLZ target', baseConnectionId: base, connectionSpec: { id: DLZ_SPEC, version: '1.0' }, params: { path: 'crm' } });
    const source = await post('sourceConnections', { name: 'Profiles', connectionSpec: { id: '8a9c3494-9708-43d7-ae3f-cda01e5030e1', version: '1.0' } });
    flowId = await post('flows', {
      name: 'Nightly CRM drop', flowSpec: { id: DLZ_FLOW_SPEC, version: '1.0' }, sourceConnectionIds: [source], targetConnectionIds: [target],
      transformations: [{ name: 'GeneralTransform', params: {
        segmentSelectors: { selectors: [{ type: 'PLATFORM_SEGMENT', value: { id: 'db8961e9-d52f-45bc-b3fb-76d0382a6851', name: 'Flash sale VIP', exportMode: 'DAILY_FULL_EXPORT', schedule: { frequency: 'DAILY', startDate: '2026-03-01', startTime: '06:00' } } }] },
        profileSelectors: { selectors: [{ type: 'JSON_PATH', value: { path: 'person.name.firstName' } }] },
      } }],
    });
  }, 60_000);
  afterAll(async () => {
    await t.close();
    rmSync(cacheDir, { recursive: true, force: true });
  });

  it('lists the destination catalog and the sandbox connections as tables', async () => {
    const result = await cli(['destinations', 'list']);
    expect(result.code, result.stderr).toBe(0);
    for (const name of ['Amazon S3', 'Azure Blob Storage', 'SFTP', 'Data Landing Zone', 'Oracle Responsys', 'Landing zone']) expect(result.stdout).toContain(name);
    expect(result.stdout).toMatch(/Connections in sandbox prod/);
  });

  it('lists flows and shows one with its audience schedule and mapping', async () => {
    const list = await cli(['flows', 'list']);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toContain('Nightly CRM drop');
    expect(list.stdout).toContain(flowId);
    const show = await cli(['flows', 'show', flowId]);
    expect(show.code, show.stderr).toBe(0);
    for (const text of ['Flash sale VIP', 'DAILY_FULL_EXPORT', '2026-03-01', '06:00', 'person.name.firstName', 'person_name_firstName']) expect(show.stdout).toContain(text);
    const json = await cli(['flows', 'show', flowId, '--json']);
    expect(JSON.parse(json.stdout).id).toBe(flowId);
  });

  it('caches the token in a file only its owner can read', () => {
    expect(statSync(path.join(cacheDir, 'tokens.json')).mode & 0o077).toBe(0);
  });

  it('exits 3 on bad credentials and 4 when the server is unreachable, with the reason on stderr', async () => {
    const bad = await cli(['flows', 'list'], { ACTIVATOR_CLIENT_SECRET: 'wrong-secret' });
    expect(bad.code).toBe(3);
    expect(bad.stderr).toContain('invalid client_id or client_secret');
    const down = await cli(['flows', 'list', '--url', 'http://127.0.0.1:9']);
    expect(down.code).toBe(4);
    expect(down.stderr).toContain('Cannot reach Activator at http://127.0.0.1:9');
    const missing = await cli(['flows', 'show', '00000000-0000-4000-8000-000000000000']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('The requested flows resource 00000000-0000-4000-8000-000000000000 is not found');
  });
});
