// SQL for the identities of a record (SPEC §4.1): normalisation, the AEP identityMap, and the primary identity rule.
import type { RowErrorCode } from '../lake-schema.js';
import { sqlString, trimSql, trimWhenNeededSql } from './ingestion-sql.js';

/** `^[A-Za-z][A-Za-z0-9_]{0,49}$` (SPEC §3.4), used with regexp_full_match. */
export const NAMESPACE_PATTERN = '[A-Za-z][A-Za-z0-9_]{0,49}';

/** Email ids are lower-cased, Phone ids keep `+` and digits, every id is trimmed (namespaces compare case-insensitively). */
export function normalizeIdSqlForNamespace(namespace: string, id: string): string {
  switch (namespace.toLowerCase()) {
    case 'email':
      return `lower(${trimWhenNeededSql(id)})`;
    case 'phone':
      return `regexp_replace(${id}, '[^+0-9]', '', 'g')`;
    default:
      return trimWhenNeededSql(id);
  }
}

/** The same rule when the namespace is only known per row (identityMap keys). */
export function normalizeIdSql(namespace: string, id: string): string {
  const trimmed = trimSql(id);
  return `CASE lower(${namespace}) WHEN 'email' THEN lower(${trimmed}) WHEN 'phone' THEN regexp_replace(${trimmed}, '[^+0-9]', '', 'g') ELSE ${trimmed} END`;
}

/**
 * Select items reading the identityMap: `rawText` is its text as read (NULL when the record has none) and `map`
 * the same parsed as JSON (NULL when not JSON). Yields `"$idm_problem"` (why it is malformed, or NULL) and
 * `"$idm_entries"` (`{ns, id, primary}` in document order, ids normalised).
 */
export function identityMapColumnsSql(map: string, rawText: string): string[] {
  const entries = `map_entries(TRY_CAST(${map} AS MAP(VARCHAR, JSON)))`;
  const arrayOf = (value: string) => `TRY_CAST(${value} AS JSON[])`;
  const badElement =
    `json_type("$el") <> 'OBJECT' OR coalesce(json_type("$el", '$.id'), '') <> 'VARCHAR' ` + `OR coalesce(json_type("$el", '$.primary'), 'NULL') NOT IN ('BOOLEAN', 'NULL')`;
  const flat =
    `flatten(list_transform(${entries}, lambda "$e": list_transform(${arrayOf('"$e".value')}, lambda "$el": ` +
    `{'ns': "$e".key, 'id': ${normalizeIdSql('"$e".key', `json_extract_string("$el", '$.id')`)}, ` +
    `'primary': coalesce(json_extract_string("$el", '$.primary') = 'true', false)})))`;
  const absent = `(${rawText} IS NULL OR json_type(${map}) = 'NULL')`;
  const anyOf = (list: string, predicate: string) => `coalesce(list_bool_or(list_transform(${list}, ${predicate})), false)`;
  const problem =
    `CASE WHEN ${absent} THEN NULL WHEN ${map} IS NULL THEN 'identityMap is not valid JSON' ` +
    `WHEN json_type(${map}) <> 'OBJECT' OR ${entries} IS NULL THEN 'identityMap must be an object of namespace → identity arrays' ` +
    `WHEN ${anyOf(entries, `lambda "$e": NOT regexp_full_match("$e".key, ${sqlString(NAMESPACE_PATTERN)})`)} ` +
    `THEN 'identity namespace must match ^[A-Za-z][A-Za-z0-9_]{0,49}$' ` +
    `WHEN ${anyOf(entries, `lambda "$e": json_type("$e".value) <> 'ARRAY' OR ${anyOf(arrayOf('"$e".value'), `lambda "$el": ${badElement}`)}`)} ` +
    `THEN 'identityMap entries must be objects with a string id and an optional boolean primary' ` +
    `WHEN ${anyOf(flat, `lambda "$x": "$x".id = ''`)} THEN 'identity id is empty' END`;
  return [`${problem} AS "$idm_problem"`, `CASE WHEN ${absent} THEN []::STRUCT(ns VARCHAR, id VARCHAR, "primary" BOOLEAN)[] ELSE ${flat} END AS "$idm_entries"`];
}

/** A schema identity field: its namespace, the SQL of its normalised id (NULL when empty), and whether its field is required. */
export interface SchemaIdentitySql {
  readonly namespace: string;
  readonly path: string;
  readonly id: string;
  readonly primary: boolean;
  readonly required: boolean;
}

/**
 * Identity outcome, as expressions for stacked SELECTs: `extraColumns` (over `"$idm_entries"`), then `primary`
 * (→ `"$primary"`, over the schema identity ids and `"$idm_primaries"`), then `error` (over `"$primary"`).
 */
