// The target parameter table of a destination (SPEC §6.4, §6.5), from which its validator and its published targetSpec derive.
import { decodeBase64Text } from './auth-param-rules.js';
import type { DestinationConnectionSpec, StorageKind } from './destination-catalog.js';
import type { ParamDefinition, StringParamDefinition } from './param-definitions.js';

/** Bounds that come from the configuration rather than from AEP. */
export interface TargetParamLimits {
  /** `ACTIVATOR_MAX_FILE_ROWS`: the largest `maxFileRowCount`. */
  readonly maxFileRows: number;
}

/** The parameter naming the bucket or container of each storage; SFTP and the landing zone have none. */
const LOCATION_PARAM_BY_STORAGE: Record<StorageKind, 'bucketName' | 'container' | undefined> = {
  s3: 'bucketName',
  gcs: 'bucketName',
  azureBlob: 'container',
  sftp: undefined,
  landingZone: undefined,
};

/** Other spellings of `path` per storage: AEP's legacy SFTP target used `remotePath`. */
const PATH_ALIASES_BY_STORAGE: Record<StorageKind, readonly string[]> = {
  s3: [],
  gcs: [],
  azureBlob: [],
  sftp: ['remotePath'],
  landingZone: [],
};

/** The folder macros allowed at the end of `path` (SPEC §6.5), longest first. */
export const FOLDER_MACRO_SUFFIXES = ['%SEGMENT_NAME%/%SEGMENT_ID%', '%SEGMENT_NAME%', '%SEGMENT_ID%'] as const;

const PATH_CHARACTER_CLASS = "[A-Za-z0-9/!_.'()* -]";
/** Allowed characters, no `..` folder, and optionally one folder-macro suffix. */
const PATH_PATTERN = `^(?!(?:.*/)?\\.\\.(?:/|$))${PATH_CHARACTER_CLASS}*(?:${FOLDER_MACRO_SUFFIXES.join('|')})?$`;
const BUCKET_NAME_PATTERN = '^(?![0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+$)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$';
const CONTAINER_PATTERN = '^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$';
const CSV_TEXT_PATTERN = '^[^\\r\\n]{0,16}$';

/** Names the rule of PATH_PATTERN that a path breaks. */
function describePathProblem(path: string): string {
  const macroSuffix = FOLDER_MACRO_SUFFIXES.find((macro) => path.endsWith(macro)) ?? '';
  const beforeMacros = path.slice(0, path.length - macroSuffix.length);
  if (beforeMacros.includes('%')) return `may use only the folder macros ${FOLDER_MACRO_SUFFIXES.join(', ')}, and only at its end`;
  if (path.split('/').includes('..')) return "must not contain a '..' folder";
  const unexpected = [...new Set(beforeMacros.replace(new RegExp(PATH_CHARACTER_CLASS, 'gu'), ''))].map((character) => JSON.stringify(character));
  return `may contain only letters, digits, spaces and / ! - _ . ' ( ) * (found ${unexpected.join(', ')})`;
}

const PGP_ARMOR_HEADER = /^-----BEGIN PGP ([A-Z ]+)-----/;

/** The armoured text of a `pgpPublicKey` sent armoured or Base64-encoded; undefined when it is neither. */
export function armoredPgpText(value: string): string | undefined {
  const sent = value.trim();
  const text = sent.startsWith('-----BEGIN ') ? sent : decodeBase64Text(value)?.trim();
  return text !== undefined && PGP_ARMOR_HEADER.test(text) ? `${text}\n` : undefined;
}

function checkPgpArmor(value: string): string | undefined {
  const text = armoredPgpText(value);
  const block = text === undefined ? undefined : PGP_ARMOR_HEADER.exec(text)?.[1];
  if (block === 'PUBLIC KEY BLOCK') return undefined;
  if (block === 'PRIVATE KEY BLOCK') return 'must be a public key, but this is a private key: never share it; export the public key with gpg --armor --export <key id>';
  return 'must be an ASCII-armoured OpenPGP public key (-----BEGIN PGP PUBLIC KEY BLOCK-----) or the Base64 encoding of one';
}

const csvText = (name: string, description: string): StringParamDefinition => ({
  kind: 'string',
  name,
  description,
  allowEmpty: true,
  defaultValue: '',
  pattern: CSV_TEXT_PATTERN,
  rule: 'must be at most 16 characters without line breaks',
});

