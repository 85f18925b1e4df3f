// The read-only destination catalog of SPEC §6.1: connection specs, flow specs, lookups and the unsupported-id rule.
import { AppError } from '../../errors.js';
import { CONNECTION_SPECS } from './connection-spec-data.js';
import type { FileType } from './connection-types.js';
import { paramsJsonSchema, type JsonSchema, type JsonValue, type ParamDefinition } from './param-definitions.js';
import { targetParamDefinitions, type TargetParamLimits } from './target-param-definitions.js';

/** The provider of every spec Activator serves. */
export const DESTINATION_PROVIDER_ID = '14e34fac-d307-11e9-bb65-2a2ae2dbcce4';
/** The version of every spec Activator serves. */
export const SPEC_VERSION = '1.0';
/** The Profile Store source spec every dataflow reads from. */
export const PROFILE_STORE_SPEC_ID = '8a9c3494-9708-43d7-ae3f-cda01e5030e1';

export type DestinationCategory = 'cloudStorage' | 'emailMarketing';

/** Where files end up: decides the connector and the location parameter of target connections. */
export type StorageKind = 's3' | 'gcs' | 'azureBlob' | 'sftp' | 'landingZone';

/** AEP's `authSpec[].type`. */
export type AuthSpecType = 'KeyBased' | 'RoleBased' | 'ConnectionString' | 'PasswordBased' | 'PublicKeyBased';

/** One way to authenticate against a destination (`auth.specName`) and its parameter table. */
export interface AuthSpecDefinition {
  readonly name: string;
  /** Other names accepted in `auth.specName`, normalised to `name`. */
  readonly aliases?: readonly string[];
  readonly type: AuthSpecType;
  readonly storageKind: Exclude<StorageKind, 'landingZone'>;
  readonly params: readonly ParamDefinition[];
}

/** A destination (SPEC §6.1). Differences between destinations are data here, never `if (name === …)`. */
export interface DestinationConnectionSpec {
  readonly role: 'destination';
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly category: DestinationCategory;
  readonly fileTypes: readonly FileType[];
  /** Empty for destinations that take no credentials (Data Landing Zone). */
  readonly authSpecs: readonly AuthSpecDefinition[];
  /** The storage of a destination without auth specs. */
  readonly storageKindWithoutAuth?: 'landingZone';
  /** Whether target connections may set `pgpPublicKey`. */
  readonly supportsPgpEncryption: boolean;
}

/** The Profile Store source spec. */
export interface SourceConnectionSpec {
  readonly role: 'source';
  readonly id: string;
  readonly name: string;
  readonly description: string;
}

export type ConnectionSpec = DestinationConnectionSpec | SourceConnectionSpec;

/** A flow spec: which source and target connection specs a dataflow may tie together. */
export interface FlowSpec {
  readonly id: string;
  readonly name: string;
  readonly sourceConnectionSpecIds: readonly string[];
  readonly targetConnectionSpecIds: readonly string[];
}

const CLOUD_STORAGE_SPEC_IDS = CONNECTION_SPECS.filter((spec) => spec.role === 'destination' && spec.category === 'cloudStorage').map((spec) => spec.id);

const flowSpec = (id: string, name: string, targetConnectionSpecIds: readonly string[]): FlowSpec => ({
  id,
  name,
  sourceConnectionSpecIds: [PROFILE_STORE_SPEC_ID],
  targetConnectionSpecIds,
});

