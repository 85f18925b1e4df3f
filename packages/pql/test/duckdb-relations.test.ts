// The test harness builds the relations of contract §1 exactly: column names, types, NULLs, lists and UTC timestamps.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DuckDBConnection } from '@duckdb/node-api';
import { loadWorld, openTestDuckDb, selectMembers } from './support/duckdb-relations.js';
import type { TestWorld } from './support/fixture.js';

const world: TestWorld = {
  catalogue: {
    profile: [
      { path: 'person.name', type: 'string' },
      { path: 'loyalty.points', type: 'integer' },
      { path: 'score', type: 'number' },
      { path: 'consent.marketing', type: 'boolean' },
      { path: 'joinDate', type: 'date' },
      { path: 'lastPurchaseAt', type: 'date-time' },
      { path: 'channels', type: 'array', items: 'string' },
      { path: 'lucky', type: 'array', items: 'integer' },
      { path: 'odd"name', type: 'string' },
    ],
    event: [
      { path: 'timestamp', type: 'date-time' },
      { path: '_id', type: 'string' },
      { path: 'eventType', type: 'string' },
      { path: 'commerce.order.priceTotal', type: 'number' },
    ],
  },
  profiles: [
    {
      id: 1,
      attributes: {
        'person.name': 'Zoë', 'loyalty.points': 9_007_199_254_740_991, score: 1.5, 'consent.marketing': false,
        joinDate: '2024-02-29', lastPurchaseAt: '2024-12-31T23:59:59.999Z', channels: ['email', ''], lucky: [], 'odd"name': 'x',
      },
      events: [
        { timestamp: '2025-01-01T00:00:00.000Z', eventType: 'purchase', 'commerce.order.priceTotal': 12.25 },
        { timestamp: '2025-01-02T10:00:00.000Z', _id: 'own-id' },
      ],
    },
    { id: 2, attributes: { 'person.name': null }, events: [] },
  ],
  memberships: { 'seg-a': [2], 'seg-b': [] },
};

describe('loadWorld', () => {
  let db: Awaited<ReturnType<typeof openTestDuckDb>>;
  let connection: DuckDBConnection;
  beforeAll(async () => {
    db = await openTestDuckDb();
    connection = db.connection;
    await loadWorld(connection, world);
  });
  afterAll(() => db.close());

  const describeTable = async (table: string): Promise<[string, string][]> =>
    (await connection.runAndReadAll(`SELECT column_name, column_type FROM (DESCRIBE ${table})`)).getRowsJS()
      .map((row) => [row[0] as string, row[1] as string]);

  it('types every profile column per contract §1, named by the exact path', async () => {
    expect(await describeTable('"$profiles"')).toEqual([
      ['$profile', 'BIGINT'], ['person.name', 'VARCHAR'], ['loyalty.points', 'BIGINT'], ['score', 'DOUBLE'],
      ['consent.marketing', 'BOOLEAN'], ['joinDate', 'DATE'], ['lastPurchaseAt', 'TIMESTAMP'],
      ['channels', 'VARCHAR[]'], ['lucky', 'BIGINT[]'], ['odd"name', 'VARCHAR'],
    ]);
  });

  it('types the event and membership columns, with timestamp and _id', async () => {
    expect(await describeTable('"$events"')).toEqual([
      ['$profile', 'BIGINT'], ['timestamp', 'TIMESTAMP'], ['_id', 'VARCHAR'], ['eventType', 'VARCHAR'],
      ['commerce.order.priceTotal', 'DOUBLE'],
    ]);
    expect(await describeTable('"$memberships"')).toEqual([['$segment', 'VARCHAR'], ['$profile', 'BIGINT']]);
  });

  it('stores values exactly: big integers, unicode, leap days, UTC wall time to the millisecond, lists', async () => {
    const rows = (await connection.runAndReadAll(`SELECT "loyalty.points"::VARCHAR AS points, "person.name" AS name,
      strftime("joinDate", '%Y-%m-%d') AS joined, strftime("lastPurchaseAt", '%Y-%m-%dT%H:%M:%S.%g') AS purchased,
      epoch_ms("lastPurchaseAt") AS ms, "channels" AS channels, len("lucky") AS lucky, "odd""name" AS odd, "score" AS score,
      "consent.marketing" AS consent
      FROM "$profiles" WHERE "$profile" = 1`)).getRowObjectsJS();
    expect(rows).toEqual([{
      points: '9007199254740991', name: 'Zoë', joined: '2024-02-29', purchased: '2024-12-31T23:59:59.999',
      ms: BigInt(Date.UTC(2024, 11, 31, 23, 59, 59, 999)), channels: ['email', ''], lucky: 0n, odd: 'x', score: 1.5, consent: false,
    }]);
  });

  it('stores missing attributes as NULL', async () => {
    const rows = (await connection.runAndReadAll(`SELECT count(*) FILTER (WHERE "person.name" IS NULL AND "loyalty.points" IS NULL
      AND "channels" IS NULL AND "joinDate" IS NULL AND "lastPurchaseAt" IS NULL AND "consent.marketing" IS NULL) AS missing
      FROM "$profiles" WHERE "$profile" = 2`)).getRowObjectsJS();
    expect(rows).toEqual([{ missing: 1n }]);
  });

  it('stores events with their profile, a default _id and NULL for absent fields', async () => {
    const rows = (await connection.runAndReadAll(`SELECT "$profile" AS p, "_id" AS id, "eventType" AS type,
      "commerce.order.priceTotal" AS price, epoch_ms("timestamp") AS ms FROM "$events" ORDER BY ms`)).getRowObjectsJS();
    expect(rows).toEqual([
      { p: 1n, id: '1-0', type: 'purchase', price: 12.25, ms: BigInt(Date.UTC(2025, 0, 1)) },
      { p: 1n, id: 'own-id', type: null, price: null, ms: BigInt(Date.UTC(2025, 0, 2, 10)) },
    ]);
  });

  it('runs a statement with positional parameters and returns sorted member ids', async () => {
    expect(await selectMembers(connection, { sql: 'SELECT p."$profile" FROM "$profiles" AS p WHERE coalesce(p."person.name" = $1, false) OR p."$profile" IN (SELECT "$profile" FROM "$memberships" WHERE "$segment" = $2)', parameters: ['Zoë', 'seg-a'] }))
      .toEqual([1, 2]);
    expect(await selectMembers(connection, { sql: 'SELECT p."$profile" FROM "$profiles" AS p WHERE p."$profile" > $1', parameters: [5] })).toEqual([]);
  });

  it('refuses values that do not fit the catalogue, and replaces a previous world', async () => {
    const bad: TestWorld = { ...world, profiles: [{ id: 3, attributes: { joinDate: '2023-02-29' }, events: [] }] };
    await expect(loadWorld(connection, bad)).rejects.toThrow(/not a date/);
    const other: TestWorld = { catalogue: { profile: [{ path: 'a', type: 'integer' }], event: [] }, profiles: [{ id: 7, attributes: {}, events: [] }], memberships: {} };
    await loadWorld(connection, other);
    expect(await describeTable('"$profiles"')).toEqual([['$profile', 'BIGINT'], ['a', 'BIGINT']]);
    expect(await selectMembers(connection, { sql: 'SELECT p."$profile" FROM "$profiles" AS p', parameters: [] })).toEqual([7]);
    await loadWorld(connection, world);
  });
});
