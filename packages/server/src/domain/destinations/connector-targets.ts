// From a base connection and target params to the connector target and folder they describe (SPEC §6.1, §6.3–6.5): pure.
//
// Which transport a destination uses is data (the storage kind of its auth spec, destination-catalog.ts); this module
// maps each storage kind to its ConnectorTarget once, in a table, so the e-mail destinations (Campaign over S3, SFTP or
// Blob; Eloqua, Responsys and SFMC over SFTP) reuse the cloud-storage transports without a line of their own.
import path from 'node:path';
import type { ConnectorTarget, S3Target, SftpTarget } from '../../connectors/connector.js';
import { AppError } from '../../errors.js';
import { decodeBase64Text, GCS_DEFAULT_ENDPOINT } from './auth-param-rules.js';
import type { AuthParams } from './connection-types.js';
import {
  findAuthSpec, findConnectionSpec, storageKindsOf, type AuthSpecDefinition, type DestinationConnectionSpec, type StorageKind,
} from './destination-catalog.js';
import { FOLDER_MACRO_SUFFIXES } from './target-param-definitions.js';

/** The default region of S3 (SPEC §6.3). */
export const DEFAULT_S3_REGION = 'us-east-1';
/** The default SSH port (SPEC §6.3). */
export const DEFAULT_SFTP_PORT = 22;
/**
 * The SigV4 region of GCS's S3-interoperable API: Google documents `auto`, and GCS auth params carry no region.
 */
export const GCS_SIGNING_REGION = 'auto';

/** What a connector target is built from: the base connection's auth (decrypted), the target's location and the sandbox. */
export interface ConnectorTargetSource {
  readonly connectionSpecId: string;
  /** The base connection's auth spec (aliases accepted); undefined for the Data Landing Zone. */
  readonly authSpecName: string | undefined;
  /** Decrypted; defaults are re-applied here, so params stored before a default existed still work. */
  readonly authParams: AuthParams;
  /** Target params (validated ones, or raw ones: `remotePath` is read as an alias of `path`). */
  readonly targetParams: Readonly<Record<string, unknown>>;
  /** The sandbox whose landing zone is `<dataDir>/dlz/<sandboxName>` (SPEC §6.5). */
  readonly sandboxName: string;
  readonly dataDir: string;
}

/** A connector target and the folder under its root that a connection writes to. */
export interface ResolvedConnectorTarget {
  readonly target: ConnectorTarget;
  /**
   * The target's `path` with its trailing folder macros removed (SPEC §6.7: where the probe goes), as a relative
   * folder: no leading or trailing `/`, no empty or `.` segments; `''` is the root.
   */
  readonly folder: string;
}

function invalid(message: string): AppError {
  return new AppError('VALIDATION', message, { familyCode: 'FLOW-1420-400' });
}

/** Reads auth params by name, with the destination's name in every message. */
class AuthParamReader {
  constructor(
    private readonly params: AuthParams,
    private readonly authSpecName: string,
  ) {}

  required(name: string): string {
    const value = this.params[name];
    if (typeof value !== 'string' || value === '') {
      throw invalid(`auth.params.${name} is missing from the base connection (auth spec '${this.authSpecName}'); update the connection with a value`);
    }
    return value;
  }

  optional(name: string): string | undefined {
    const value = this.params[name];
    return typeof value === 'string' && value !== '' ? value : undefined;
  }

  flag(name: string, fallback: boolean): boolean {
    const value = this.params[name];
    return typeof value === 'boolean' ? value : fallback;
  }

  port(): number {
    const value = this.params.port;
    const port = typeof value === 'string' && /^[0-9]+$/.test(value) ? Number(value) : value;
    if (port === undefined) return DEFAULT_SFTP_PORT;
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65_535) {
      throw invalid('auth.params.port must be an integer from 1 to 65535; update the connection');
    }
    return port;
  }
}