const FLOW_SPECS: readonly FlowSpec[] = [
  flowSpec('1a0514a6-33d4-4c7f-aff8-594799c47549', 'Amazon S3 - Segment', ['4fce964d-3f37-408f-9778-e597338a21ee']),
  flowSpec('752d422f-b16f-4f0d-b1c6-26e448e3b388', 'Azure Blob Storage - Segment', ['6d6b59bf-fb58-4107-9064-4d246c0e5bb2']),
  flowSpec('976d663b-80b4-4193-be6b-2d0487516623', 'Google Cloud Storage - Segment', ['c5d93acb-ea8b-4b14-8f53-02138444ae99']),
  flowSpec('fd36aaa4-bf2b-43fb-9387-43785eeeb799', 'SFTP - Segment', ['36965a81-b1c6-401b-99f8-22508f1e6a26']),
  flowSpec('7e635b9f-e59b-4546-8ba8-fce6496693c8', 'Data Landing Zone - Segment', ['10440537-2a7b-4583-ac39-ed38d4b848e8']),
  // Adobe's docs point every cloud-storage destination at this flow spec: legacy clients keep working.
  flowSpec('71471eba-b620-49e4-90fd-23f1fa0174d8', 'Batch file export - Segment', [
    '0b23e41a-cb4a-4321-a78f-3b654f5d7d97',
    'c1e44b6b-e7c8-404b-9031-58f0ef760604',
    ...CLOUD_STORAGE_SPEC_IDS,
  ]),
  flowSpec('51d675ce-e270-408d-91fc-22717bdf2148', 'Oracle Responsys - Segment', ['a5e28ddf-e265-426e-83a1-9d03a3a6822b']),
  flowSpec('493b2bd6-26e4-4167-ab3b-5e910bba44f0', 'Salesforce Marketing Cloud (Files) - Segment', ['f599a5b3-60a7-4951-950a-cc4115c7ea27']),
];

/**
 * Spec ids that appear in Adobe's documentation but that Activator refuses with FLOW-1460-400:
 * legacy connectors and dataset-export flow specs (SPEC §6.1, §15). Any other unknown id is refused alike;
 * this table documents why these familiar ones are.
 */
export const UNSUPPORTED_SPEC_IDS: Readonly<Record<string, string>> = {
  '4890fc95-5a1f-4983-94bb-e060c08e3f81': 'legacy Amazon S3 connection spec',
  '64ef4b8b-a6e0-41b5-9677-3805d1ee5dd0': 'legacy SFTP connection spec',
  'e258278b-a4cf-43ac-b158-4fa0ca0d948b': 'legacy connection spec',
  '269ba276-16fc-47db-92b0-c1049a3c131f': 'Amazon S3 dataset export flow spec',
  '354d6aad-4754-46e4-a576-1b384561c440': 'SFTP dataset export flow spec',
  '95bd8965-fc8a-4119-b9c3-944c2c2df6d2': 'Azure Blob Storage dataset export flow spec',
  '585c15c4-6cbf-4126-8f87-e26bff78b657': 'Google Cloud Storage dataset export flow spec',
  'cd2fc47e-e838-4f38-a581-8fff2f99b63a': 'Data Landing Zone dataset export flow spec',
  '17be2013-2549-41ce-96e7-a70363bec293': 'Azure Data Lake Gen2 dataset export flow spec',
};

/** FLOW-1460-400, the answer to a spec id that is unknown, legacy or of the wrong kind. */
export function invalidSpecIdError(): AppError {
  return new AppError('BAD_REQUEST', 'Please provide a valid spec id', { familyCode: 'FLOW-1460-400' });
}

/** Every connection spec, destinations first, in a stable order. */
export function listConnectionSpecs(): readonly ConnectionSpec[] {
  return CONNECTION_SPECS;
}

/** Every flow spec, in a stable order. */
export function listFlowSpecs(): readonly FlowSpec[] {
  return FLOW_SPECS;
}

/** The connection spec with this id, or undefined (legacy ids included). */
export function findConnectionSpec(id: string): ConnectionSpec | undefined {
  return CONNECTION_SPECS.find((spec) => spec.id === id);
}

/** The flow spec with this id, or undefined (dataset flow specs included). */
export function findFlowSpec(id: string): FlowSpec | undefined {
  return FLOW_SPECS.find((spec) => spec.id === id);
}

/** The destination spec with this id. @throws FLOW-1460-400 for any other id, the source spec included. */
export function requireDestinationSpec(id: string): DestinationConnectionSpec {
  const spec = findConnectionSpec(id);
  if (spec?.role !== 'destination') throw invalidSpecIdError();
  return spec;
}

