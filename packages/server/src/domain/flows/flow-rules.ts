// Rules of a dataflow definition (SPEC §7.3–§7.5, §14): audiences, file columns, mandatory fields, dedup keys, soft limits.

import { checkFilenameTemplate } from './filename-template.js';
import type { ColumnMapping, DedupKey, FlowAudience, FlowDefinition } from './flow-types.js';
import { checkSchedule, isSameSchedule, normalizeSchedule } from './schedule-rules.js';

/** Soft limit of audiences per dataflow (SPEC §14, `ACTIVATOR_WARN_AUDIENCES_PER_FLOW`). */
export const DEFAULT_WARN_AUDIENCES_PER_FLOW = 250;
/** Soft limit of mapped attributes per dataflow (SPEC §14, `ACTIVATOR_WARN_MAPPED_ATTRIBUTES`). */
export const DEFAULT_WARN_MAPPED_ATTRIBUTES = 50;

/** What {@link checkFlowDefinition} needs besides the definition. */
export interface FlowCheckContext {
  /** The current time (epoch ms), for schedules that are added or changed. */
  readonly now: number;
  /** The stored definition when updating; audiences whose schedule it already holds are not re-judged against the clock. */
  readonly previous?: FlowDefinition | undefined;
  readonly warnAudiencesPerFlow?: number | undefined;
  readonly warnMappedAttributes?: number | undefined;
  /**
   * Whether a source path exists in the sandbox's profile union schema; called for attribute paths and
   * `identityMap.<Namespace>` paths (never for `segmentMembership.…`). Absent: every well-formed path is accepted.
   */
  readonly isKnownProfilePath?: ((path: string) => boolean) | undefined;
  /** Known paths close to an unknown one, offered in the problem sentence. */
  readonly suggestPaths?: ((path: string) => readonly string[]) | undefined;
}

/** The verdict on a definition: problems refuse it (FLOW-1420-400), warnings accompany a save. */
export interface FlowDefinitionCheck {
  readonly problems: string[];
  readonly warnings: string[];
  /** The definition as stored: schedules normalized, default destinations, identity namespace mandatory and the dedup key. */
  readonly normalized: FlowDefinition;
}

/** What a column's source path reads (SPEC §7.5 table). */
export type ProfileSource =
  | { readonly kind: 'attribute' }
  | { readonly kind: 'identity'; readonly namespace: string }
  | { readonly kind: 'membership'; readonly field: 'status' | 'lastQualificationTime' };

const ATTRIBUTE_PATH = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$/;
const IDENTITY_PATH = /^identityMap\.([A-Za-z][A-Za-z0-9_]{0,49})$/;
const MEMBERSHIP_PATH = /^segmentMembership\.(?:[^.\s]+\.[^.\s]+\.)?(status|lastQualificationTime)$/;

/**
 * Classifies a source path; undefined when it is not well formed. `identityMap` and `segmentMembership` are
 * system fields, so other paths below them are not sources.
 */
export function classifyProfileSource(path: string): ProfileSource | undefined {
  const identity = IDENTITY_PATH.exec(path);
  if (identity?.[1] !== undefined) return { kind: 'identity', namespace: identity[1] };
  const membership = MEMBERSHIP_PATH.exec(path);
  if (membership !== null) return { kind: 'membership', field: membership[1] === 'status' ? 'status' : 'lastQualificationTime' };
  if (/^(?:identityMap|segmentMembership)(?:\.|$)/.test(path)) return undefined;
  return ATTRIBUTE_PATH.test(path) ? { kind: 'attribute' } : undefined;
}

/** The destination a column gets when none is given: the path, the namespace code or the canonical membership field. */
export function defaultColumnDestination(source: string): string {
  const classified = classifyProfileSource(source);
  if (classified?.kind === 'identity') return classified.namespace;
  if (classified?.kind === 'membership') return `segmentMembership.${classified.field}`;
  return source;
}

/** The file column name of a destination: every `.` becomes `_`. */
export function columnNameOf(destination: string): string {
  return destination.replaceAll('.', '_');
}

/** One deduplication key field as received (AEP `primaryFields[]`), before it is known to be valid. */
export interface DedupFieldInput {
  readonly fieldType?: string | undefined;
  readonly identityNamespace?: string | undefined;
  readonly attributePath?: string | undefined;
}

/**
 * Builds the dedup key from its fields (SPEC §7.5): one IDENTITY field, or one or two ATTRIBUTE fields.
 * An empty list means no key. Problems name `primaryFields[<index>]`.
 */
