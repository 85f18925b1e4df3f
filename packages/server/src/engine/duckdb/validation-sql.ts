// Turns a reader's text relation into validated rows: typed values, identities and one error per rejected row, all in SQL.
//
// Readers (CSV, JSON, Parquet) produce a SourceRelation; this module stacks three SELECTs on it (convert,
// identities, first error) and projects either the lake columns of valid rows or the error rows.
import type { DatasetSchema, RowErrorCode, SchemaField } from '../lake-schema.js';
import { segmentMembershipColumnsSql } from './segment-membership-sql.js';
import { identityMapColumnsSql, identityOutcomeSql, schemaIdentityIdSql, type SchemaIdentitySql } from './identity-sql.js';
import {
  convertArraySql,
  convertScalarSql,
  fieldErrorMessage,
  invalidValueSql,
  lakeSqlType,
  quoteIdentifier,
  sqlString,
  type BoundSql,
  type ConversionSql,
} from './ingestion-sql.js';
import { lakeFieldColumn } from './lake-format.js';
import { RECORD_TOO_LARGE_PREFIX, type SourceRelation } from './source-relation.js';

/** A field as ingestion validates it: declared, or implicit in experienceEvent datasets. */
export interface EffectiveField extends SchemaField {
  /** Position in the effective field list: the reader names its columns `v<index>` / `k<index>`. */
  readonly index: number;
  readonly role: 'declared' | 'eventTimestamp' | 'eventId';
}

/** Per-file values bound into the validated SQL. */
export interface FileContext {
  readonly fileIndex: number;
  readonly fileName: string;
  readonly completedAt: number;
}

/** Events validate an implicit required `timestamp` first and an optional `_id` last (SPEC §3.1). */
export function effectiveFields(schema: DatasetSchema): EffectiveField[] {
  if (schema.class !== 'experienceEvent') return schema.fields.map((field, index) => ({ ...field, index, role: 'declared' }));
  const declared = schema.fields.filter((field) => field.path !== 'timestamp' && field.path !== '_id');
  const fields: Omit<EffectiveField, 'index'>[] = [
    { path: 'timestamp', type: 'date-time', required: true, role: 'eventTimestamp' },
    ...declared.map((field) => ({ ...field, role: 'declared' as const })),
    { path: '_id', type: 'string', required: false, role: 'eventId' },
  ];
  return fields.map((field, index) => ({ ...field, index }));
}

const ERROR_STRUCT = 'STRUCT(code VARCHAR, field VARCHAR, message VARCHAR)';

/**
 * Validated rows: `"$row"`, `"$record"`, `t<i>` typed values, `"$idm_entries"` (identityMap sources), `"$primary"`, `"$valid"` and `"$err"`
 * (`{code, field, message}`, only meaningful when `"$valid"` is false).
 *
 * `"$valid"` carries a `random()` on purpose: a volatile expression is an optimizer barrier, so the lake pass's
 * `WHERE "$valid"` is evaluated on the computed columns instead of being pushed down (which would inline and
 * compute every conversion twice).
 */
export interface ValidatedSql extends BoundSql {
  /** Whether rows may carry identityMap identities (`"$idm_entries"`). */
  readonly hasIdentityMap: boolean;
  /** Whether rows may carry a segmentMembership (`"$sm_text"`, canonical JSON text or NULL). */
  readonly hasSegmentMembership: boolean;
}