/** The flow spec with this id. @throws FLOW-1460-400 when there is none. */
export function requireFlowSpec(id: string): FlowSpec {
  const spec = findFlowSpec(id);
  if (spec === undefined) throw invalidSpecIdError();
  return spec;
}

/** The auth spec called `name` (or one of its aliases) in a destination spec. */
export function findAuthSpec(spec: DestinationConnectionSpec, name: string): AuthSpecDefinition | undefined {
  return spec.authSpecs.find((authSpec) => authSpec.name === name || (authSpec.aliases ?? []).includes(name));
}

/** The storages a destination can write to, without repeats (Adobe Campaign: s3, sftp, azureBlob). */
export function storageKindsOf(spec: DestinationConnectionSpec): readonly StorageKind[] {
  const kinds = spec.authSpecs.map((authSpec): StorageKind => authSpec.storageKind);
  if (spec.storageKindWithoutAuth !== undefined) kinds.push(spec.storageKindWithoutAuth);
  return [...new Set(kinds)];
}

/**
 * The storage a connection writes to, from the auth spec of its base connection. The auth spec may be
 * omitted when the destination has only one storage (every destination but Adobe Campaign).
 * @throws Error when the auth spec is unknown or needed but missing (a caller bug, not bad input).
 */
export function resolveStorageKind(spec: DestinationConnectionSpec, authSpecName: string | undefined): StorageKind {
  if (authSpecName !== undefined) {
    const authSpec = findAuthSpec(spec, authSpecName);
    if (authSpec === undefined) throw new Error(`${spec.name} has no auth spec '${authSpecName}'`);
    return authSpec.storageKind;
  }
  const [only, ...others] = storageKindsOf(spec);
  if (only === undefined || others.length > 0) throw new Error(`${spec.name} needs the auth spec of the base connection to pick its storage`);
  return only;
}

const JSON_SCHEMA_DRAFT_07 = 'http://json-schema.org/draft-07/schema#';

function publishedSchema(definitions: readonly ParamDefinition[]): JsonSchema {
  return { $schema: JSON_SCHEMA_DRAFT_07, ...paramsJsonSchema(definitions) };
}

/**
 * The AEP JSON of a connection spec (`GET /connectionSpecs/{id}` item): attributes, `authSpec[]` and
 * `targetSpec` whose `spec`s are the JSON Schemas derived from the same tables the validators use.
 * `limits` bound the Activator-only `maxFileRowCount`.
 */
export function connectionSpecToAepJson(spec: ConnectionSpec, limits: TargetParamLimits): JsonSchema {
  const common = { id: spec.id, name: spec.name, providerId: DESTINATION_PROVIDER_ID, version: SPEC_VERSION };
  if (spec.role === 'source') {
    return { ...common, attributes: { isSource: true, description: spec.description }, authSpec: [] };
  }
  return {
    ...common,
    attributes: { category: spec.category, frequency: 'batch', isDestination: true, description: spec.description, fileTypes: [...spec.fileTypes] },
    authSpec: spec.authSpecs.map((authSpec) => ({ name: authSpec.name, type: authSpec.type, spec: publishedSchema(authSpec.params) })),
    targetSpec: { name: `${spec.name} target`, spec: publishedSchema(targetParamDefinitions(spec, storageKindsOf(spec), limits)) },
  };
}

/** The AEP JSON of a flow spec (`GET /flowSpecs/{id}` item). */
export function flowSpecToAepJson(spec: FlowSpec): { readonly [key: string]: JsonValue } {
  return {
    id: spec.id,
    name: spec.name,
    providerId: DESTINATION_PROVIDER_ID,
    version: SPEC_VERSION,
    sourceConnectionSpecIds: [...spec.sourceConnectionSpecIds],
    targetConnectionSpecIds: [...spec.targetConnectionSpecIds],
    transformationSpecs: [{ name: 'GeneralTransform' }],
    attributes: { isDestinationFlow: true },
  };
}
