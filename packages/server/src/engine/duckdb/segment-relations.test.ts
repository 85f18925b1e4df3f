// "$profiles" and "$events" (segment-relations.ts) against the lookups (duckdb-profiles.ts, profile-merge.ts) on random
// lakes: every profile's merged values in SQL equal lookupProfile's attributes, every profile's events profileEvents'.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fields, fixtureDataset, writeBatch, type FixtureDataset, type FixtureRecord } from '../../../test/support/lake-fixtures.js';
import type { MergeRules, ProfileScope } from '../engine.js';
import type { SchemaField } from '../lake-schema.js';
import { DuckDbDatabase } from './duckdb-database.js';
import { DuckDbProfileEngine } from './duckdb-profiles.js';
import { nestAttributes } from './profile-values.js';
import { createEventsRelation, createProfilesRelation, splitFields } from './segment-relations.js';
import { readAllShardsSql } from './sharded-parquet.js';
import { seededRandom } from '../../../test/support/seeded-random.js';

const random = seededRandom;

// Paths shared by several datasets (one attribute), of every type.
const SHARED = fields(
  ['name', 'string'],
  ['loyalty.points', 'integer'],
  ['score', 'number'],
  ['vip', 'boolean'],
  ['birthDate', 'date'],
  ['seenAt', 'date-time'],
  ['tags', 'array', 'string'],
  ['codes', 'array', 'integer'],
  // Named like columns of the engine's own tables (graph, fragments): plain user paths all the same.
  ['profile', 'string'],
  ['node', 'integer'],
);
const TIMES = ['2025-01-01 00:00:00', '2025-01-02 00:00:00', '2025-01-02 00:00:00.5'];

function value(field: SchemaField, next: () => number): unknown {
  const pick = <T,>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  if (next() < 0.35) return null;
  switch (field.type) {
    case 'string':
      return pick(['', 'a', 'b', 'Zed', "o'k"]);
    case 'integer':
      return pick([0, 1, -7, 1200]);
    case 'number':
      return pick([0.1, 2.5, -1e-7, 1 / 3, 123456.789]);
    case 'boolean':
      return next() < 0.5;
    case 'date':
      return pick(['1990-05-06', '2024-02-29']);
    case 'date-time':
      return pick(['2025-03-01 12:00:00.123', '1999-12-31 23:59:59']);
    default:
      return field.items === 'integer' ? pick([[], [1, 2], [3]]) : pick([[], ['x'], ['y', 'z']]);
  }
}

