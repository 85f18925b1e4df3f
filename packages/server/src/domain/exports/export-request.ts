// The export job request (SPEC §5.9): shape and value checks of the POST body, as a pure function.
import { AppError } from '../../errors.js';

export type MemberStatus = 'realized' | 'existing' | 'exited';
export const MEMBER_STATUSES: readonly MemberStatus[] = ['realized', 'existing', 'exited'];
export const DEFAULT_STATUSES: readonly MemberStatus[] = ['realized', 'existing'];
/** The pseudo-path selecting the identity list. */
export const IDENTITIES_FIELD = 'identities.id';
/** Bounds on what a client can make us resolve and store. */
export const MAX_EXPORT_SEGMENTS = 100;
export const MAX_EXPORT_FIELDS = 500;
const MAX_TEXT = 10_000;

export interface ExportSegmentFilter {
  readonly segmentId: string;
  readonly segmentNs: string;
  readonly status: readonly MemberStatus[];
}

export interface ExportRequest {
  /** `fields` as sent ('' when absent). */
  readonly fieldsText: string;
  /** Attribute paths; empty = every attribute the destination declares. */
  readonly fields: readonly string[];
  readonly mergePolicy: { readonly id: string; readonly version?: number | undefined } | undefined;
  readonly segments: readonly ExportSegmentFilter[];
  /** `lastQualificationTime` window (epoch ms): start inclusive, end exclusive; with the texts as sent. */
  readonly qualificationTime: { readonly start?: number | undefined; readonly end?: number | undefined; readonly startTime?: string | undefined; readonly endTime?: string | undefined } | undefined;
  readonly emptyProfiles: boolean;
  readonly destination: { readonly datasetId: string; readonly segmentPerBatch: boolean };
  readonly schemaName: string;
  readonly segmentation: boolean;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const shown = (value: unknown) => (value === undefined ? 'nothing' : JSON.stringify(value));

function timeOf(value: unknown, name: string, problems: string[]): number | undefined {
  if (value === undefined) return undefined;
  const time = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(time)) problems.push(`filter.segmentQualificationTime.${name} must be an ISO 8601 date-time such as "2025-01-01T00:00:00Z", got ${shown(value)}`);
  return Number.isNaN(time) ? undefined : time;
}

function segmentsOf(filter: Record<string, unknown>, problems: string[]): ExportSegmentFilter[] {
  const list = filter['segments'];
  if (!Array.isArray(list) || list.length === 0 || list.length > MAX_EXPORT_SEGMENTS) {
    problems.push(`filter.segments must list 1 to ${MAX_EXPORT_SEGMENTS} audiences as {"segmentId": "<id>"}, got ${Array.isArray(list) ? `${list.length} entries` : shown(list)}`);
    return [];
  }
  const segments: ExportSegmentFilter[] = [];
  list.forEach((entry: unknown, index) => {
    const where = `filter.segments[${index}]`;
    if (!isRecord(entry) || typeof entry['segmentId'] !== 'string' || entry['segmentId'].trim() === '' || entry['segmentId'].length > 100) {
      problems.push(`${where}.segmentId must be an audience id`);
      return;
    }
    const segmentNs = entry['segmentNs'] ?? 'ups';
    if (segmentNs !== 'ups') problems.push(`${where}.segmentNs must be ups, got ${shown(segmentNs)}`);
    const status = entry['status'] ?? DEFAULT_STATUSES;
    if (!Array.isArray(status) || status.length === 0 || !status.every((s) => MEMBER_STATUSES.includes(s as MemberStatus))) {
      problems.push(`${where}.status must list values among realized, existing, exited, got ${shown(status)}`);
      return;
    }
    segments.push({ segmentId: entry['segmentId'], segmentNs: 'ups', status: [...new Set(status as MemberStatus[])] });
  });
  const ids = segments.map((s) => s.segmentId);
  if (new Set(ids).size !== ids.length) problems.push('filter.segments lists an audience twice');
  return segments;
}

/**
 * Checks a POST /export/jobs body and returns the request; throws VALIDATION naming every problem.
 * `fromIngestTimestamp` and `additionalFields` are accepted and ignored.
 */
