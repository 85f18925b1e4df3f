// Validation of inline dataset schemas (SPEC §3.1): types, unique paths, identities, timestamp field, union-schema conflicts.
import type { DatasetClass, DatasetSchema, FieldType, ScalarFieldType, SchemaField, SchemaIdentity } from '../../engine/lake-schema.js';

const PATH = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;
const NAMESPACE = /^[A-Za-z][A-Za-z0-9_]{0,49}$/;
const SCALAR_TYPES: readonly ScalarFieldType[] = ['string', 'integer', 'number', 'boolean', 'date', 'date-time'];
const RESERVED_ROOTS = ['identityMap', 'segmentMembership'];
/** Implicit fields of experienceEvent datasets. */
export const EVENT_IMPLICIT_FIELDS: readonly SchemaField[] = [
  { path: 'timestamp', type: 'date-time', required: true },
  { path: '_id', type: 'string', required: false },
];

type Json = Readonly<Record<string, unknown>>;
const asRecord = (value: unknown): Json | undefined => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined);

/** A field a client sent, checked one by one; problems name the index and the rule. */
export function parseSchemaField(value: unknown, index: number, problems: string[]): SchemaField | undefined {
  const where = `schema.fields[${index}]`;
  const field = asRecord(value);
  if (field === undefined) {
    problems.push(`${where} must be an object with path and type`);
    return undefined;
  }
  const path = field['path'];
  const type = field['type'];
  if (typeof path !== 'string' || !PATH.test(path)) {
    problems.push(`${where}.path must be a dot path of letters, digits and _ (e.g. person.name.firstName), got ${JSON.stringify(path)}`);
    return undefined;
  }
  if (RESERVED_ROOTS.includes(path.split('.')[0] ?? '')) {
    problems.push(`${where}.path ${path} is a system field (identityMap and segmentMembership cannot be declared)`);
    return undefined;
  }
  const validTypes = [...SCALAR_TYPES, 'array'];
  if (typeof type !== 'string' || !validTypes.includes(type)) {
    problems.push(`${where}.type of ${path} must be one of ${validTypes.join(', ')}, got ${JSON.stringify(type)}`);
    return undefined;
  }
  const items = field['items'];
  if (type === 'array' && (typeof items !== 'string' || !SCALAR_TYPES.includes(items as ScalarFieldType))) {
    problems.push(`${where}.items of array ${path} must be one of ${SCALAR_TYPES.join(', ')}`);
    return undefined;
  }
  if (type !== 'array' && items !== undefined) problems.push(`${where}.items is only allowed on array fields (${path} is ${type})`);
  const required = field['required'] ?? false;
  if (typeof required !== 'boolean') problems.push(`${where}.required of ${path} must be true or false`);
  return { path, type: type as FieldType, ...(type === 'array' ? { items: items as ScalarFieldType } : {}), required: required === true };
}

function parseIdentity(value: unknown, index: number, fields: ReadonlyMap<string, SchemaField>, problems: string[]): SchemaIdentity | undefined {
  const where = `schema.identities[${index}]`;
  const identity = asRecord(value);
  if (identity === undefined) {
    problems.push(`${where} must be an object with path, namespace and primary`);
    return undefined;
  }
  const { path, namespace, primary = false } = identity as { path?: unknown; namespace?: unknown; primary?: unknown };
  const field = typeof path === 'string' ? fields.get(path) : undefined;
  if (field === undefined) problems.push(`${where}.path ${JSON.stringify(path)} is not a declared field`);
  else if (field.type !== 'string') problems.push(`${where}.path ${field.path} must be a string field (it is ${field.type})`);
  if (typeof namespace !== 'string' || !NAMESPACE.test(namespace)) problems.push(`${where}.namespace must match ^[A-Za-z][A-Za-z0-9_]{0,49}$, got ${JSON.stringify(namespace)}`);
  if (typeof primary !== 'boolean') problems.push(`${where}.primary must be true or false`);
  if (field === undefined || typeof namespace !== 'string' || typeof primary !== 'boolean') return undefined;
  return { path: field.path, namespace, primary };
}

/**
 * Parses and validates a schema object. Returns the schema or every problem found, one sentence each.
 * A profile dataset needs a primary identity; an event dataset gets `timestamp` and `_id` implicitly.
 */