const CSV_OPTIONS: ParamDefinition = {
  kind: 'object',
  name: 'csvOptions',
  description: 'How CSV files are written; ignored for JSON and Parquet.',
  unknownProperty: (name) => `Unknown CSV option '${name}'`,
  properties: [
    { kind: 'string', name: 'delimiter', description: 'The field separator.', enumValues: [',', '\t', '|', ';', ':'], defaultValue: ',' },
    {
      kind: 'string',
      name: 'quote',
      description: 'The quote character; empty to never quote.',
      enumValues: ['"', "'", ''],
      synonyms: { '\u0000': '' },
      allowEmpty: true,
      defaultValue: '"',
    },
    { kind: 'string', name: 'escape', description: 'The escape character.', enumValues: ['\\', "'"], defaultValue: '\\' },
    csvText('nullValue', 'Written for missing values.'),
    csvText('emptyValue', 'Written for empty strings.'),
    { kind: 'boolean', name: 'header', description: 'Whether the first line names the columns.', defaultValue: true },
    { kind: 'boolean', name: 'quoteAll', description: 'Whether every value is quoted.', defaultValue: false },
  ],
};

const PGP_PUBLIC_KEY: ParamDefinition = {
  kind: 'string',
  name: 'pgpPublicKey',
  description: 'An ASCII-armoured OpenPGP public key (or its Base64) that files are encrypted to.',
  nonAep: true,
  check: checkPgpArmor,
  normalize: (value) => armoredPgpText(value) ?? value,
};

function locationParams(storageKinds: readonly StorageKind[]): ParamDefinition[] {
  const names = [...new Set(storageKinds.map((kind) => LOCATION_PARAM_BY_STORAGE[kind]))];
  const requiredEverywhere = (name: 'bucketName' | 'container'): boolean => names.length === 1 && names[0] === name;
  return names.flatMap((name): ParamDefinition[] => {
    if (name === 'bucketName') {
      const rule = "must be 3 to 63 lower-case letters, digits, '-' or '.', start and end with a letter or digit, and not be formatted as an IP address";
      return [{ kind: 'string', name, description: 'The bucket files are written to.', required: requiredEverywhere(name), pattern: BUCKET_NAME_PATTERN, rule }];
    }
    if (name === 'container') {
      const rule = "must be 3 to 63 lower-case letters, digits or '-', start and end with a letter or digit, without '--'";
      return [{ kind: 'string', name, description: 'The blob container files are written to.', required: requiredEverywhere(name), pattern: CONTAINER_PATTERN, rule }];
    }
    return [];
  });
}

function ignoredForAepCompatibility(name: string): ParamDefinition {
  return { kind: 'ignored', name, description: 'Accepted for AEP compatibility and ignored.' };
}

/**
 * The target parameters of a destination writing to `storageKinds`: one kind when validating a
 * target connection (its base connection decides), all kinds of the spec when publishing the spec.
 */
export function targetParamDefinitions(spec: DestinationConnectionSpec, storageKinds: readonly StorageKind[], limits: TargetParamLimits): ParamDefinition[] {
  const fileTypeRule = spec.fileTypes.length === 1 ? `must be ${JSON.stringify(spec.fileTypes[0])}: ${spec.name} accepts no other file type` : undefined;
  return [
    ...locationParams(storageKinds),
    {
      kind: 'string',
      name: 'path',
      aliases: [...new Set(storageKinds.flatMap((kind) => PATH_ALIASES_BY_STORAGE[kind]))],
      description: 'The folder files are written to, empty for the root; may end with %SEGMENT_NAME%, %SEGMENT_ID% or %SEGMENT_NAME%/%SEGMENT_ID%.',
      allowEmpty: true,
      defaultValue: '',
      pattern: PATH_PATTERN,
      rule: describePathProblem,
    },
    { kind: 'string', name: 'fileType', description: 'The format of exported files.', enumValues: spec.fileTypes, defaultValue: 'CSV', ...(fileTypeRule === undefined ? {} : { rule: fileTypeRule }) },
    { kind: 'string', name: 'compression', description: 'Whether files are gzip-compressed.', enumValues: ['NONE', 'GZIP'], defaultValue: 'NONE' },
    CSV_OPTIONS,
    { kind: 'boolean', name: 'includeFileManifest', description: 'Whether a manifest file lists the files of each export.', defaultValue: false },
    ...(spec.supportsPgpEncryption
      ? [PGP_PUBLIC_KEY]
      : []),
    { kind: 'integer', name: 'maxFileRowCount', description: 'The most rows per file before the export is split.', nonAep: true, minimum: 1, maximum: limits.maxFileRows },
    ignoredForAepCompatibility('mode'),
    ignoredForAepCompatibility('format'),
    ignoredForAepCompatibility('datasetFileType'),
  ];
}
