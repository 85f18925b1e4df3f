// Parquet reader: column names are field paths, struct columns nest paths; rows are numbered by DuckDB's file_row_number.
//
// Values go to validation as text (CAST to VARCHAR; lists, maps and structs as JSON), so a Parquet column is
// compatible with a declared type when its values convert, exactly like CSV cells and JSON values.
import { DuckDBTypeId, type DuckDBType } from '@duckdb/node-api';
import { quoteIdentifier, sqlString, standardJsonSql } from './ingestion-sql.js';
import { isDataError, type ReaderInput, type ReaderOutcome } from './source-relation.js';

/** A value the file holds at a path: its SQL (over `read_parquet`) and whether it is a list/map/struct. */
interface ParquetLeaf {
  readonly path: string;
  readonly sql: string;
  readonly container: boolean;
}

/** Opens a Parquet file for validation (its footer is read here: a corrupt file is UNREADABLE_FILE). */
export async function openParquetSource(input: ReaderInput): Promise<ReaderOutcome> {
  const params = { parquet_path: input.path };
  let names: string[];
  let types: DuckDBType[];
  try {
    const described = await input.connection.runAndReadAll('SELECT * FROM read_parquet($parquet_path) LIMIT 0', params);
    names = described.columnNames();
    types = described.columnTypes();
  } catch (error) {
    if (!isDataError(error)) throw error;
    return { kind: 'unreadable', reason: 'not a readable Parquet file (corrupt, truncated or another format)' };
  }
  const declared = new Set(input.fields.map((field) => field.path));
  const leaves = names.flatMap((name, index) => leavesOf(name, quoteIdentifier(name), types[index] as DuckDBType, declared));
  const leafAt = new Map(leaves.map((leaf) => [leaf.path, leaf]));
  const unknown = leaves.find((leaf) => !declared.has(leaf.path) && leaf.path !== 'identityMap');
  const values = input.fields.flatMap((field) => {
    const leaf = leafAt.get(field.path);
    return [`${leaf ? leaf.sql : 'NULL::VARCHAR'} AS v${field.index}`, `${leaf?.container ?? false} AS k${field.index}`];
  });
  const recordParams = Object.fromEntries(names.map((name, index) => [`parquet_h${index}`, name]));
  const record =
    names.length === 0
      ? "'{}'::JSON"
      : `json_object(${names.map((name, index) => `$parquet_h${index}, ${standardJsonSql(`to_json(${quoteIdentifier(name)})`, `CAST(${quoteIdentifier(name)} AS VARCHAR)`)}`).join(', ')})`;
  const identityMap = leafAt.get('identityMap');
  const columns = [
    'file_row_number + 1 AS _row',
    'NULL::VARCHAR AS _problem',
    `${record} AS _record`,
    `${unknown ? sqlString(unknown.path) : 'NULL'}::VARCHAR AS _unknown`,
    `${identityMap ? identityMap.sql : 'NULL'}::VARCHAR AS _identity_map`,
    ...values,
  ];
  return {
    kind: 'rows',
    fastFailure: 'Parquet data is corrupt or truncated',
    fast: {
      sql: `SELECT ${columns.join(', ')} FROM read_parquet($parquet_path, file_row_number = true)`,
      params: { ...params, ...recordParams },
      hasIdentityMap: identityMap !== undefined,
      count: { sql: 'SELECT count(*) AS n FROM read_parquet($parquet_path)', params },
    },
  };
}

/** Struct columns open into their fields (unless the struct itself sits at a declared path); anything else is a value. */
function leavesOf(path: string, sql: string, type: DuckDBType, declared: ReadonlySet<string>): ParquetLeaf[] {
  if (type.typeId === DuckDBTypeId.STRUCT && !declared.has(path)) {
    return type.entryNames.flatMap((name, index) =>
      leavesOf(`${path}.${name}`, `struct_extract(${sql}, ${sqlString(name)})`, type.entryTypes[index] as DuckDBType, declared),
    );
  }
  const container = CONTAINER_TYPES.has(type.typeId);
  return [{ path, sql: container ? `to_json(${sql})::VARCHAR` : `CAST(${sql} AS VARCHAR)`, container }];
}

const CONTAINER_TYPES = new Set<DuckDBTypeId>([DuckDBTypeId.STRUCT, DuckDBTypeId.LIST, DuckDBTypeId.ARRAY, DuckDBTypeId.MAP, DuckDBTypeId.UNION]);
