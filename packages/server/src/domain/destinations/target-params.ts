// Validates the params of a target connection (SPEC §6.4, §6.5) into complete TargetParams.
import { AppError } from '../../errors.js';
import type { Compression, CsvOptions, FileType, TargetParams } from './connection-types.js';
import { requireDestinationSpec, resolveStorageKind, type DestinationConnectionSpec } from './destination-catalog.js';
import { validateParamValues } from './param-definitions.js';
import { targetParamDefinitions, type TargetParamLimits } from './target-param-definitions.js';

/**
 * Checks that an ASCII-armoured OpenPGP public key can be read and encrypted to (implemented with
 * openpgp outside the domain, e.g. security/openpgp-public-key-checker.ts).
 */
export interface PgpPublicKeyChecker {
  /** Resolves to undefined for a usable key, or to why it is unusable (`it has expired`). Never echoes the key. */
  findProblem(armoredKey: string): Promise<string | undefined>;
}

/** What target params are validated against besides the destination. */
export interface TargetParamsContext extends TargetParamLimits {
  /**
   * The auth spec of the base connection (undefined for the Data Landing Zone): it decides the storage,
   * hence `bucketName` or `container`, for destinations with several (Adobe Campaign).
   */
  readonly authSpecName: string | undefined;
  readonly pgpKeyChecker: PgpPublicKeyChecker;
}

/** Names of parameters that some destinations take, refused with a reason where they do not apply. */
function unknownTargetParam(spec: DestinationConnectionSpec, name: string): string {
  if (name === 'pgpPublicKey' && !spec.supportsPgpEncryption) return `params.pgpPublicKey is not supported by ${spec.name}: its files are not encrypted`;
  return `Unknown target parameter '${name}' for ${spec.name}`;
}

/** Assembles TargetParams from values that passed their table (types guaranteed by it). */
function toTargetParams(values: Readonly<Record<string, unknown>>): TargetParams {
  return {
    ...(typeof values.bucketName === 'string' ? { bucketName: values.bucketName } : {}),
    ...(typeof values.container === 'string' ? { container: values.container } : {}),
    path: values.path as string,
    fileType: values.fileType as FileType,
    compression: values.compression as Compression,
    csvOptions: values.csvOptions as CsvOptions,
    includeFileManifest: values.includeFileManifest as boolean,
    ...(typeof values.pgpPublicKey === 'string' ? { pgpPublicKey: values.pgpPublicKey } : {}),
    ...(typeof values.maxFileRowCount === 'number' ? { maxFileRowCount: values.maxFileRowCount } : {}),
  };
}

/**
 * Validates the params of a target connection of `connectionSpecId` and returns them complete:
 * `path` '' , `fileType` CSV, `compression` NONE, every CSV option, `includeFileManifest` false.
 * `remotePath` (SFTP) is folded into `path`; `mode`, `format` and `datasetFileType` are dropped;
 * `pgpPublicKey` is stored ASCII-armoured and must be usable for encryption. `maxFileRowCount`
 * stays absent unless sent, so exports follow the configured maximum.
 *
 * @throws FLOW-1460-400 for an unknown, legacy or source connection spec id.
 * @throws one FLOW-1420-400 listing every problem, e.g. `params.bucketName is required; params.path must not contain a '..' folder`.
 */
export async function validateTargetParams(connectionSpecId: string, params: unknown, context: TargetParamsContext): Promise<TargetParams> {
  const spec = requireDestinationSpec(connectionSpecId);
  const storageKind = resolveStorageKind(spec, context.authSpecName);
  const result = validateParamValues(targetParamDefinitions(spec, [storageKind], context), params, {
    path: 'params',
    unknownParam: (name) => unknownTargetParam(spec, name),
  });
  const problems = [...result.problems];
  const { pgpPublicKey } = result.values;
  if (typeof pgpPublicKey === 'string') {
    const keyProblem = await context.pgpKeyChecker.findProblem(pgpPublicKey);
    if (keyProblem !== undefined) problems.push(`params.pgpPublicKey is not a usable OpenPGP public key: ${keyProblem}`);
  }
  if (problems.length > 0) throw new AppError('VALIDATION', problems.join('; '), { familyCode: 'FLOW-1420-400' });
  return toTargetParams(result.values);
}