export function validatedRowsSql(schema: DatasetSchema, source: Pick<SourceRelation, 'sql' | 'params' | 'hasIdentityMap' | 'hasSegmentMembership' | 'nativeFields'>): ValidatedSql {
  const fields = effectiveFields(schema);
  const byPath = new Map(fields.map((field) => [field.path, field]));
  const primaryPath = schema.identities.find((identity) => identity.primary)?.path;
  // The primary identity's id is a column (every row needs it); the others are expressions used only by rows without one.
  const idOf = (identity: (typeof schema.identities)[number]) => {
    const field = byPath.get(identity.path) as EffectiveField;
    return schemaIdentityIdSql(identity.namespace, `(CASE WHEN NOT k${field.index} THEN v${field.index} END)`);
  };
  const identities: SchemaIdentitySql[] = schema.identities.map((identity, index) => {
    const field = byPath.get(identity.path);
    if (!field) throw new Error(`Identity field ${identity.path} is not declared`);
    return { namespace: identity.namespace, path: identity.path, id: identity.primary ? `id${index}` : `(${idOf(identity)})`, primary: identity.primary, required: field.required };
  });
  const conversions = new Map(fields.map((field) => [field.index, conversionOf(field)]));
  const native = source.nativeFields ?? new Set<number>();
  const typed = fields.map((field) => {
    const converted = `CASE WHEN v${field.index} IS NOT NULL THEN ${conversions.get(field.index)?.value} END`;
    return `${native.has(field.index) ? `coalesce(n${field.index}, ${converted})` : converted} AS t${field.index}`;
  });
  const identityIds = schema.identities.flatMap((identity, index) => (identity.primary ? [`${idOf(identity)} AS id${index}`] : []));
  const identityMap = source.hasIdentityMap ? identityMapColumnsSql('"$idm"', '"$identity_map"') : [];
  const outcome = identityOutcomeSql(identities, source.hasIdentityMap);
  const membership = source.hasSegmentMembership === true ? segmentMembershipColumnsSql('"$segment_membership"') : undefined;
  const withIdm = source.hasIdentityMap ? `SELECT *, TRY_CAST("$identity_map" AS JSON) AS "$idm" FROM (${source.sql})` : source.sql;
  const parsed = membership ? `SELECT *, ${membership.second.join(', ')} FROM (SELECT *, ${membership.first.join(', ')} FROM (${withIdm}))` : withIdm;
  const convert = `SELECT ${['*', ...typed, ...identityIds, ...identityMap].join(', ')} FROM (${parsed})`;
  const withIdentities = outcome.extraColumns.length === 0 ? convert : `SELECT *, ${outcome.extraColumns.join(', ')} FROM (${convert})`;
  const withPrimary = `SELECT *, ${outcome.primary} AS "$primary" FROM (${withIdentities})`;
  const codes = fields.map(
    (field) => `${errorCodeSql(field, conversions.get(field.index)?.failure ?? 'NULL', field.path === primaryPath, native.has(field.index))} AS e${field.index}`,
  );
  const checked = `SELECT ${['*', ...codes, `(${outcome.error})::${ERROR_STRUCT} AS "$identity_error"`].join(', ')} FROM (${withPrimary})`;
  const valid = [
    '"$problem" IS NULL', '"$unknown" IS NULL', ...fields.map((field) => `e${field.index} IS NULL`), ...(membership ? ['"$sm_problem" IS NULL'] : []), '"$identity_error" IS NULL',
  ].join(' AND ');
  const schemaPrimary = schema.identities.findIndex((identity) => identity.primary);
  const columns = [
    '"$row"',
    '"$record"',
    ...fields.map((field) => `t${field.index}`),
    ...(source.hasIdentityMap ? ['"$idm_entries"'] : []),
    ...(membership ? ['"$sm_text"'] : []),
    '"$primary"',
    `${schemaPrimary === -1 ? 'false' : `id${schemaPrimary} IS NOT NULL`} AS "$primary_is_schema"`,
    `(random() < 2.0 AND ${valid}) AS "$valid"`,
    `${firstErrorSql(fields, membership !== undefined)} AS "$err"`,
  ];
  const validated = `SELECT ${columns.join(', ')} FROM (${checked})`;
  return { sql: validated, params: source.params, hasIdentityMap: source.hasIdentityMap, hasSegmentMembership: membership !== undefined };
}

function conversionOf(field: EffectiveField): ConversionSql {
  const text = `v${field.index}`;
  return field.type === 'array' ? convertArraySql(field.items ?? 'string', text) : convertScalarSql(field.type, text, `k${field.index}`);
}

/** The field's own error code: absence (required / event timestamp) first, then why the value did not convert. */
function errorCodeSql(field: EffectiveField, failure: string, isPrimaryIdentity: boolean, native: boolean): string {
  const invalid = invalidValueSql(field.type, `t${field.index}`);
  // A native value (n<i>) is valid: the text (v<i>) is absent then, and present only for values to convert.
  const absent = native ? `(v${field.index} IS NULL AND n${field.index} IS NULL)` : `v${field.index} IS NULL`;
  if (field.role === 'eventTimestamp') {
    return `CASE WHEN ${absent} OR ${invalid} THEN ${sqlString('MISSING_TIMESTAMP' satisfies RowErrorCode)} END`;
  }
  // A required primary identity that is empty is MISSING_PRIMARY_IDENTITY (identity stage), not REQUIRED_FIELD_MISSING.
  const missing = field.required && !isPrimaryIdentity ? sqlString('REQUIRED_FIELD_MISSING' satisfies RowErrorCode) : 'NULL';
  return `CASE WHEN ${absent} THEN ${missing} WHEN ${invalid} THEN ${failure} END`;
}

