// The AEP edge of dataflows: Flow Service bodies and patched documents → domain definitions, stored flows → AEP flow JSON.

import { classifyProfileSource, dedupKeyFromFields, defaultColumnDestination } from '../../domain/flows/flow-rules.js';
import type { ColumnMapping, DedupKey, Flow, FlowAudience, FlowDefinition } from '../../domain/flows/flow-types.js';
import { checkSchedule, isExportMode, isSameSchedule, normalizeSchedule, type ScheduleFields } from '../../domain/flows/schedule-rules.js';

/** What {@link parseFlowDocument} needs besides the document. */
export interface FlowDocumentContext {
  /** The current time (epoch ms): the timestamps of added or changed audiences. */
  readonly now: number;
  /** The stored definition when the document is a patched flow; unchanged audiences keep its timestamps. */
  readonly previous?: FlowDefinition | undefined;
}

/** A parsed document: the definition is complete only when `problems` is empty (then check it with `checkFlowDefinition`). */
export interface ParsedFlowDocument {
  readonly definition: FlowDefinition;
  readonly problems: string[];
}

/** The stored facts about a flow's neighbours that its AEP JSON shows. */
export interface FlowRenderContext {
  readonly sandboxName: string;
  readonly orgId: string;
  readonly sourceConnection: { readonly id: string; readonly connectionSpecId: string };
  readonly targetConnection: { readonly id: string; readonly connectionSpecId: string; readonly baseConnectionId: string; readonly baseConnectionSpecId: string };
  /** The latest run; absent until the first run (`lastRunDetails` is then omitted). */
  readonly lastRun?: { readonly id: string; readonly state: string; readonly startedAt: number; readonly completedAt?: number | undefined } | undefined;
}

/** A flow as AEP clients see it (SPEC §7.1), ready for `JSON.stringify`. */
export type AepFlowDocument = Readonly<Record<string, unknown>>;

type JsonRecord = Readonly<Record<string, unknown>>;

const TRANSFORM_NAMES = new Set(['GeneralTransform', 'General Transform']);
const PLATFORM_NAMESPACES = new Set(['ups', 'AEPSegments']);
const XDM_PREFIX = /^xdm:\s*/;

function asRecord(value: unknown): JsonRecord | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonRecord) : undefined;
}

/** Absent, null or `{}`: what `profileMapping` and `enrichmentInfo` may be. */
function isAbsentOrEmpty(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  const record = asRecord(value);
  return record !== undefined && Object.keys(record).length === 0;
}

/** A value judged by the domain rules as text: strings as they are, other JSON as written (so a problem can quote it). */
function asRuleText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** True when a create body carries `state`, which the caller refuses with FLOW-1410-400. */
export function hasStateField(doc: unknown): boolean {
  const body = asRecord(doc);
  return body !== undefined && Object.hasOwn(body, 'state');
}

/**
 * Reads a Flow Service create body or a patched flow document (SPEC §7.2–§7.5) into a definition.
 * Fields AEP sets (id, state, timestamps, `inheritedAttributes`, …) are ignored. Problems are those of the
 * AEP shape — what the domain types cannot hold (two connection ids, a CHAINED schedule, a `profileMapping`)
 * or what AEP-only fields forbid (external audiences); an audience that cannot be represented is left out of
 * the definition. Everything the domain can judge is left to `checkFlowDefinition`.
 */
