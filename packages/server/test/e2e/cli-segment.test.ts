// `activator segment check|run|list` against a listening server, through the real bin (SPEC §12).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runActivator } from '../support/run-cli.js';
import { crmCsv, CRM_ROWS, expectedMembers, upsClient } from '../support/segment-world.js';
import { createTestApp, type TestApp, type TestCaller } from '../support/with-app.js';

const crmSchema = {
  class: 'profile',
  fields: [{ path: 'crmId', type: 'string', required: true }, { path: 'email', type: 'string' }, { path: 'loyalty.tier', type: 'string' }, { path: 'loyalty.points', type: 'integer' }],
  identities: [{ path: 'crmId', namespace: 'CRMID', primary: true }, { path: 'email', namespace: 'Email', primary: false }],
};

describe('segment CLI commands', () => {
  let t: TestApp;
  let admin: TestCaller;
  let url: string;
  let gold: string;
  let rich: string;
  const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'activator-cli-cache-'));
  const expected = expectedMembers(CRM_ROWS);

  const cli = (args: string[]) =>
    runActivator(args, {
      HOME: os.tmpdir(), ACTIVATOR_CACHE_DIR: cacheDir, ACTIVATOR_URL: url, ACTIVATOR_CLIENT_ID: admin.clientId, ACTIVATOR_CLIENT_SECRET: admin.clientSecret, ACTIVATOR_POLL_MS: '50',
    });
  /** The cells of the table row that mentions `text`. */
  const rowOf = (stdout: string, text: string) => (stdout.split('\n').find((line) => line.includes(text)) ?? '').split('│').map((cell) => cell.trim()).filter((cell) => cell !== '');

  beforeAll(async () => {
    t = await createTestApp();
    url = await t.app.listen({ host: '127.0.0.1', port: 0 });
    admin = await t.caller({ admin: true });
    const ups = upsClient(t, admin);
    const crm = await ups.dataset('CRM', crmSchema);
    await ups.ingest(crm, 'csv', 'crm.csv', crmCsv(CRM_ROWS));
    gold = await ups.audience('Gold', 'loyalty.tier = "gold"');
    rich = await ups.audience('Rich', 'loyalty.points >= 100');
  }, 60_000);
  afterAll(async () => {
    await t.close();
    rmSync(cacheDir, { recursive: true, force: true });
  });

  it('check prints a valid expression\'s fields, and each diagnostic with a caret under it (exit 2)', async () => {
    const valid = await cli(['segment', 'check', 'loyalty.tier = "gold"']);
    expect(valid.code, valid.stderr).toBe(0);
    expect(valid.stdout).toBe('valid PQL; fields: loyalty.tier\n');
    const invalid = await cli(['segment', 'check', 'loyalty.points > 1 and loyalty.tierr = "gold"']);
    expect(invalid.code).toBe(2);
    const lines = invalid.stdout.split('\n');
    expect(lines[0]).toMatch(/^error PQL-UNKNOWN-FIELD \(line 1, column 24\): unknown field "loyalty.tierr"/);
    expect(lines[1]).toBe('  loyalty.points > 1 and loyalty.tierr = "gold"');
    expect(lines[2]).toBe(`  ${' '.repeat(23)}${'^'.repeat('loyalty.tierr'.length)}`);
    expect(lines[3]).toContain('loyalty.tier');
  });

  it('run --wait evaluates audiences named by name or id and prints their counts; list shows the last job and members', async () => {
    const run = await cli(['segment', 'run', 'gold', rich, '--wait']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/segment job [0-9a-f-]{36}: QUEUED/);
    expect(rowOf(run.stdout, gold)).toEqual(['Gold', gold, String(expected.gold.length), '0', '0', String(expected.gold.length)]);
    expect(rowOf(run.stdout, rich)).toEqual(['Rich', rich, String(expected.rich.length), '0', '0', String(expected.rich.length)]);
    expect(run.stdout).toMatch(/job [0-9a-f-]{36} SUCCEEDED/);
    const listed = await cli(['segment', 'list']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(rowOf(listed.stdout, gold)).toEqual(['Gold', gold, 'published', 'timestampOrdered-none-mp', 'SUCCEEDED', String(expected.gold.length)]);
  });

  it('run without audiences or with an unknown name says what to do (exit 1)', async () => {
    const bare = await cli(['segment', 'run']);
    expect(bare.code).toBe(1);
    expect(bare.stderr).toContain('--all');
    const unknown = await cli(['segment', 'run', 'Platinum']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('No audience with the id or name "Platinum"');
  });
});
