// What one run of one audience writes, decided before any row is read (SPEC §6.4, §6.5, §7.5, §8.3, §8.4): the file
// columns, mandatory and dedup columns, the format, the folder, and every file name. Pure: no I/O, no clock.
import type { ExportColumn, ExportFileFormat } from '../engine/engine.js';
import type { TargetParams } from '../domain/destinations/connection-types.js';
import { renderFileName } from '../domain/flows/filename-template.js';
import { classifyProfileSource, columnNameOf } from '../domain/flows/flow-rules.js';
import type { ColumnMapping, DedupKey } from '../domain/flows/flow-types.js';
import { assertNever } from '../errors.js';
import { FileNameTooLongError } from './export-failure.js';

/** Which default columns a flow without profile selectors gets (SPEC §7.5). */
export type DestinationCategory = 'cloudStorage' | 'emailMarketing';

/** Everything the plan is computed from. */
export interface ExportPlanInput {
  readonly flow: {
    readonly id: string;
    readonly name: string;
    readonly columns: readonly ColumnMapping[];
    /** Source paths or the mapped namespace code. */
    readonly mandatoryFields: readonly string[];
    readonly dedupKey: DedupKey | undefined;
  };
  readonly audience: { readonly segmentId: string; readonly name: string; readonly filenameTemplate?: string | undefined };
  readonly target: TargetParams;
  /** The connection spec's display name (`Amazon S3`, `Data Landing Zone`) and its category. */
  readonly destination: { readonly name: string; readonly category: DestinationCategory };
  readonly run: {
    readonly id: string;
    /** Start of the run's first attempt (epoch ms): file names are the same for every retry. */
    readonly startedAt: number;
  };
  readonly organizationName: string;
  readonly sandboxName: string;
  /** `ACTIVATOR_MAX_FILE_ROWS`: the split size when the target does not set `maxFileRowCount`. */
  readonly defaultMaxFileRowCount: number;
}

/** The decisions of one export. File names come from {@link dataFileName}. */
export interface ExportPlan {
  readonly columns: readonly ExportColumn[];
  /** Column names whose value must be present. */
  readonly mandatory: readonly string[];
  /** Column names of the dedup key (empty: no dedup). */
  readonly dedupKey: readonly string[];
  readonly format: ExportFileFormat;
  readonly maxFileRowCount: number;
  /** Relative folder at the destination, macros resolved and sanitised (`''` = the root). */
  readonly folder: string;
  /** The file name without split suffix and extension. */
  readonly baseName: string;
  /** `.csv.gz`, `.parquet`, `.json.gpg`, … */
  readonly extension: string;
  /** The armoured public key files are encrypted to, when the target has one. */
  readonly pgpPublicKey: string | undefined;
  /** `manifest-<flowId>-<runId>.json` when the target asks for a manifest. */
  readonly manifestName: string | undefined;
}

const DEFAULT_COLUMNS: Readonly<Record<DestinationCategory, readonly ColumnMapping[]>> = {
  cloudStorage: [
    { source: 'segmentMembership.status', destination: 'segmentMembership.status', identity: false },
    { source: 'segmentMembership.lastQualificationTime', destination: 'segmentMembership.lastQualificationTime', identity: false },
  ],
  emailMarketing: [
    { source: 'person.name.firstName', destination: 'person.name.firstName', identity: false },
    { source: 'person.name.lastName', destination: 'person.name.lastName', identity: false },
    { source: 'personalEmail.address', destination: 'personalEmail.address', identity: false },
    { source: 'segmentMembership.status', destination: 'segmentMembership.status', identity: false },
  ],
};

/** A source path without the `xdm: ` prefix AEP clients may send (SPEC §7.5). */
const bareSource = (source: string) => source.replace(/^xdm:\s*/, '');

/** The engine column of one mapping; throws on a source the flow rules would have refused. */
export function exportColumnOf(mapping: ColumnMapping): ExportColumn {
  const source = bareSource(mapping.source);
  const name = columnNameOf(mapping.destination);
  const kind = classifyProfileSource(source);
  if (kind === undefined) throw new Error(`The column source ${JSON.stringify(mapping.source)} is not a profile source path`);
  switch (kind.kind) {
    case 'identity': return { kind: 'identity', name, namespace: kind.namespace };
    case 'membership': return kind.field === 'status' ? { kind: 'membershipStatus', name } : { kind: 'lastQualificationTime', name };
    case 'attribute': return { kind: 'attribute', name, path: source };
    default: return assertNever(kind);
  }
}

/** The column name a mandatory field or dedup path refers to: a mapped attribute path or the mapped namespace code. */
function columnNamed(field: string, mappings: readonly ColumnMapping[], columns: readonly ExportColumn[]): string {
  const index = columns.findIndex((column, at) =>
    column.kind === 'identity' ? column.namespace.toLowerCase() === field.toLowerCase() : bareSource(mappings[at]?.source ?? '') === field,
  );
  const column = columns[index];
  if (column === undefined) throw new Error(`The field ${JSON.stringify(field)} is not a mapped column of the dataflow`);
  return column.name;
}

function dedupColumns(key: DedupKey | undefined, mappings: readonly ColumnMapping[], columns: readonly ExportColumn[]): string[] {
  if (key === undefined) return [];
  if (key.kind === 'identity') return [columnNamed(key.namespace, mappings, columns)];
  return key.paths.map((path) => columnNamed(path, mappings, columns));
}