function requiredTargetParam(params: Readonly<Record<string, unknown>>, name: 'bucketName' | 'container', spec: DestinationConnectionSpec): string {
  const value = params[name];
  if (typeof value !== 'string' || value === '') throw invalid(`params.${name} is required for ${spec.name}; set it on the target connection or in the test request`);
  return value;
}

/** The private key text of an `sshKey`: stored as Base64 of the key file (SPEC §6.3); a pasted key is taken as is. */
function sshKeyText(value: string): string {
  const text = value.trim().startsWith('-----BEGIN ') ? value.trim() : decodeBase64Text(value)?.trim();
  if (text === undefined || !text.startsWith('-----BEGIN ')) {
    throw invalid('auth.params.sshKey is not the Base64 of a private key file; update the connection with the Base64 of the key');
  }
  return `${text}\n`;
}

interface MappingInput {
  readonly spec: DestinationConnectionSpec;
  readonly authSpec: AuthSpecDefinition | undefined;
  readonly source: ConnectorTargetSource;
}

function requireAuthSpec(input: MappingInput): { authSpec: AuthSpecDefinition; auth: AuthParamReader } {
  const { authSpec } = input;
  if (authSpec === undefined) throw invalid(`The base connection has no auth spec; ${input.spec.name} needs one of ${input.spec.authSpecs.map((a) => `'${a.name}'`).join(', ')}`);
  return { authSpec, auth: new AuthParamReader(input.source.authParams, authSpec.name) };
}

function s3Credentials(authSpec: AuthSpecDefinition, auth: AuthParamReader): S3Target['credentials'] {
  if (authSpec.type === 'RoleBased') {
    const externalId = auth.optional('externalId');
    return { type: 'role', roleArn: auth.required('s3Role'), ...(externalId === undefined ? {} : { externalId }) };
  }
  return { type: 'keys', accessKeyId: auth.required('s3AccessKey'), secretAccessKey: auth.required('s3SecretKey') };
}

function sftpAuth(authSpec: AuthSpecDefinition, auth: AuthParamReader): SftpTarget['auth'] {
  if (authSpec.type === 'PublicKeyBased') return { type: 'key', privateKey: sshKeyText(auth.required('sshKey')) };
  return { type: 'password', password: auth.required('password') };
}

/** One builder per storage kind: adding a kind breaks the build until it is mapped (CONVENTIONS §5). */
const TARGET_BUILDERS: Record<StorageKind, (input: MappingInput) => ConnectorTarget> = {
  s3(input) {
    const { authSpec, auth } = requireAuthSpec(input);
    const endpoint = auth.optional('endpoint');
    return {
      kind: 's3', flavour: 'aws', bucket: requiredTargetParam(input.source.targetParams, 'bucketName', input.spec),
      region: auth.optional('region') ?? DEFAULT_S3_REGION, ...(endpoint === undefined ? {} : { endpoint }),
      forcePathStyle: auth.flag('forcePathStyle', false), credentials: s3Credentials(authSpec, auth),
    };
  },
  gcs(input) {
    const { auth } = requireAuthSpec(input);
    return {
      kind: 's3', flavour: 'gcs', bucket: requiredTargetParam(input.source.targetParams, 'bucketName', input.spec), region: GCS_SIGNING_REGION,
      endpoint: auth.optional('endpoint') ?? GCS_DEFAULT_ENDPOINT, forcePathStyle: true,
      credentials: { type: 'keys', accessKeyId: auth.required('accessKeyId'), secretAccessKey: auth.required('secretAccessKey') },
    };
  },
  azureBlob(input) {
    const { auth } = requireAuthSpec(input);
    return { kind: 'azure-blob', connectionString: auth.required('connectionString'), container: requiredTargetParam(input.source.targetParams, 'container', input.spec) };
  },
  sftp(input) {
    const { authSpec, auth } = requireAuthSpec(input);
    // `domain` wins over its alias `host` when both are sent (SPEC §6.3).
    const host = auth.optional('domain') ?? auth.optional('host');
    if (host === undefined) throw invalid(`auth.params.domain is missing from the base connection (auth spec '${authSpec.name}'); update the connection with the SFTP host`);
    const hostKeyFingerprint = auth.optional('hostKeyFingerprint');
    return {
      kind: 'sftp', host, port: auth.port(), username: auth.required('username'), auth: sftpAuth(authSpec, auth),
      ...(hostKeyFingerprint === undefined ? {} : { hostKeyFingerprint }),
    };
  },
  landingZone(input) {
    const { sandboxName, dataDir } = input.source;
    // Sandbox names are validated at creation; re-checked because this one becomes a directory name.
    if (!/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(sandboxName)) throw new Error(`Sandbox name ${JSON.stringify(sandboxName)} cannot name a landing-zone folder`);
    return { kind: 'landing-zone', root: path.join(dataDir, 'dlz', sandboxName) };
  },
};

