// Integration: SQL compiled by @activator/pql (checkPql + compilePql, seg-contract §1) runs on the engine's relations.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkPql, compilePql, type FieldCatalogue } from '@activator/pql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fields, fixtureDataset, writeBatch, type FixtureDataset } from '../../../test/support/lake-fixtures.js';
import { SEGMENT_RELATIONS, type AudienceQuery, type ProfileScope } from '../engine.js';
import { DuckDbDatabase } from './duckdb-database.js';
import { DuckDbProfileEngine } from './duckdb-profiles.js';
import { DuckDbSegmentEngine } from './duckdb-segments.js';

const catalogue: FieldCatalogue = {
  profile: [
    { path: 'crmId', type: 'string' },
    { path: 'loyalty.points', type: 'integer' },
    { path: 'loyalty.joinDate', type: 'date' },
    { path: 'preferences.channels', type: 'array', items: 'string' },
  ],
  event: [
    { path: 'timestamp', type: 'date-time' },
    { path: '_id', type: 'string' },
    { path: 'page', type: 'string' },
    { path: 'amount', type: 'number' },
  ],
};
const NOW = new Date('2025-03-15T12:00:00Z');

describe('compiled PQL on the segment engine', () => {
  let db: DuckDbDatabase;
  let segments: DuckDbSegmentEngine;
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'activator-segments-pql-'));
  let crm: FixtureDataset;
  let web: FixtureDataset;
  const scope = (): ProfileScope => ({
    sandboxId: 'sb',
    profileDatasets: [crm],
    eventDatasets: [web],
    rules: { identityGraph: 'none', attributeMerge: { type: 'timestampOrdered' } },
    derivedDir: path.join(tmp, 'derived'),
  });
  const compile = (id: string, text: string): AudienceQuery => {
    const checked = checkPql(text, { catalogue, segment: (segmentId: string) => (segmentId === 'rich' ? { id: 'rich', mergePolicyId: 'mp', dependencies: [] } : undefined) });
    expect(checked.diagnostics.map((diagnostic) => diagnostic.message)).toEqual([]);
    if (checked.expression === undefined) throw new Error(`${text} did not check`);
    const compiled = compilePql(checked.expression, { dialect: 'duckdb', now: NOW, relations: SEGMENT_RELATIONS });
    return { id, sql: compiled.sql, parameters: compiled.parameters, fields: checked.fields };
  };

  beforeAll(async () => {
    db = await DuckDbDatabase.open({ memoryLimitMb: 512, threads: 2, tempDirectory: path.join(tmp, 'spill') });
    segments = new DuckDbSegmentEngine(db, new DuckDbProfileEngine(db));
    crm = fixtureDataset('ds-crm', {
      class: 'profile',
      fields: fields(['crmId', 'string'], ['loyalty.points', 'integer'], ['loyalty.joinDate', 'date'], ['preferences.channels', 'array', 'string']),
      identities: [{ path: 'crmId', namespace: 'CRMID', primary: true }],
    });
    web = fixtureDataset('ds-web', { class: 'experienceEvent', fields: fields(['crmId', 'string'], ['page', 'string'], ['amount', 'number']), identities: [{ path: 'crmId', namespace: 'CRMID', primary: true }] });
    const lake = path.join(tmp, 'lake');
    await writeBatch(db, lake, crm, {
      id: 'crm-b1',
      completedAt: '2025-01-01 00:00:00',
      records: [
        { identities: [['CRMID', 'C-1']], values: { crmId: 'C-1', 'loyalty.points': 1500, 'loyalty.joinDate': '2025-02-10', 'preferences.channels': ['email', 'sms'] } },
        { identities: [['CRMID', 'C-2']], values: { crmId: 'C-2', 'loyalty.points': 200, 'loyalty.joinDate': '2024-06-01', 'preferences.channels': [] } },
        { identities: [['CRMID', 'C-3']], values: { crmId: 'C-3' } },
      ],
    });
    await writeBatch(db, lake, web, {
      id: 'web-b1',
      completedAt: '2025-03-01 00:00:00',
      records: [
        { identities: [['CRMID', 'C-2']], eventId: 'e1', timestamp: '2025-03-10 08:00:00', values: { crmId: 'C-2', page: 'checkout', amount: 80 } },
        { identities: [['CRMID', 'C-2']], eventId: 'e2', timestamp: '2025-03-12 08:00:00', values: { crmId: 'C-2', page: 'checkout', amount: 40 } },
        { identities: [['CRMID', 'C-3']], eventId: 'e3', timestamp: '2025-01-12 08:00:00', values: { crmId: 'C-3', page: 'checkout', amount: 999 } },
      ],
    });
  });
  afterAll(() => {
    db?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('evaluates profile, array, date, event and inSegment predicates', async () => {
    const audiences = [
      compile('rich', 'loyalty.points >= 1000'),
      compile('notRich', 'not (loyalty.points >= 1000)'),
      compile('sms', 'preferences.channels.includes("sms")'),
      compile('joinedLastMonth', 'loyalty.joinDate occurs last month'),
      compile('spender', '(sum X.amount over X from xEvent where X.page = "checkout" and X.timestamp occurs <= 7 days before now) > 100'),
      compile('richOrSpender', 'inSegment("rich") or xEvent[page = "checkout"].count() >= 2'),
    ];
    const outputDir = path.join(tmp, 'out');
    const result = await segments.evaluateSegments({ scope: scope(), audiences, dependencies: new Map([['richOrSpender', ['rich']]]), previous: new Map(), evaluatedAt: NOW.getTime(), outputDir });
    const members: Record<string, string[]> = {};
    for (const outcome of result.audiences) {
      expect(outcome, outcome.id).toMatchObject({ ok: true });
      members[outcome.id] = (await segments.readSnapshot({ path: path.join(outputDir, `${outcome.id}.parquet`) })).map((row) => row.profileKey);
    }
    expect(members).toEqual({
      rich: ['CRMID:C-1'],
      notRich: ['CRMID:C-2', 'CRMID:C-3'],
      sms: ['CRMID:C-1'],
      joinedLastMonth: ['CRMID:C-1'],
      spender: ['CRMID:C-2'],
      richOrSpender: ['CRMID:C-1', 'CRMID:C-2'],
    });
  });
});