/** Control characters (C0, DEL, C1), by code point. */
const isControlCharacter = (character: string) => {
  const code = character.codePointAt(0) ?? 0;
  return code < 0x20 || (code >= 0x7f && code <= 0x9f);
};

/**
 * A folder macro value made safe as one folder name (SPEC §6.5): `/` and `\` → `_`, control characters removed,
 * spaces kept; a value that is empty or only dots becomes `_` (so `..` can never climb out of the folder).
 */
export function sanitiseFolderMacroValue(value: string): string {
  const plain = [...value.replace(/[/\\]/g, '_')].filter((character) => !isControlCharacter(character)).join('');
  return /^\.*$/.test(plain) ? '_' : plain;
}

/**
 * The destination folder: the target `path` with `%SEGMENT_NAME%`/`%SEGMENT_ID%` replaced by sanitised values.
 * Empty segments (leading, trailing or doubled `/`) and `.` segments are dropped; a `..` segment (refused when the
 * target is saved) becomes `_`, so the result is always a relative folder inside the destination's root.
 */
export function resolveFolder(path: string, audience: { readonly segmentId: string; readonly name: string }): string {
  const segments = path.split('/').flatMap((segment) => {
    // One pass: a macro's value is data, never read again as a macro.
    const resolved = segment.replace(/%SEGMENT_NAME%|%SEGMENT_ID%/g, (macro) => sanitiseFolderMacroValue(macro === '%SEGMENT_NAME%' ? audience.name : audience.segmentId));
    const clean = [...resolved].filter((character) => !isControlCharacter(character)).join('').replace(/\\/g, '_');
    if (clean === '' || clean === '.') return [];
    return /^\.+$/.test(clean) ? ['_'] : [clean];
  });
  return segments.join('/');
}

/** The file extension of a format, with `.gpg` when encrypted (SPEC §6.4 table). */
export function fileExtensionOf(format: Pick<ExportFileFormat, 'fileType' | 'compression'>, encrypted: boolean): string {
  const base = format.fileType === 'PARQUET' ? '.parquet' : format.fileType === 'CSV' ? '.csv' : '.json';
  const gzip = format.fileType !== 'PARQUET' && format.compression === 'GZIP' ? '.gz' : '';
  return `${base}${gzip}${encrypted ? '.gpg' : ''}`;
}

/** Computes the plan; throws {@link FileNameTooLongError} when even the first file's name is over the limit. */
export function planAudienceExport(input: ExportPlanInput): ExportPlan {
  const mappings = input.flow.columns.length > 0 ? input.flow.columns : DEFAULT_COLUMNS[input.destination.category];
  const columns = mappings.map(exportColumnOf);
  const mandatory = [...new Set(input.flow.mandatoryFields.map((field) => columnNamed(field, mappings, columns)))];
  const target = input.target;
  const pgpPublicKey = target.pgpPublicKey !== undefined && target.pgpPublicKey.trim() !== '' ? target.pgpPublicKey : undefined;
  const format: ExportFileFormat = { fileType: target.fileType, compression: target.compression, csv: target.csvOptions };
  const baseName = renderFileName(input.audience.filenameTemplate, {
    destinationName: input.destination.name,
    flowName: input.flow.name,
    flowId: input.flow.id,
    segmentId: input.audience.segmentId,
    segmentName: input.audience.name,
    organizationName: input.organizationName,
    sandboxName: input.sandboxName,
    runStartedAt: input.run.startedAt,
  });
  const plan: ExportPlan = {
    columns,
    mandatory,
    dedupKey: dedupColumns(input.flow.dedupKey, mappings, columns),
    format,
    maxFileRowCount: target.maxFileRowCount ?? input.defaultMaxFileRowCount,
    folder: resolveFolder(target.path, input.audience),
    baseName,
    extension: fileExtensionOf(format, pgpPublicKey !== undefined),
    pgpPublicKey,
    manifestName: target.includeFileManifest ? `manifest-${input.flow.id}-${input.run.id}.json` : undefined,
  };
  dataFileName(plan, 0);
  return plan;
}

/** Longest complete file name (SPEC §8.3: 255 characters; destinations' filesystems also count UTF-8 bytes). */
export const MAX_FILE_NAME_LENGTH = 255;

/**
 * The name of the `index`-th data file (0-based): `<base><ext>`, then `<base>_2<ext>`, `<base>_3<ext>`, … (SPEC §8.4).
 * Throws {@link FileNameTooLongError} over 255 characters (or 255 UTF-8 bytes, which is what filesystems limit).
 */
export function dataFileName(plan: Pick<ExportPlan, 'baseName' | 'extension'>, index: number): string {
  const name = `${plan.baseName}${index === 0 ? '' : `_${index + 1}`}${plan.extension}`;
  if ([...name].length > MAX_FILE_NAME_LENGTH || Buffer.byteLength(name) > MAX_FILE_NAME_LENGTH) throw new FileNameTooLongError(name);
  return name;
}

/** The manifest's `sinkPath` of a folder: with a leading `/` (SPEC §8.4). */
export function sinkPathOf(folder: string): string {
  return `/${folder}`;
}