export function parseFlowDocument(doc: unknown, context: FlowDocumentContext): ParsedFlowDocument {
  const problems: string[] = [];
  const body = asRecord(doc);
  if (body === undefined) return { definition: parseFlowDocument({}, context).definition, problems: ['The flow must be a JSON object'] };
  const params = readTransformParams(body.transformations, problems);
  const legacy = asRecord(params.profileSelectors) ?? {};
  const flowSpec = asRecord(body.flowSpec);
  if (body.flowSpec !== undefined && flowSpec === undefined) problems.push('flowSpec must be an object');
  if (!isAbsentOrEmpty(params.profileMapping)) {
    problems.push('profileMapping is not supported (Data Prep mapping sets), map columns with profileSelectors and leave profileMapping absent or {}');
  }
  const definition: FlowDefinition = {
    name: readText(body.name, 'name', problems),
    description: readText(body.description, 'description', problems),
    flowSpecId: readText(flowSpec?.id, 'flowSpec.id', problems),
    sourceConnectionId: readSingleId(body.sourceConnectionIds, 'sourceConnectionIds', problems),
    targetConnectionId: readSingleId(body.targetConnectionIds, 'targetConnectionIds', problems),
    labels: readTextList(body.labels, 'labels', problems),
    audiences: readSelectorList(params.segmentSelectors, 'segmentSelectors', problems)
      .flatMap((item, index) => readAudience(item, `segmentSelectors.selectors[${index}]`, context, problems)),
    columns: readSelectorList(params.profileSelectors, 'profileSelectors', problems)
      .flatMap((item, index) => readColumn(item, `profileSelectors.selectors[${index}]`, problems)),
    // The stored form keeps these under params only, so a legacy location can only come from this request: it wins.
    mandatoryFields: readTextList(legacy.mandatoryFields ?? params.mandatoryFields, 'mandatoryFields', problems),
    dedupKey: readDedupKey(legacy.primaryFields ?? params.primaryFields, problems),
  };
  return { definition, problems };
}

function readTransformParams(transformations: unknown, problems: string[]): JsonRecord {
  if (transformations === undefined || transformations === null) return {};
  if (!Array.isArray(transformations)) {
    problems.push('transformations must be an array');
    return {};
  }
  if (transformations.length === 0) return {};
  if (transformations.length > 1) problems.push(`transformations must hold one GeneralTransform, got ${transformations.length} transformations`);
  const transform = asRecord(transformations[0]);
  if (transform === undefined || typeof transform.name !== 'string' || !TRANSFORM_NAMES.has(transform.name)) {
    problems.push('transformations[0].name must be GeneralTransform');
  }
  if (transform?.params === undefined || transform.params === null) return {};
  const params = asRecord(transform.params);
  if (params === undefined) problems.push('transformations[0].params must be an object');
  return params ?? {};
}

function readText(value: unknown, where: string, problems: string[]): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  problems.push(`${where} must be a string`);
  return '';
}

function readTextList(value: unknown, where: string, problems: string[]): string[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value) && value.every((item): item is string => typeof item === 'string')) return [...value];
  problems.push(`${where} must be an array of strings`);
  return [];
}

function readSingleId(value: unknown, where: string, problems: string[]): string {
  if (Array.isArray(value) && value.length === 1 && typeof value[0] === 'string' && value[0] !== '') return value[0];
  problems.push(`${where} must hold exactly one connection id`);
  return '';
}

function readSelectorList(value: unknown, where: string, problems: string[]): unknown[] {
  if (value === undefined || value === null) return [];
  const selectors = asRecord(value)?.selectors;
  if (asRecord(value) === undefined || (selectors !== undefined && selectors !== null && !Array.isArray(selectors))) {
    problems.push(`${where}.selectors must be an array`);
    return [];
  }
  return Array.isArray(selectors) ? selectors : [];
}

/** The `value` of a selector of the expected type, or undefined after reporting why not. */
function readSelectorValue(item: unknown, type: string, where: string, problems: string[]): JsonRecord | undefined {
  const selector = asRecord(item);
  if (selector?.type !== type) {
    problems.push(`${where}.type must be ${type}, got ${JSON.stringify(selector?.type ?? null)}`);
    return undefined;
  }
  const value = asRecord(selector.value);
  if (value === undefined) problems.push(`${where}.value must be an object`);
  return value;
}

