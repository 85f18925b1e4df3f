// Parquet reader: column names are field paths, struct columns nest paths; rows are numbered by DuckDB's file_row_number.
//
// Values go to validation as text (CAST to VARCHAR; lists, maps and structs as JSON), so a Parquet column is
// compatible with a declared type when its values convert, exactly like CSV cells and JSON values.
import { DuckDBTypeId, type DuckDBType } from '@duckdb/node-api';
import type { ScalarFieldType } from '../lake-schema.js';
import { lakeSqlType, quoteIdentifier, sqlString, standardJsonSql, utcMillisecondsSql } from './ingestion-sql.js';
import { isDataError, STAGED_ROWS_TABLE, stagingSql, type ReaderInput, type ReaderOutcome } from './source-relation.js';
import type { EffectiveField } from './validation-sql.js';

/** A value the file holds at a path: its SQL (over `read_parquet`), its type, and whether it is a list/map/struct. */
interface ParquetLeaf {
  readonly path: string;
  readonly sql: string;
  readonly type: DuckDBType;
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
  // DuckDB cannot number the rows of a file that has a column named file_row_number: such a file is staged in
  // file order under internal column names (`$c<i>`) and numbered by position instead.
  const staged = names.some((name) => name.toLowerCase() === 'file_row_number');
  const column = (name: string, index: number) => (staged ? quoteIdentifier(`$c${index}`) : quoteIdentifier(name));
  const declared = new Set(input.fields.map((field) => field.path));
  const leaves = names.flatMap((name, index) => leavesOf(name, column(name, index), types[index] as DuckDBType, declared));
  const leafAt = new Map(leaves.map((leaf) => [leaf.path, leaf]));
  const unknown = leaves.find((leaf) => !declared.has(leaf.path) && leaf.path !== 'identityMap');
  const nativeFields = new Set<number>();
  const values = input.fields.flatMap((field) => {
    const leaf = leafAt.get(field.path);
    const native = leaf ? nativeValueSql(field, leaf) : undefined;
    if (!leaf || !native) return [`${leaf ? textSql(leaf) : 'NULL::VARCHAR'} AS v${field.index}`, `${leaf?.container ?? false} AS k${field.index}`];
    // Values that qualify are taken as they are (`n<i>`); the others go to the text conversions, which decide.
    nativeFields.add(field.index);
    return [
      `CASE WHEN ${native.qualifies} THEN ${native.value} END AS n${field.index}`,
      // A test that answers NULL for a value (e.g. epoch_us of an infinite timestamp) sends it to the text path too.
      `CASE WHEN coalesce(${native.qualifies}, false) THEN NULL ELSE ${textSql(leaf)} END AS v${field.index}`,
      `${leaf.container} AS k${field.index}`,
    ];
  });
  const recordParams = Object.fromEntries(names.map((name, index) => [`parquet_h${index}`, name]));
  const record =
    names.length === 0
      ? "'{}'::JSON"
      : `json_object(${names.map((name, index) => `$parquet_h${index}, ${standardJsonSql(`to_json(${column(name, index)})`, `CAST(${column(name, index)} AS VARCHAR)`)}`).join(', ')})`;
  const identityMap = leafAt.get('identityMap');
  const columns = [
    `${staged ? 'rowid' : 'file_row_number'} + 1 AS "$row"`,
    'NULL::VARCHAR AS "$problem"',
    `${record} AS "$record"`,
    `${unknown ? sqlString(unknown.path) : 'NULL'}::VARCHAR AS "$unknown"`,
    `${identityMap ? textSql(identityMap) : 'NULL'}::VARCHAR AS "$identity_map"`,
    ...values,
  ];
  const relation = {
    sql: `SELECT ${columns.join(', ')} FROM ${staged ? STAGED_ROWS_TABLE : 'read_parquet($parquet_path, file_row_number = true)'}`,
    params: { ...params, ...recordParams },
    hasIdentityMap: identityMap !== undefined,
    nativeFields,
      count: { sql: 'SELECT count(*) AS n FROM read_parquet($parquet_path)', params },
  };
  if (staged) {
    const copy = names.map((name, index) => `${quoteIdentifier(name)} AS ${column(name, index)}`).join(', ');
    const staging = stagingSql({ sql: `SELECT ${copy} FROM read_parquet($parquet_path)`, params });
    return { kind: 'rows', fastFailure: 'Parquet data is corrupt or truncated', fast: { ...relation, staging } };
  }
  return { kind: 'rows', fastFailure: 'Parquet data is corrupt or truncated', direct: relation, fast: relation };
}