/** The storage kind of a destination for an auth spec (undefined: a destination without auth). */
function storageKindOf(spec: DestinationConnectionSpec, authSpec: AuthSpecDefinition | undefined, authSpecName: string | undefined): StorageKind {
  if (authSpec !== undefined) return authSpec.storageKind;
  if (authSpecName !== undefined) throw invalid(`auth spec '${authSpecName}' is not one of ${spec.name}; use one of ${spec.authSpecs.map((a) => `'${a.name}'`).join(', ')}`);
  const [only, ...others] = storageKindsOf(spec);
  if (only === undefined || others.length > 0 || spec.authSpecs.length > 0) {
    throw invalid(`The base connection has no auth spec; ${spec.name} needs one of ${spec.authSpecs.map((a) => `'${a.name}'`).join(', ')}`);
  }
  return only;
}

/**
 * The folder of a target `path` without its trailing folder macros (SPEC §6.5), as a relative folder.
 * `acme/campaigns/%SEGMENT_NAME%/%SEGMENT_ID%` → `acme/campaigns`; `/exports/` → `exports`; `%SEGMENT_ID%` → `''`.
 * @throws FLOW-1420-400 for a `..` segment (never reachable from a validated path).
 */
export function folderWithoutMacros(targetPath: string): string {
  const macro = FOLDER_MACRO_SUFFIXES.find((suffix) => targetPath.endsWith(suffix)) ?? '';
  const segments = targetPath.slice(0, targetPath.length - macro.length).split('/').filter((segment) => segment !== '' && segment !== '.');
  if (segments.includes('..')) throw invalid("params.path must not contain a '..' folder");
  return segments.join('/');
}

/** `path`, or its SFTP alias `remotePath` in raw params (`path` wins when both are sent). */
function targetPathOf(params: Readonly<Record<string, unknown>>): string {
  const value = params.path ?? params.remotePath;
  if (value === undefined) return '';
  if (typeof value !== 'string') throw invalid('params.path must be a string');
  return value;
}

/**
 * The connector target and folder of a connection (SPEC §6.1, §6.3–6.5), for every destination of the catalog:
 * S3 (access keys or assumed role), GCS (HMAC keys over the S3 API, path-style, default endpoint), Azure Blob, SFTP
 * (password or key; `host` alias; port 22), the Data Landing Zone (`<dataDir>/dlz/<sandboxName>`), and the e-mail
 * destinations over the storage their auth spec names.
 *
 * @throws FLOW-1420-400 when the spec is not a destination with a file transport, or when a value the transport needs
 *   is missing (messages name the parameter, never its value).
 */
export function connectorTargetOf(source: ConnectorTargetSource): ResolvedConnectorTarget {
  const spec = findConnectionSpec(source.connectionSpecId);
  if (spec?.role !== 'destination') {
    throw invalid(`Connection spec ${source.connectionSpecId} is not a destination Activator writes files to; test a connection of a destination of GET /connectionSpecs`);
  }
  const authSpec = source.authSpecName === undefined ? undefined : findAuthSpec(spec, source.authSpecName);
  const kind = storageKindOf(spec, authSpec, source.authSpecName);
  return { target: TARGET_BUILDERS[kind]({ spec, authSpec, source }), folder: folderWithoutMacros(targetPathOf(source.targetParams)) };
}
