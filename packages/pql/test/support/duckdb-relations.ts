// Builds the segment relations of contract §1 ("$profiles", "$events", "$memberships") from a TestWorld in DuckDB,
// and runs a compiled audience statement over them. Values go through appenders, never into SQL text.
import {
  DuckDBInstance, LIST, VARCHAR, BIGINT, DOUBLE, BOOLEAN, DATE, TIMESTAMP, dateValue, listValue, timestampValue,
  type DuckDBConnection, type DuckDBType, type DuckDBValue,
} from '@duckdb/node-api';
import { assertWorldFitsCatalogue, eventFields, eventId, type CatalogueField, type ScalarType, type TestWorld } from './fixture.js';

/** The relation names the harness binds, to pass as `relations` to `compilePql`. */
export const TEST_RELATIONS = { profiles: '"$profiles"', events: '"$events"', memberships: '"$memberships"' } as const;

/** What `compilePql` returns (contract §1), structurally. */
export interface CompiledStatement {
  readonly sql: string;
  readonly parameters: readonly (string | number | boolean | bigint)[];
}

/** A fresh in-memory DuckDB and one connection with `TimeZone = 'UTC'`; `close()` releases both. */
export async function openTestDuckDb(): Promise<{ readonly connection: DuckDBConnection; close(): void }> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '1', autoinstall_known_extensions: 'false' });
  const connection = await instance.connect();
  await connection.run("SET TimeZone = 'UTC'");
  return {
    connection,
    close: () => {
      connection.closeSync();
      instance.closeSync();
    },
  };
}

/** A catalogue path as a quoted SQL identifier (`"` doubled), as contract §1 names the columns. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

const SCALAR_TYPES: Readonly<Record<ScalarType, DuckDBType>> = {
  string: VARCHAR, integer: BIGINT, number: DOUBLE, boolean: BOOLEAN, date: DATE, 'date-time': TIMESTAMP,
};

/** The DuckDB type of a catalogue field (contract §1). */
export function columnType(field: CatalogueField): DuckDBType {
  if (field.type !== 'array') return SCALAR_TYPES[field.type];
  if (field.items === undefined) throw new Error(`array field "${field.path}" has no item type`);
  return LIST(SCALAR_TYPES[field.items]);
}

const MS_PER_DAY = 86_400_000;

/** A fixture value (already validated against its type) as a DuckDB value. */
function toDuckValue(value: unknown, type: CatalogueField['type'], items?: ScalarType): DuckDBValue {
  switch (type) {
    case 'string': return value as string;
    case 'integer': return BigInt(value as number);
    case 'number': return value as number;
    case 'boolean': return value as boolean;
    case 'date': return dateValue(Date.parse(`${value as string}T00:00:00.000Z`) / MS_PER_DAY);
    case 'date-time': return timestampValue(BigInt(Date.parse(value as string)) * 1000n);
    case 'array': return listValue((value as readonly unknown[]).map((item) => toDuckValue(item, items as ScalarType)));
  }
}

interface Column { readonly name: string; readonly type: DuckDBType; readonly field?: CatalogueField }

/** `CREATE OR REPLACE TABLE` statements for `tables`, run as one batch (one round trip per world). */
async function createTables(connection: DuckDBConnection, tables: readonly (readonly [string, readonly Column[]])[]): Promise<void> {
  const statements = tables.map(([table, columns]) =>
    `CREATE OR REPLACE TABLE ${table} (${columns.map((column) => `${quoteIdentifier(column.name)} ${column.type.toString()}`).join(', ')})`);
  await connection.run(statements.join(';\n'));
}

/** Appends `rows` (values per column name; absent or null = NULL) to `table` through an appender. */
async function appendRows(connection: DuckDBConnection, table: string, columns: readonly Column[],
  rows: Iterable<{ readonly [name: string]: unknown }>): Promise<void> {
  const appender = await connection.createAppender(table.slice(1, -1));
  try {
    for (const row of rows) {
      for (const column of columns) {
        const value = row[column.name];
        if (value === null || value === undefined) {
          appender.appendNull();
        } else if (column.field !== undefined) {
          appender.appendValue(toDuckValue(value, column.field.type, column.field.items), column.type);
        } else {
          appender.appendValue(value as DuckDBValue, column.type);
        }
      }
      appender.endRow();
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
}

const fieldColumn = (field: CatalogueField): Column => ({ name: field.path, type: columnType(field), field });

/**
 * (Re)creates `"$profiles"`, `"$events"` and `"$memberships"` on `connection` with the rows of `world`,
 * typed exactly per contract §1. Throws when a value does not fit the catalogue.
 */
export async function loadWorld(connection: DuckDBConnection, world: TestWorld): Promise<void> {
  assertWorldFitsCatalogue(world);
  const profileColumns: Column[] = [{ name: '$profile', type: BIGINT }, ...world.catalogue.profile.map(fieldColumn)];
  const eventColumns: Column[] = [{ name: '$profile', type: BIGINT }, ...eventFields(world.catalogue).map(fieldColumn)];
  const membershipColumns: Column[] = [{ name: '$segment', type: VARCHAR }, { name: '$profile', type: BIGINT }];
  await createTables(connection, [
    [TEST_RELATIONS.profiles, profileColumns], [TEST_RELATIONS.events, eventColumns], [TEST_RELATIONS.memberships, membershipColumns],
  ]);
  await appendRows(connection, TEST_RELATIONS.profiles, profileColumns,
    world.profiles.map((profile) => ({ ...profile.attributes, $profile: BigInt(profile.id) })));
  await appendRows(connection, TEST_RELATIONS.events, eventColumns, world.profiles.flatMap((profile) =>
    profile.events.map((event, index) => ({ ...event, _id: eventId(profile, index), $profile: BigInt(profile.id) }))));
  await appendRows(connection, TEST_RELATIONS.memberships, membershipColumns,
    Object.entries(world.memberships).flatMap(([segment, ids]) => ids.map((id) => ({ $segment: segment, $profile: BigInt(id) }))));
}

/** Runs a compiled audience statement (`SELECT p."$profile" …`, parameters `$1…$n`); the member ids, sorted ascending. */
export async function selectMembers(connection: DuckDBConnection, compiled: CompiledStatement): Promise<number[]> {
  const reader = await connection.runAndReadAll(compiled.sql, [...compiled.parameters]);
  const ids = reader.getRowsJS().map((row) => {
    if (row.length !== 1) throw new Error(`a compiled audience must select one column, got ${row.length}`);
    return Number(row[0]);
  });
  return ids.sort((a, b) => a - b);
}