/** One error per row, the first of: malformed (or too large), unknown field, fields in effective order, segmentMembership shape, identity rules. */
function firstErrorSql(fields: readonly EffectiveField[], hasSegmentMembership: boolean): string {
  const structOf = (code: string, field: string, message: string) => `{'code': ${code}, 'field': ${field}, 'message': ${message}}::${ERROR_STRUCT}`;
  const fieldBranches = fields.map((field) => {
    const messages = (['TYPE_MISMATCH', 'VALUE_OUT_OF_RANGE', 'REQUIRED_FIELD_MISSING'] as const)
      .map((code) => `WHEN ${sqlString(code)} THEN ${sqlString(fieldErrorMessage(field.type, field.items, code))}`)
      .join(' ');
    const message = `CASE e${field.index} ${messages} WHEN 'MISSING_TIMESTAMP' THEN 'event timestamp is missing or not an RFC 3339 date-time' END`;
    return `WHEN e${field.index} IS NOT NULL THEN ${structOf(`e${field.index}`, sqlString(field.path), message)}`;
  });
  const problemCode = `CASE WHEN starts_with("$problem", ${sqlString(RECORD_TOO_LARGE_PREFIX)}) THEN 'RECORD_TOO_LARGE' ELSE 'MALFORMED_ROW' END`;
  return (
    `CASE WHEN "$problem" IS NOT NULL THEN ${structOf(problemCode, 'NULL', '"$problem"')} ` +
    `WHEN "$unknown" IS NOT NULL THEN ${structOf("'UNKNOWN_FIELD'", '"$unknown"', "'field is not declared in the schema'")} ` +
    `${fieldBranches.join(' ')} ` +
    (hasSegmentMembership ? `WHEN "$sm_problem" IS NOT NULL THEN ${structOf("'INVALID_SEGMENT_MEMBERSHIP'", "'segmentMembership'", '"$sm_problem"')} ` : '') +
    'ELSE "$identity_error" END'
  );
}

/** The message of the error an optimistic lake pass raises at the first rejected row (see {@link lakeRowsSql}). */
const ROW_REJECTED_SENTINEL = 'activator: a row was rejected';

/**
 * How a lake pass treats rows: `checked` writes the valid rows with their `"$row"`; `optimistic` expects every row
 * to be valid, writes no `"$row"` (readers number rows by position: the part holds every row of the file, in
 * order) and raises {@link ROW_REJECTED_SENTINEL} at the first rejected row.
 */
export type LakePass = 'checked' | 'optimistic';

export function lakeRowsSql(schema: DatasetSchema, validated: ValidatedSql, file: FileContext, pass: LakePass = 'checked'): BoundSql {
  const fields = effectiveFields(schema);
  const typed = (field: EffectiveField) => `CAST(t${field.index} AS ${lakeSqlType(field.type, field.items)})`;
  // Schema identities, the schema's primary identity and the fragment time are derived from the declared
  // columns by readers (lake-sources-sql.ts); only what cannot be derived is written.
  const mapIdentities = `CASE WHEN len("$idm_entries") > 0 THEN list_transform("$idm_entries", lambda "$x": {'ns': "$x".ns, 'id': "$x".id}) END`;
  const primaryRequired = schema.identities.some((identity) => identity.primary && fields.find((field) => field.path === identity.path)?.required);
  const columns = [
    ...fields.filter((field) => field.role === 'declared').map((field) => `${typed(field)} AS ${quoteIdentifier(lakeFieldColumn(field.path))}`),
    '$file_name::VARCHAR AS "$file"',
    ...(pass === 'checked' ? ['"$row"::BIGINT AS "$row"'] : []),
    ...(validated.hasIdentityMap ? [`${mapIdentities}::STRUCT(ns VARCHAR, id VARCHAR)[] AS "$map_identities"`] : []),
    ...(validated.hasSegmentMembership ? ['"$sm_text"::VARCHAR AS "$segment_membership"'] : []),
    ...(primaryRequired
      ? []
      : ['CASE WHEN NOT "$primary_is_schema" THEN "$primary".ns END::VARCHAR AS "$primary_ns"', 'CASE WHEN NOT "$primary_is_schema" THEN "$primary".id END::VARCHAR AS "$primary_id"']),
    'epoch_ms($completed_at::BIGINT) AS "$batch_completed_at"',
  ];
  for (const field of fields) {
    if (field.role === 'eventTimestamp') columns.push(`${typed(field)} AS "timestamp"`);
    // NULL when the record has none: readers derive `<batchId>:<file>:<row>` (lake-sources-sql.ts).
    if (field.role === 'eventId') columns.push(`${typed(field)} AS "_id"`);
  }
  const where = pass === 'checked' ? '"$valid"' : `CASE WHEN "$valid" THEN true ELSE error(${sqlString(ROW_REJECTED_SENTINEL)}) END`;
  return {
    sql: `SELECT ${columns.join(', ')} FROM (${validated.sql}) WHERE ${where}`,
    params: { ...validated.params, file_name: file.fileName, completed_at: file.completedAt },
  };
}

/** Rows of the ingestion error table for the rejected rows of `validated`. */
export function rowErrorsSql(validated: ValidatedSql, file: FileContext): BoundSql {
  return {
    sql:
      `SELECT $file_index::INTEGER AS file_index, $file_name::VARCHAR AS file, "$row"::BIGINT AS row, "$err".field AS field, ` +
      `"$err".code AS code, "$err".message AS message, "$record"::JSON AS record FROM (${validated.sql}) WHERE NOT "$valid"`,
    params: { ...validated.params, file_index: file.fileIndex, file_name: file.fileName },
  };
}