export function dedupKeyFromFields(fields: readonly DedupFieldInput[]): { key: DedupKey | undefined; problems: string[] } {
  const problems: string[] = [];
  const namespaces: string[] = [];
  const paths: string[] = [];
  fields.forEach((field, index) => {
    const where = `primaryFields[${index}]`;
    if (field.fieldType === 'IDENTITY') {
      if (field.identityNamespace === undefined || field.identityNamespace === '') problems.push(`${where}.identityNamespace is required for fieldType IDENTITY`);
      else namespaces.push(field.identityNamespace);
    } else if (field.fieldType === 'ATTRIBUTE') {
      if (field.attributePath === undefined || field.attributePath === '') problems.push(`${where}.attributePath is required for fieldType ATTRIBUTE`);
      else paths.push(field.attributePath);
    } else {
      problems.push(`${where}.fieldType must be IDENTITY or ATTRIBUTE, got "${field.fieldType ?? ''}"`);
    }
  });
  if (namespaces.length > 0 && paths.length > 0) problems.push('primaryFields must not mix IDENTITY and ATTRIBUTE fields');
  if (namespaces.length > 1) problems.push(`primaryFields may name one identity namespace, got ${namespaces.length}`);
  if (paths.length > 2) problems.push(`primaryFields may name at most two attributes, got ${paths.length}`);
  if (problems.length > 0) return { key: undefined, problems };
  const [namespace] = namespaces;
  if (namespace !== undefined) return { key: { kind: 'identity', namespace }, problems };
  const [first, second] = paths;
  if (first === undefined) return { key: undefined, problems };
  return { key: { kind: 'attributes', paths: second === undefined ? [first] : [first, second] }, problems };
}

/**
 * Judges a whole definition (SPEC §7.3–§7.5) and returns every problem as a sentence naming where it is
 * (e.g. `segmentSelectors.selectors[1].value.schedule.startTime must be HH:mm …`), the soft-limit warnings
 * (SPEC §14) and the normalized definition. Audience existence and connections are the caller's to check.
 */
export function checkFlowDefinition(definition: FlowDefinition, context: FlowCheckContext): FlowDefinitionCheck {
  const problems: string[] = [];
  if (definition.name.trim() === '') problems.push('name is required');
  if (definition.flowSpecId === '') problems.push('flowSpec.id is required');
  const audiences = checkAudiences(definition.audiences, context, problems);
  const columns = checkColumns(definition.columns, context, problems);
  const identityNamespace = columns.flatMap((column) => {
    const source = classifyProfileSource(column.source);
    return source?.kind === 'identity' ? [source.namespace] : [];
  })[0];
  const mandatoryFields = checkMandatoryFields(definition.mandatoryFields, columns, identityNamespace, problems);
  const dedupKey = checkDedupKey(definition.dedupKey, columns, identityNamespace, problems);
  return {
    problems,
    warnings: softLimitWarnings(definition, context),
    normalized: { ...definition, audiences, columns, mandatoryFields, dedupKey },
  };
}

function checkAudiences(audiences: readonly FlowAudience[], context: FlowCheckContext, problems: string[]): FlowAudience[] {
  const firstIndexById = new Map<string, number>();
  return audiences.map((audience, index) => {
    const where = `segmentSelectors.selectors[${index}].value`;
    const earlier = firstIndexById.get(audience.segmentId);
    if (audience.segmentId === '') problems.push(`${where}.id is required`);
    else if (earlier !== undefined) problems.push(`${where}.id ${audience.segmentId} repeats segmentSelectors.selectors[${earlier}], an audience may appear once per dataflow`);
    else firstIndexById.set(audience.segmentId, index);
    if (audience.filenameTemplate !== undefined) problems.push(...checkFilenameTemplate(audience.filenameTemplate, `${where}.filenameTemplate`));
    const stored = context.previous?.audiences.find((candidate) => candidate.segmentId === audience.segmentId);
    const isNewOrChanged = stored === undefined || !isSameSchedule(stored.schedule, audience.schedule);
    problems.push(...checkSchedule(audience.schedule, audience.exportMode, { where: `${where}.schedule`, now: context.now, isNewOrChanged }));
    return { ...audience, schedule: normalizeSchedule(audience.schedule) ?? audience.schedule };
  });
}