export function parseExportRequest(body: unknown): ExportRequest {
  if (!isRecord(body)) throw new AppError('VALIDATION', 'The request body must be a JSON object (SPEC §5.9)');
  const problems: string[] = [];
  const fieldsText = body['fields'] ?? '';
  if (typeof fieldsText !== 'string' || fieldsText.length > MAX_TEXT) problems.push(`fields must be a comma-separated list of attribute paths, got ${shown(body['fields'])}`);
  const fields = typeof fieldsText === 'string' ? [...new Set(fieldsText.split(',').map((f) => f.trim()).filter((f) => f !== ''))] : [];
  if (fields.length > MAX_EXPORT_FIELDS) problems.push(`fields lists ${fields.length} paths; at most ${MAX_EXPORT_FIELDS}`);
  const bad = fields.find((f) => f !== IDENTITIES_FIELD && !/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(f));
  if (bad !== undefined) problems.push(`fields: ${JSON.stringify(bad)} is not an attribute path (dot-separated names)`);

  const destination = body['destination'];
  const datasetId = isRecord(destination) ? destination['datasetId'] : undefined;
  if (typeof datasetId !== 'string' || datasetId.trim() === '') problems.push('destination.datasetId is required: the id of a profile dataset with profileEnabled false');
  const segmentPerBatch = isRecord(destination) ? destination['segmentPerBatch'] ?? false : false;
  if (typeof segmentPerBatch !== 'boolean') problems.push(`destination.segmentPerBatch must be true or false, got ${shown(segmentPerBatch)}`);

  const schema = body['schema'];
  const schemaName = isRecord(schema) ? schema['name'] : undefined;
  if (schemaName !== '_xdm.context.profile') problems.push(`schema.name is required and must be _xdm.context.profile, got ${shown(schemaName)}`);

  let mergePolicy: ExportRequest['mergePolicy'];
  const policy = body['mergePolicy'];
  if (policy !== undefined) {
    if (!isRecord(policy) || typeof policy['id'] !== 'string' || policy['id'] === '' || (policy['version'] !== undefined && !Number.isSafeInteger(policy['version']))) {
      problems.push(`mergePolicy must be {"id": "<merge policy id>", "version": <integer>}, got ${shown(policy)}`);
    } else {
      mergePolicy = { id: policy['id'], version: policy['version'] as number | undefined };
    }
  }

  const filter = body['filter'];
  let segments: ExportSegmentFilter[] = [];
  let qualificationTime: ExportRequest['qualificationTime'];
  let emptyProfiles = false;
  if (!isRecord(filter)) {
    problems.push('filter is required: {"segments": [{"segmentId": "<audience id>"}]}');
  } else {
    segments = segmentsOf(filter, problems);
    const window = filter['segmentQualificationTime'];
    if (window !== undefined) {
      if (!isRecord(window)) problems.push(`filter.segmentQualificationTime must be {"startTime", "endTime"}, got ${shown(window)}`);
      else {
        const start = timeOf(window['startTime'], 'startTime', problems);
        const end = timeOf(window['endTime'], 'endTime', problems);
        if (start !== undefined && end !== undefined && start >= end) problems.push('filter.segmentQualificationTime.startTime must be before endTime');
        qualificationTime = { start, end, startTime: window['startTime'] as string | undefined, endTime: window['endTime'] as string | undefined };
      }
    }
    emptyProfiles = (filter['emptyProfiles'] ?? false) === true;
    if (typeof (filter['emptyProfiles'] ?? false) !== 'boolean') problems.push(`filter.emptyProfiles must be true or false, got ${shown(filter['emptyProfiles'])}`);
  }
  const evaluationInfo = body['evaluationInfo'];
  const segmentation = isRecord(evaluationInfo) ? evaluationInfo['segmentation'] ?? false : false;
  if (typeof segmentation !== 'boolean') problems.push(`evaluationInfo.segmentation must be true or false, got ${shown(segmentation)}`);

  if (problems.length > 0) throw new AppError('VALIDATION', problems.join('; '));
  return {
    fieldsText: fieldsText as string, fields, mergePolicy, segments, qualificationTime, emptyProfiles,
    destination: { datasetId: datasetId as string, segmentPerBatch: segmentPerBatch as boolean }, schemaName: schemaName as string, segmentation: segmentation as boolean,
  };
}