function readAudience(item: unknown, where: string, context: FlowDocumentContext, problems: string[]): FlowAudience[] {
  const value = readSelectorValue(item, 'PLATFORM_SEGMENT', where, problems);
  if (value === undefined) return [];
  const at = `${where}.value`;
  const namespace = asRuleText(value.namespace);
  if (namespace !== undefined && !PLATFORM_NAMESPACES.has(namespace)) {
    problems.push(`${at}.namespace ${JSON.stringify(value.namespace)} is not supported, only Platform audiences (ups, AEPSegments) can be exported`);
  }
  if (!isAbsentOrEmpty(value.enrichmentInfo)) {
    problems.push(`${at}.enrichmentInfo is not supported (external audiences and enrichment attributes are not available)`);
  }
  const segmentId = readText(value.id, `${at}.id`, problems);
  const template = value.filenameTemplate ?? value.fileNameTemplate;
  const filenameTemplate = template === undefined || template === null ? undefined : readText(template, `${at}.filenameTemplate`, problems);
  const rawSchedule = asRecord(value.schedule);
  const fields = rawSchedule === undefined ? undefined : readScheduleFields(rawSchedule);
  const exportMode = value.exportMode;
  const schedule = fields === undefined ? undefined : normalizeSchedule(fields);
  const stored = context.previous?.audiences.find((candidate) => candidate.segmentId === segmentId);
  if (schedule === undefined || !isExportMode(exportMode)) {
    if (!isExportMode(exportMode)) problems.push(`${at}.exportMode must be DAILY_FULL_EXPORT or FIRST_FULL_THEN_INCREMENTAL, got ${JSON.stringify(exportMode ?? null)}`);
    if (fields === undefined) {
      problems.push(`${at}.schedule is required`);
    } else {
      // The audience is left out of the definition, so its schedule is judged here or not at all.
      const isNewOrChanged = stored === undefined || schedule === undefined || !isSameSchedule(stored.schedule, schedule);
      problems.push(...checkSchedule(fields, asRuleText(exportMode) ?? '', { where: `${at}.schedule`, now: context.now, isNewOrChanged }));
    }
    return [];
  }
  const unchanged = stored !== undefined && stored.exportMode === exportMode && stored.filenameTemplate === filenameTemplate && isSameSchedule(stored.schedule, schedule);
  return [{
    segmentId,
    name: readText(value.name, `${at}.name`, problems),
    description: readText(value.description, `${at}.description`, problems),
    ...(filenameTemplate === undefined ? {} : { filenameTemplate }),
    exportMode,
    schedule,
    addedAt: stored?.addedAt ?? context.now,
    updatedAt: unchanged ? stored.updatedAt : context.now,
  }];
}

function readScheduleFields(schedule: JsonRecord): ScheduleFields {
  return {
    frequency: asRuleText(schedule.frequency), triggerType: asRuleText(schedule.triggerType), startDate: asRuleText(schedule.startDate),
    endDate: asRuleText(schedule.endDate), startTime: asRuleText(schedule.startTime),
  };
}

function readColumn(item: unknown, where: string, problems: string[]): ColumnMapping[] {
  const value = readSelectorValue(item, 'JSON_PATH', where, problems);
  if (value === undefined) return [];
  const source = readText(value.path, `${where}.value.path`, problems).replace(XDM_PREFIX, '');
  const mapping = asRecord(value.mapping);
  const destination = readText(mapping?.destination, `${where}.value.mapping.destination`, problems).replace(XDM_PREFIX, '');
  return [{ source, destination: destination === '' ? defaultColumnDestination(source) : destination, identity: classifyProfileSource(source)?.kind === 'identity' }];
}

function readDedupKey(value: unknown, problems: string[]): DedupKey | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) {
    problems.push('primaryFields must be an array');
    return undefined;
  }
  const fields = value.map((item) => {
    const field = asRecord(item) ?? {};
    return { fieldType: asRuleText(field.fieldType), identityNamespace: asRuleText(field.identityNamespace), attributePath: asRuleText(field.attributePath) };
  });
  const { key, problems: keyProblems } = dedupKeyFromFields(fields);
  problems.push(...keyProblems);
  return key;
}

/** Epoch ms → AEP `createTime`/`updateTime` (epoch seconds as a string). */
function epochSecondsText(epochMs: number): string {
  return String(Math.floor(epochMs / 1000));
}

/**
 * Renders a stored flow as AEP's flow JSON (SPEC §7.1, the object inside `items`), fields in the SPEC's order:
 * quoted `etag`/`version`, selectors in the expanded stored form, mandatory and primary fields under `params`.
 * `labels` appears (after `description`) only when the flow has labels, so that PATCHed documents keep them.
 */