function checkColumns(columns: readonly ColumnMapping[], context: FlowCheckContext, problems: string[]): ColumnMapping[] {
  const firstIndexByName = new Map<string, number>();
  const namespaces = new Set<string>();
  const normalized = columns.map((column, index) => {
    const where = `profileSelectors.selectors[${index}].value`;
    const source = checkSource(column.source, where, context, problems);
    if (source?.kind === 'identity') namespaces.add(source.namespace);
    const destination = column.destination === '' ? defaultColumnDestination(column.source) : column.destination;
    const columnName = columnNameOf(destination);
    const earlier = firstIndexByName.get(columnName);
    if (earlier !== undefined) {
      problems.push(`${where}.mapping.destination ${destination} gives the column ${columnName}, which profileSelectors.selectors[${earlier}] already has, column names must be unique`);
    } else {
      firstIndexByName.set(columnName, index);
    }
    return { source: column.source, destination, identity: source?.kind === 'identity' };
  });
  if (namespaces.size > 1) {
    problems.push(`profileSelectors maps the identity namespaces ${[...namespaces].join(', ')}, at most one identity namespace may be mapped per dataflow`);
  }
  return normalized;
}

function checkSource(path: string, where: string, context: FlowCheckContext, problems: string[]): ProfileSource | undefined {
  if (path === '') {
    problems.push(`${where}.path is required`);
    return undefined;
  }
  const source = classifyProfileSource(path);
  if (source === undefined) {
    problems.push(`${where}.path ${path} is not a source path (expected an attribute path such as person.name.firstName, identityMap.<Namespace> or segmentMembership.status)`);
  } else if (source.kind !== 'membership' && context.isKnownProfilePath !== undefined && !context.isKnownProfilePath(path)) {
    const suggestions = context.suggestPaths?.(path) ?? [];
    const hint = suggestions.length > 0 ? ` (did you mean ${suggestions.join(', ')}?)` : '';
    problems.push(`${where}.path ${path} is not in the profile schema of this sandbox${hint}`);
  }
  return source;
}

function checkMandatoryFields(fields: readonly string[], columns: readonly ColumnMapping[], identityNamespace: string | undefined, problems: string[]): string[] {
  const mappedAttributes = new Set(columns.filter((column) => !column.identity).map((column) => column.source));
  fields.forEach((field, index) => {
    if (field !== identityNamespace && !mappedAttributes.has(field)) {
      problems.push(`mandatoryFields[${index}] ${field} must be a mapped attribute path or the mapped identity namespace`);
    }
  });
  const unique = [...new Set(fields)];
  return identityNamespace === undefined || unique.includes(identityNamespace) ? unique : [...unique, identityNamespace];
}

function checkDedupKey(key: DedupKey | undefined, columns: readonly ColumnMapping[], identityNamespace: string | undefined, problems: string[]): DedupKey | undefined {
  if (identityNamespace !== undefined) {
    if (key !== undefined && (key.kind !== 'identity' || key.namespace !== identityNamespace)) {
      problems.push(`primaryFields must be the IDENTITY ${identityNamespace} or empty, a mapped identity namespace is automatically the deduplication key`);
    }
    return { kind: 'identity', namespace: identityNamespace };
  }
  if (key?.kind === 'identity') {
    problems.push(`primaryFields[0].identityNamespace ${key.namespace} must be mapped in profileSelectors as identityMap.${key.namespace}`);
  } else if (key?.kind === 'attributes') {
    const mappedAttributes = new Set(columns.filter((column) => !column.identity).map((column) => column.source));
    key.paths.forEach((path, index) => {
      if (!mappedAttributes.has(path)) problems.push(`primaryFields[${index}].attributePath ${path} must be a mapped attribute`);
    });
    if (key.paths[1] !== undefined && key.paths[1] === key.paths[0]) problems.push(`primaryFields[1].attributePath ${key.paths[1]} repeats primaryFields[0]`);
  }
  return key;
}

function softLimitWarnings(definition: FlowDefinition, context: FlowCheckContext): string[] {
  const warnings: string[] = [];
  const audienceLimit = context.warnAudiencesPerFlow ?? DEFAULT_WARN_AUDIENCES_PER_FLOW;
  const attributeLimit = context.warnMappedAttributes ?? DEFAULT_WARN_MAPPED_ATTRIBUTES;
  if (definition.audiences.length > audienceLimit) {
    warnings.push(`The dataflow has ${definition.audiences.length} audiences, more than the recommended limit of ${audienceLimit} per dataflow`);
  }
  if (definition.columns.length > attributeLimit) {
    warnings.push(`The dataflow maps ${definition.columns.length} attributes, more than the recommended limit of ${attributeLimit} per dataflow`);
  }
  return warnings;
}
