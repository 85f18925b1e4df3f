// The data-lake vocabulary shared by the engine port and the domain: inline dataset schemas and row errors (SPEC §3.1, §3.4).

export type DatasetClass = 'profile' | 'experienceEvent';
export type ScalarFieldType = 'string' | 'integer' | 'number' | 'boolean' | 'date' | 'date-time';
export type FieldType = ScalarFieldType | 'array';

/** One declared field: a dot path and its type. */
export interface SchemaField {
  readonly path: string;
  readonly type: FieldType;
  /** Element type when `type` is `array`. */
  readonly items?: ScalarFieldType;
  readonly required: boolean;
}

/** A field that carries an identity of the record. */
export interface SchemaIdentity {
  /** A `string` field of the schema. */
  readonly path: string;
  readonly namespace: string;
  readonly primary: boolean;
}

/** The inline schema of a dataset. For experienceEvent datasets `timestamp` and `_id` are implicit. */
export interface DatasetSchema {
  readonly class: DatasetClass;
  readonly fields: readonly SchemaField[];
  readonly identities: readonly SchemaIdentity[];
  /** A `date-time` field whose value orders fragments in timestampOrdered merges. */
  readonly timestampField?: string;
}

/** The file formats a batch may be uploaded in. */
export type InputFormat = 'csv' | 'json' | 'parquet';

/** The codes of rejected rows and files (SPEC §3.4), plus INGESTION_INTERRUPTED for crashed batches. */
export type RowErrorCode =
  | 'MALFORMED_ROW'
  | 'UNKNOWN_FIELD'
  | 'TYPE_MISMATCH'
  | 'VALUE_OUT_OF_RANGE'
  | 'REQUIRED_FIELD_MISSING'
  | 'MISSING_PRIMARY_IDENTITY'
  | 'INVALID_IDENTITY'
  | 'INVALID_SEGMENT_MEMBERSHIP'
  | 'MISSING_TIMESTAMP'
  | 'RECORD_TOO_LARGE'
  | 'UNREADABLE_FILE';

/** A file that was read but held no data row (0 bytes, a CSV header only, `[]`, blank lines, a 0-row Parquet file). */
export interface FileWarning {
  readonly code: 'EMPTY_FILE';
  /** The client's file name. */
  readonly file: string;
}

/** One rejected row (or a whole file, row 0). Never carries the rejected value itself. */
export interface RowError {
  readonly file: string;
  /** 1-based data row within the file (CSV header not counted); 0 for file-level errors. */
  readonly row: number;
  readonly field?: string;
  readonly code: RowErrorCode;
  readonly message: string;
}