describe('segment relations equal the lookups', () => {
  let db: DuckDbDatabase;
  let engine: DuckDbProfileEngine;
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'activator-seg-relations-'));
  const lake = path.join(tmp, 'lake');
  const datasets: FixtureDataset[] = [];
  let web: FixtureDataset;
  const scope = (rules: MergeRules): ProfileScope => ({ sandboxId: 'sb', profileDatasets: datasets, eventDatasets: [web], rules, derivedDir: path.join(tmp, 'derived') });

  beforeAll(async () => {
    db = await DuckDbDatabase.open({ memoryLimitMb: 512, threads: 2, tempDirectory: path.join(tmp, 'spill') });
    engine = new DuckDbProfileEngine(db);
    const next = random(20261207);
    const filler = (count: number) => Array.from({ length: count }, (_, j) => fields([`wide.f${j}`, j % 3 === 0 ? 'integer' : 'string'])[0] as SchemaField);
    const identity = (): [string, string] => (next() < 0.5 ? ['CRMID', `C-${Math.floor(next() * 20)}`] : ['Email', `e${Math.floor(next() * 15)}@x.com`]);
    const specs = [
      { id: 'ds-a', fields: [...SHARED.slice(0, 5), ...fields(['a.only', 'string'])], timestampField: undefined },
      { id: 'ds-b', fields: [...SHARED, ...fields(['updatedAt', 'date-time'])], timestampField: 'updatedAt' },
      // Over 64 fields: stored in the long form.
      { id: 'ds-w', fields: [...SHARED.slice(2), ...filler(70)], timestampField: undefined },
    ];
    for (const spec of specs) {
      const dataset = fixtureDataset(spec.id, { class: 'profile', fields: [...fields(['crmId', 'string']), ...spec.fields], identities: [], ...(spec.timestampField ? { timestampField: spec.timestampField } : {}) });
      datasets.push(dataset);
      for (let batch = 0; batch < 2; batch++) {
        const records: FixtureRecord[] = Array.from({ length: 20 }, (_, row) => {
          const first = identity();
          const identities: [string, string][] = next() < 0.1 ? [first, identity()] : [first];
          const values = Object.fromEntries(dataset.schema.fields.map((field) => [field.path, value(field, next)]));
          const time = TIMES[Math.floor(next() * TIMES.length)] as string;
          if (spec.timestampField) values[spec.timestampField] = time;
          // Equal times, batches and rows in two files of a batch: ties broken by file name, then row.
          const part = row % 2;
          return { identities, time, values, part, file: `in-${part}.csv`, row: Math.floor(row / 2) + 1 };
        });
        await writeBatch(db, lake, dataset, { id: `${spec.id}-${batch}`, completedAt: TIMES[batch] as string, records });
      }
    }
    web = fixtureDataset('ds-web', { class: 'experienceEvent', fields: fields(['page', 'string'], ['amount', 'number']), identities: [] });
    const events: FixtureRecord[] = Array.from({ length: 40 }, (_, index) => ({
      identities: index % 5 === 0 ? [['ECID', `E-${index % 10}`], identity()] : [['ECID', `E-${index % 10}`]],
      timestamp: `2025-02-${String(1 + (index % 9)).padStart(2, '0')} 10:00:00`,
      eventId: index % 10 === 9 ? `ev-${index - 1}` : `ev-${index}`,
      values: { page: `/p${index % 4}`, amount: index % 3 === 0 ? null : index / 2 },
    }));
    await writeBatch(db, lake, web, { id: 'web-0', completedAt: '2025-03-01 00:00:00', records: events });
  }, 60_000);
  afterAll(() => {
    db.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  const union = () => {
    const byPath = new Map<string, SchemaField>();
    for (const dataset of datasets) for (const field of dataset.schema.fields) if (!byPath.has(field.path)) byPath.set(field.path, field);
    return [...byPath.values()];
  };
  const rulesList: MergeRules[] = [
    { identityGraph: 'pdg', attributeMerge: { type: 'timestampOrdered' } },
    { identityGraph: 'none', attributeMerge: { type: 'timestampOrdered' } },
    { identityGraph: 'pdg', attributeMerge: { type: 'dataSetPrecedence', order: ['ds-w', 'ds-a'] } },
    { identityGraph: 'none', attributeMerge: { type: 'dataSetPrecedence', order: ['ds-b', 'ds-w'] } },
  ];

  it.each(rulesList)('merges every profile exactly as lookupProfile does (%j)', async (rules) => {
    const fieldsUsed = union();
    const tables = await engine.derivedTables(scope(rules));
    const rows = await db.withConnection(async (connection) => {
      const input = { scope: scope(rules), tables, fields: [...fieldsUsed.map((field) => field.path), 'xEvent.page', 'xEvent.timestamp'] };
      await createProfilesRelation(connection, input);
      await createEventsRelation(connection, { ...input, identities: readAllShardsSql(tables.identities), materialise: rules.identityGraph === 'pdg' });
      const profiles = await connection.runAndReadAll(
        `SELECT p.*, k.ns AS "$ns", k.id AS "$id" FROM "$profiles" p JOIN ${readAllShardsSql(tables.identities)} k ON k.node = p."$profile" ORDER BY p."$profile"`,
      );
      const events = await connection.runAndReadAll('SELECT "$profile", "_id", epoch_ms("timestamp") AS ms, page FROM "$events" ORDER BY "$profile", "_id"');
      return { profiles: profiles.getRowObjectsJS(), events: events.getRowObjectsJS() };
    });
    expect(rows.profiles.length).toBe(await engine.countProfiles(scope(rules)));
    expect(rows.profiles.length).toBeGreaterThan(10);
    let withValues = 0;
    // Lookups run concurrently (each on its own connection): the test stays quick on a busy machine.
    const checks = rows.profiles.map(async (row) => {
      const identity = { namespace: row['$ns'] as string, id: row['$id'] as string };
      const lookup = await engine.lookupProfile(scope(rules), identity);
      const attributes = nestAttributes(row, fieldsUsed);
      expect(attributes, JSON.stringify(identity)).toEqual(lookup?.attributes);
      if (Object.keys(attributes).length > 0) withValues++;
      if (rules.attributeMerge.type !== 'timestampOrdered') return;
      const events = rows.events.filter((event) => event['$profile'] === row['$profile']).map((event) => ({ id: event['_id'], ms: Number(event['ms']), page: event['page'] }));
      const expected = (await engine.profileEvents(scope(rules), identity, { limit: 1000 })).map((event) => ({ id: event.eventId, ms: event.timestamp, page: event.attributes['page'] }));
      expect(events).toEqual(expected.sort((a, b) => (String(a.id) < String(b.id) ? -1 : 1)));
    });
    await Promise.all(checks);
    expect(withValues).toBeGreaterThan(5);
  });

  it('materialises only the columns used', async () => {
    const rules = rulesList[0] as MergeRules;
    const tables = await engine.derivedTables(scope(rules));
    const columns = await db.withConnection(async (connection) => {
      const input = { scope: scope(rules), tables, fields: ['wide.f3', 'nowhere.declared', 'xEvent.amount', 'xEvent._id', 'xEvent.elsewhere'] };
      await createProfilesRelation(connection, input);
      await createEventsRelation(connection, { ...input, identities: readAllShardsSql(tables.identities), materialise: rules.identityGraph === 'pdg' });
      const describe = async (table: string) =>
        (await connection.runAndReadAll(`DESCRIBE ${table}`)).getRowObjectsJS().map((row) => `${row['column_name'] as string} ${row['column_type'] as string}`);
      // A path no dataset of the scope declares is missing everywhere, whatever type an audience compares it with.
      const undeclared = await connection.runAndReadAll(
        'SELECT count(*)::INTEGER AS n FROM "$profiles" p WHERE coalesce(p."nowhere.declared" >= $1, false) OR EXISTS (SELECT 1 FROM "$events" e WHERE e."elsewhere" < $2)',
        [5, 2.5],
      );
      // (DESCRIBE shows the untyped NULL columns as INTEGER; queries see them as NULL.)
      const untyped = await connection.runAndReadAll('SELECT DISTINCT typeof(p."nowhere.declared") AS p, typeof(e."elsewhere") AS e FROM "$profiles" p, "$events" e');
      return { profiles: await describe('"$profiles"'), events: await describe('"$events"'), undeclared: undeclared.getRowObjectsJS(), untyped: untyped.getRowObjectsJS() };
    });
    expect(columns.profiles).toEqual(['$profile BIGINT', 'wide.f3 BIGINT', 'nowhere.declared INTEGER']);
    expect(columns.events).toEqual(['$profile BIGINT', 'timestamp TIMESTAMP', '_id VARCHAR', 'amount DOUBLE', 'elsewhere INTEGER']);
    expect(columns.untyped).toEqual([{ p: '"NULL"', e: '"NULL"' }]);
    expect(columns.undeclared).toEqual([{ n: 0 }]);
    expect(splitFields(['a', 'xEvent.b', 'xEvent.timestamp', 'a'])).toEqual({ profile: ['a'], event: ['b'] });
  });
});