export function renderFlowDocument(flow: Flow, context: FlowRenderContext): AepFlowDocument {
  const connectionSpec = (id: string) => ({ id, version: '1.0' });
  return {
    id: flow.id, createdAt: flow.createdAt, updatedAt: flow.updatedAt, createdBy: flow.createdBy, updatedBy: flow.updatedBy,
    createdClient: flow.createdClient, updatedClient: flow.updatedClient, sandboxId: flow.sandboxId, sandboxName: context.sandboxName,
    imsOrgId: context.orgId, name: flow.name, description: flow.description,
    ...(flow.labels.length > 0 ? { labels: [...flow.labels] } : {}),
    flowSpec: { id: flow.flowSpecId, version: '1.0' }, state: flow.state, version: flow.etag, etag: flow.etag,
    sourceConnectionIds: [flow.sourceConnectionId], targetConnectionIds: [flow.targetConnectionId],
    inheritedAttributes: {
      properties: { isDestinationFlow: true },
      sourceConnections: [{ id: context.sourceConnection.id, connectionSpec: connectionSpec(context.sourceConnection.connectionSpecId), typeInfo: { type: 'ProfileFragments', id: 'ups' } }],
      targetConnections: [{
        id: context.targetConnection.id, connectionSpec: connectionSpec(context.targetConnection.connectionSpecId),
        baseConnection: { id: context.targetConnection.baseConnectionId, connectionSpec: connectionSpec(context.targetConnection.baseConnectionSpecId) },
      }],
    },
    transformations: [{
      name: 'GeneralTransform',
      params: {
        segmentSelectors: { selectors: flow.audiences.map(renderSegmentSelector) },
        profileSelectors: { selectors: flow.columns.map(renderProfileSelector) },
        mandatoryFields: [...flow.mandatoryFields],
        primaryFields: renderPrimaryFields(flow.dedupKey),
      },
    }],
    runs: `/runs?property=flowId==${flow.id}`,
    ...(context.lastRun === undefined ? {} : {
      lastRunDetails: {
        id: context.lastRun.id, state: context.lastRun.state, startedAtUTC: context.lastRun.startedAt,
        ...(context.lastRun.completedAt === undefined ? {} : { completedAtUTC: context.lastRun.completedAt }),
      },
    }),
    lastOperation: {
      started: flow.lastOperation.started, updated: flow.lastOperation.updated, percentCompleted: 100,
      status: { value: 'completed', properties: null, errors: [] }, ops: [...flow.lastOperation.ops], operation: flow.lastOperation.operation,
    },
  };
}

function renderSegmentSelector(audience: FlowAudience): JsonRecord {
  const { schedule } = audience;
  return {
    type: 'PLATFORM_SEGMENT',
    value: {
      id: audience.segmentId, name: audience.name, description: audience.description,
      ...(audience.filenameTemplate === undefined ? {} : { filenameTemplate: audience.filenameTemplate }),
      exportMode: audience.exportMode,
      schedule: {
        frequency: schedule.frequency, triggerType: schedule.triggerType, startDate: schedule.startDate,
        ...(schedule.endDate === undefined ? {} : { endDate: schedule.endDate }),
        ...(schedule.startTime === undefined ? {} : { startTime: schedule.startTime }),
      },
      createTime: epochSecondsText(audience.addedAt), updateTime: epochSecondsText(audience.updatedAt),
    },
  };
}

function renderProfileSelector(column: ColumnMapping): JsonRecord {
  return {
    type: 'JSON_PATH',
    value: {
      path: column.source, operator: 'EXISTS',
      mapping: {
        sourceType: 'text/x.schema-path', source: column.source, destination: column.destination, identity: column.identity,
        primaryIdentity: false, functionVersion: 0, copyModeMapping: false, sourceAttribute: column.source, destinationXdmPath: column.destination,
      },
    },
  };
}

function renderPrimaryFields(key: DedupKey | undefined): JsonRecord[] {
  if (key === undefined) return [];
  if (key.kind === 'identity') return [{ fieldType: 'IDENTITY', identityNamespace: key.namespace }];
  return key.paths.map((attributePath) => ({ fieldType: 'ATTRIBUTE', attributePath }));
}