export function parseDatasetSchema(value: unknown): { schema?: DatasetSchema; problems: string[] } {
  const problems: string[] = [];
  const schema = asRecord(value);
  if (schema === undefined) return { problems: ['schema is required: {"class", "fields", "identities"}'] };
  const datasetClass = schema['class'];
  if (datasetClass !== 'profile' && datasetClass !== 'experienceEvent') problems.push(`schema.class must be profile or experienceEvent, got ${JSON.stringify(datasetClass)}`);
  const rawFields = schema['fields'];
  if (!Array.isArray(rawFields) || rawFields.length === 0) problems.push('schema.fields must be a non-empty array');
  const declared = (Array.isArray(rawFields) ? rawFields : []).map((field, index) => parseSchemaField(field, index, problems)).filter((f): f is SchemaField => f !== undefined);
  const implicit = datasetClass === 'experienceEvent' ? EVENT_IMPLICIT_FIELDS : [];
  const byPath = new Map<string, SchemaField>();
  for (const field of [...implicit, ...declared]) {
    if (byPath.has(field.path)) problems.push(`schema.fields declares ${field.path} twice${implicit.some((f) => f.path === field.path) ? ' (it is implicit in experienceEvent datasets)' : ''}`);
    byPath.set(field.path, field);
  }
  for (const field of declared) {
    const parent = [...byPath.keys()].find((other) => field.path.startsWith(`${other}.`));
    if (parent !== undefined) problems.push(`schema.fields: ${field.path} cannot be nested under the scalar field ${parent}`);
  }
  const rawIdentities = schema['identities'] ?? [];
  if (!Array.isArray(rawIdentities)) problems.push('schema.identities must be an array');
  const identities = (Array.isArray(rawIdentities) ? rawIdentities : []).map((identity, index) => parseIdentity(identity, index, byPath, problems)).filter((i): i is SchemaIdentity => i !== undefined);
  const primaries = identities.filter((identity) => identity.primary);
  if (primaries.length > 1) problems.push(`schema.identities has ${primaries.length} primary identities; at most one may be primary`);
  if (datasetClass === 'profile' && primaries.length === 0) problems.push('schema.identities needs one primary identity in a profile dataset (e.g. {"path": "crmId", "namespace": "CRMID", "primary": true})');
  const timestampField = schema['timestampField'];
  if (timestampField !== undefined && timestampField !== null) {
    const field = typeof timestampField === 'string' ? byPath.get(timestampField) : undefined;
    if (field?.type !== 'date-time') problems.push(`schema.timestampField must name a date-time field, got ${JSON.stringify(timestampField)}`);
  }
  if (problems.length > 0) return { problems };
  return {
    schema: {
      class: datasetClass as DatasetClass, fields: declared, identities,
      ...(typeof timestampField === 'string' ? { timestampField } : {}),
    },
    problems,
  };
}

/** Declared fields a dataset may have (SPEC §3.1, §14; not configurable). */
export const MAX_DATASET_FIELDS = 1000;
/** Distinct paths of a sandbox's union schema (SPEC §3.1, §14; not configurable). */
export const MAX_UNION_PATHS = 5000;

/**
 * Size guardrails of SPEC §14 for `schema` as it would be stored next to `others` (the sandbox's other datasets):
 * its declared fields, and the distinct paths of the sandbox's union schema — profile paths and event paths
 * (`xEvent.<path>`) counted apart, implicit event fields not counted, a path shared by several datasets once.
 */
export function schemaSizeProblems(schema: DatasetSchema, others: readonly { schema: DatasetSchema }[]): string[] {
  const problems: string[] = [];
  if (schema.fields.length > MAX_DATASET_FIELDS) {
    problems.push(`The dataset would declare ${schema.fields.length.toLocaleString('en-US')} fields; a dataset may declare at most ${MAX_DATASET_FIELDS.toLocaleString('en-US')} fields`);
  }
  const union = new Set<string>();
  for (const { schema: declared } of [...others, { schema }]) for (const field of declared.fields) union.add(`${declared.class}:${field.path}`);
  if (union.size > MAX_UNION_PATHS) {
    problems.push(`The sandbox's union schema would have ${union.size.toLocaleString('en-US')} distinct field paths; a sandbox may have at most ${MAX_UNION_PATHS.toLocaleString('en-US')}`);
  }
  return problems;
}

/** Fields that another dataset of the sandbox declares with a different type (SPEC §3.1 union schema). */
export function unionSchemaConflicts(schema: DatasetSchema, others: readonly { id: string; schema: DatasetSchema }[]): string[] {
  const problems: string[] = [];
  // Indexed by path: a sandbox may hold 5,000 paths over many datasets.
  const declarations = new Map<string, { id: string; field: SchemaField }[]>();
  for (const other of others) for (const field of other.schema.fields) declarations.set(field.path, [...(declarations.get(field.path) ?? []), { id: other.id, field }]);
  for (const field of schema.fields) {
    const clash = declarations.get(field.path)?.find(({ field: f }) => f.type !== field.type || f.items !== field.items);
    if (clash !== undefined) {
      problems.push(`Field ${field.path} is declared as ${clash.field.type === 'array' ? `array of ${clash.field.items ?? '?'}` : clash.field.type} in dataset ${clash.id}`);
    }
  }
  return problems;
}