export interface IdentityOutcomeSql {
  /** Select items of the first stage (`"$idm_primaries"` when the source has an identityMap). */
  readonly extraColumns: readonly string[];
  /**
   * `STRUCT(ns, id)` or NULL: the schema's primary identity, else the identityMap's single primary, else the
   * record's only identity. Ids of schema identities other than the primary are only evaluated in that last case.
   */
  readonly primary: string;
  /** `STRUCT(code, field, message)` or NULL. */
  readonly error: string;
}

const IDENTITY_LIST = 'STRUCT(ns VARCHAR, id VARCHAR)[]';

/**
 * The schema identities of a record, `STRUCT(ns, id)[]` in declaration order, leaving out those without a value:
 * `identities` give each namespace and the SQL of its normalised id (NULL when empty). Ingestion validates with
 * it and lake readers derive `"$identities"` with it from the declared columns.
 */
export function schemaIdentityListSql(identities: readonly Pick<SchemaIdentitySql, 'namespace' | 'id'>[]): string {
  const structs = identities.map((identity) => `{'ns': ${sqlString(identity.namespace)}, 'id': ${identity.id}}`);
  // Every identity present is the usual row: build the list directly and only filter (a lambda) otherwise.
  return structs.length === 0
    ? `[]::${IDENTITY_LIST}`
    : `CASE WHEN ${identities.map((identity) => `${identity.id} IS NOT NULL`).join(' AND ')} THEN [${structs.join(', ')}]::${IDENTITY_LIST} ` +
        `ELSE list_filter([${structs.join(', ')}]::${IDENTITY_LIST}, lambda "$identity": "$identity".id IS NOT NULL) END`;
}

/** The normalised id of a schema identity field's value (`value`: its text, NULL when absent), NULL when empty. */
export function schemaIdentityIdSql(namespace: string, value: string): string {
  return `NULLIF(${normalizeIdSqlForNamespace(namespace, value)}, '')`;
}

export function identityOutcomeSql(schemaIdentities: readonly SchemaIdentitySql[], hasIdentityMap: boolean): IdentityOutcomeSql {
  const schemaList = schemaIdentityListSql(schemaIdentities);
  const identities = hasIdentityMap ? `list_concat(${schemaList}, list_transform(coalesce("$idm_entries", []), lambda "$x": {'ns': "$x".ns, 'id': "$x".id}))` : schemaList;
  const extraColumns = hasIdentityMap ? [`list_filter(coalesce("$idm_entries", []), lambda "$x": "$x"."primary") AS "$idm_primaries"`] : [];
  const schemaPrimary = schemaIdentities.find((identity) => identity.primary);
  const primaryId = schemaPrimary ? schemaPrimary.id : 'NULL::VARCHAR';
  const mapPrimary = hasIdentityMap
    ? `WHEN len("$idm_primaries") = 1 THEN {'ns': "$idm_primaries"[1].ns, 'id': "$idm_primaries"[1].id} WHEN len("$idm_primaries") > 1 THEN NULL `
    : '';
  // The record's identity list is only built for the records that need it (no primary so far): the list, once,
  // inside the lazy ELSE branch (a lambda over a one-element list names it without repeating it).
  const primary =
    `CASE WHEN ${primaryId} IS NOT NULL THEN {'ns': ${sqlString(schemaPrimary?.namespace ?? '')}, 'id': ${primaryId}} ` +
    `${mapPrimary}ELSE list_transform([${identities}], lambda "$ids": CASE WHEN len("$ids") = 1 THEN "$ids"[1] END)[1] END`;
  const error = (code: RowErrorCode, field: string | undefined, message: string) =>
    `{'code': ${sqlString(code)}, 'field': ${field === undefined ? 'NULL::VARCHAR' : sqlString(field)}, 'message': ${sqlString(message)}}`;
  const invalidMap = hasIdentityMap
    ? `WHEN "$idm_problem" IS NOT NULL THEN {'code': 'INVALID_IDENTITY', 'field': 'identityMap', 'message': "$idm_problem"} `
    : '';
  const requiredPrimary = schemaPrimary?.required
    ? `WHEN ${primaryId} IS NULL THEN ${error('MISSING_PRIMARY_IDENTITY', schemaPrimary.path, `primary identity ${schemaPrimary.namespace} is empty`)} `
    : '';
  const twoPrimaries = hasIdentityMap
    ? `WHEN ${primaryId} IS NULL AND len("$idm_primaries") > 1 THEN ${error('INVALID_IDENTITY', 'identityMap', 'more than one primary identity in identityMap')} `
    : '';
  const missing = schemaPrimary
    ? `no primary identity: ${schemaPrimary.path} is empty and no single identity identifies the record`
    : 'no primary identity: no identityMap entry is primary and the record has no single identity';
  const errorSql = `CASE ${invalidMap}${requiredPrimary}${twoPrimaries}WHEN "$primary" IS NULL THEN ${error('MISSING_PRIMARY_IDENTITY', schemaPrimary?.path, missing)} END`;
  return { extraColumns, primary, error: errorSql };
}
