// `activator ingest` through the real bin against a listening server: progress on stderr, a summary table, exit 2 on failure.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runActivator } from '../support/run-cli.js';
import { createTestApp, type TestApp, type TestCaller } from '../support/with-app.js';


describe('activator ingest', () => {
  let t: TestApp;
  let admin: TestCaller;
  let url: string;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'activator-cli-ingest-'));

  const cli = (args: string[]) =>
    runActivator(args, { HOME: dir, ACTIVATOR_CACHE_DIR: path.join(dir, 'cache'), ACTIVATOR_URL: url, ACTIVATOR_CLIENT_ID: admin.clientId, ACTIVATOR_CLIENT_SECRET: admin.clientSecret });

  beforeAll(async () => {
    t = await createTestApp();
    url = await t.app.listen({ host: '127.0.0.1', port: 0 });
    admin = await t.caller({ admin: true });
    await t.inject({
      method: 'POST', url: '/data/foundation/catalog/dataSets', headers: admin.headers({ 'content-type': 'application/json' }),
      payload: JSON.stringify({ name: 'Members', schema: { class: 'profile', fields: [{ path: 'memberId', type: 'string', required: true }, { path: 'points', type: 'integer' }], identities: [{ path: 'memberId', namespace: 'MemberId', primary: true }] } }),
    });
    writeFileSync(path.join(dir, 'good-1.csv'), 'memberId,points\nM-1,10\nM-2,20\n');
    writeFileSync(path.join(dir, 'good-2.csv'), 'memberId,points\nM-3,30\n');
    writeFileSync(path.join(dir, 'bad.csv'), 'memberId,points\nM-4,forty\nM-5,50\n');
  }, 60_000);
  afterAll(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('uploads several files into the dataset named on the command line and prints the outcome table', async () => {
    const result = await cli(['ingest', '--dataset', 'Members', path.join(dir, 'good-1.csv'), path.join(dir, 'good-2.csv')]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('Uploading');
    expect(result.stdout).toMatch(/│\s*success\s*│\s*3\s*│\s*3\s*│\s*0\s*│/);
  });

  it('exits 2 on a failed batch and lists the rejected row with its file, row and field', async () => {
    const result = await cli(['ingest', '--dataset', 'Members', path.join(dir, 'bad.csv')]);
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/│\s*failed\s*│\s*2\s*│\s*0\s*│\s*1\s*│/);
    expect(result.stdout).toMatch(/bad\.csv\s*│\s*1\s*│\s*points\s*│\s*TYPE_MISMATCH/);
  });

  it('names every file that had no data rows under its EMPTY_FILE warning', async () => {
    writeFileSync(path.join(dir, 'header-only.csv'), 'memberId,points\n');
    const result = await cli(['ingest', '--dataset', 'Members', path.join(dir, 'good-2.csv'), path.join(dir, 'header-only.csv')]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/Warnings[\s\S]*header-only\.csv\s*│\s*EMPTY_FILE\s*│\s*the file has no data rows/);
  });

  it('keeps valid rows with --error-threshold and refuses an unknown extension without --format', async () => {
    const partial = await cli(['ingest', '--dataset', 'Members', '--error-threshold', '50', path.join(dir, 'bad.csv')]);
    expect(partial.code, partial.stderr).toBe(0);
    expect(partial.stdout).toMatch(/│\s*success\s*│\s*2\s*│\s*1\s*│\s*1\s*│/);
    writeFileSync(path.join(dir, 'data.txt'), 'memberId\nM-9\n');
    const unknown = await cli(['ingest', '--dataset', 'Members', path.join(dir, 'data.txt')]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('pass --format csv|json|parquet');
  });
});