/** Struct columns open into their fields (unless the struct itself sits at a declared path); anything else is a value. */
function leavesOf(path: string, sql: string, type: DuckDBType, declared: ReadonlySet<string>): ParquetLeaf[] {
  if (type.typeId === DuckDBTypeId.STRUCT && !declared.has(path)) {
    return type.entryNames.flatMap((name, index) =>
      leavesOf(`${path}.${name}`, `struct_extract(${sql}, ${sqlString(name)})`, type.entryTypes[index] as DuckDBType, declared),
    );
  }
  return [{ path, sql, type, container: CONTAINER_TYPES.has(type.typeId) }];
}

/** A leaf's value as validation's text: lists, maps and structs as JSON, scalars cast. */
function textSql(leaf: ParquetLeaf): string {
  return leaf.container ? `to_json(${leaf.sql})::VARCHAR` : `CAST(${leaf.sql} AS VARCHAR)`;
}

/**
 * A leaf whose Parquet type already holds the field's lake type needs no text conversion: `qualifies` is true for
 * the values the text path would convert to exactly `value` (the rest, e.g. a date past year 9999 or a list with
 * a null element, take the text path and its errors). Undefined when the leaf's type is not one of these.
 */
function nativeValueSql(field: EffectiveField, leaf: ParquetLeaf): { readonly qualifies: string; readonly value: string } | undefined {
  if (field.type === 'string') return undefined; // VARCHAR text is already the value
  if (field.type !== 'array') return nativeScalarSql(field.type, leaf.sql, leaf.type.typeId);
  if (leaf.type.typeId !== DuckDBTypeId.LIST) return undefined;
  const items = field.items ?? 'string';
  const element = items === 'string' ? (leaf.type.valueType.typeId === DuckDBTypeId.VARCHAR ? { qualifies: 'true', value: '"$el"' } : undefined) : nativeScalarSql(items, '"$el"', leaf.type.valueType.typeId);
  if (!element) return undefined;
  const elementsQualify = element.qualifies === 'true' ? '' : ` AND list_bool_and(list_transform(${leaf.sql}, lambda "$el": ${element.qualifies}))`;
  const value = element.value === '"$el"' ? leaf.sql : `list_transform(${leaf.sql}, lambda "$el": ${element.value})`;
  return { qualifies: `list_count(${leaf.sql}) = len(${leaf.sql})${elementsQualify}`, value: `${value}::${lakeSqlType('array', items)}` };
}

const INTEGER_TYPES = new Set<DuckDBTypeId>([DuckDBTypeId.TINYINT, DuckDBTypeId.SMALLINT, DuckDBTypeId.INTEGER, DuckDBTypeId.BIGINT, DuckDBTypeId.UTINYINT, DuckDBTypeId.USMALLINT, DuckDBTypeId.UINTEGER]);
const TIMESTAMP_TYPES = new Set<DuckDBTypeId>([DuckDBTypeId.TIMESTAMP, DuckDBTypeId.TIMESTAMP_MS, DuckDBTypeId.TIMESTAMP_S, DuckDBTypeId.TIMESTAMP_TZ]);

function nativeScalarSql(type: Exclude<ScalarFieldType, 'string'>, sql: string, typeId: DuckDBTypeId): { readonly qualifies: string; readonly value: string } | undefined {
  switch (type) {
    case 'integer':
      return INTEGER_TYPES.has(typeId) ? { qualifies: 'true', value: `${sql}::BIGINT` } : undefined;
    case 'number':
      // Integers and doubles print and re-read as the same double; FLOAT and DECIMAL do not.
      if (typeId === DuckDBTypeId.DOUBLE) return { qualifies: `isfinite(${sql})`, value: sql };
      return INTEGER_TYPES.has(typeId) ? { qualifies: 'true', value: `${sql}::DOUBLE` } : undefined;
    case 'boolean':
      return typeId === DuckDBTypeId.BOOLEAN ? { qualifies: 'true', value: sql } : undefined;
    case 'date':
      // Four-digit years print as YYYY-MM-DD, which is what the text path accepts.
      return typeId === DuckDBTypeId.DATE ? { qualifies: `${sql} BETWEEN DATE '1000-01-01' AND DATE '9999-12-31'`, value: sql } : undefined;
    case 'date-time': {
      if (!TIMESTAMP_TYPES.has(typeId)) return undefined;
      // The text path reads the printed instant (UTC) back and floors it to the millisecond.
      return { qualifies: `epoch_us(${sql}) BETWEEN epoch_us(TIMESTAMP '1000-01-01') AND epoch_us(TIMESTAMP '9999-12-31 23:59:59.999999')`, value: utcMillisecondsSql(sql) };
    }
  }
}

const CONTAINER_TYPES = new Set<DuckDBTypeId>([DuckDBTypeId.STRUCT, DuckDBTypeId.LIST, DuckDBTypeId.ARRAY, DuckDBTypeId.MAP, DuckDBTypeId.UNION]);
