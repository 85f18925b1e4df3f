// Validates the auth of a base connection (SPEC §6.3) against its connection spec's auth spec table.
import { AppError } from '../../errors.js';
import type { AuthParams } from './connection-types.js';
import { findAuthSpec, requireDestinationSpec, type AuthSpecDefinition, type DestinationConnectionSpec } from './destination-catalog.js';
import { secretParamNamesOf, validateParamValues } from './param-definitions.js';

/** Auth params after validation: canonical spec name, defaults applied, aliases resolved. */
export interface ValidatedAuth {
  /** Undefined for destinations without auth (Data Landing Zone). */
  readonly specName: string | undefined;
  readonly params: AuthParams;
}

function validationError(problems: readonly string[]): AppError {
  return new AppError('VALIDATION', problems.join('; '), { familyCode: 'FLOW-1420-400' });
}

function quotedNames(spec: DestinationConnectionSpec): string {
  return spec.authSpecs.map((authSpec) => `'${authSpec.name}'`).join(', ');
}

/** The auth spec a request names; a destination with a single auth spec lets the name be omitted. */
function chooseAuthSpec(spec: DestinationConnectionSpec, specName: string | undefined): AuthSpecDefinition {
  const [only, ...others] = spec.authSpecs;
  if (specName === undefined && only !== undefined && others.length === 0) return only;
  if (specName === undefined) throw validationError([`auth.specName is required; ${spec.name} accepts ${quotedNames(spec)}`]);
  const authSpec = findAuthSpec(spec, specName);
  if (authSpec === undefined) throw validationError([`auth.specName '${specName}' is not valid for ${spec.name}; use one of ${quotedNames(spec)}`]);
  return authSpec;
}

function isEmptyParams(params: unknown): boolean {
  return params === undefined || params === null || (typeof params === 'object' && !Array.isArray(params) && Object.keys(params).length === 0);
}

/** Data Landing Zone: the base connection carries no auth, or an auth with empty params (SPEC §6.5). */
function validateNoAuth(spec: DestinationConnectionSpec, specName: string | undefined, params: unknown): ValidatedAuth {
  const problems: string[] = [];
  if (specName !== undefined) problems.push(`auth.specName must be absent: ${spec.name} takes no credentials`);
  if (!isEmptyParams(params)) problems.push(`auth.params must be empty: ${spec.name} takes no credentials`);
  if (problems.length > 0) throw validationError(problems);
  return { specName: undefined, params: {} };
}

function toAuthParams(values: Readonly<Record<string, unknown>>): AuthParams {
  const params: Record<string, string | number | boolean> = {};
  for (const [name, value] of Object.entries(values)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') params[name] = value;
  }
  return params;
}

/**
 * Validates the `auth` of a base connection for `connectionSpecId`. Returns the canonical spec name
 * (aliases such as SFTP's `SFTP with Password` are normalised) and the params with defaults applied
 * (`region` us-east-1, `port` 22, `forcePathStyle` false, GCS `endpoint`), `host` folded into `domain`,
 * a pasted `sshKey` re-encoded as Base64, and AEP's `authorizedDate` dropped.
 *
 * @throws FLOW-1460-400 for an unknown, legacy or source connection spec id.
 * @throws one FLOW-1420-400 listing every problem, e.g.
 *   `auth.params.port must be an integer from 1 to 65535; Unknown auth parameter 'foo' for spec 'Access Key'`.
 */
export function validateAuthParams(connectionSpecId: string, specName: string | undefined, params: unknown): ValidatedAuth {
  const spec = requireDestinationSpec(connectionSpecId);
  if (spec.authSpecs.length === 0) return validateNoAuth(spec, specName, params);
  const authSpec = chooseAuthSpec(spec, specName);
  const result = validateParamValues(authSpec.params, params, {
    path: 'auth.params',
    unknownParam: (name) => `Unknown auth parameter '${name}' for spec '${authSpec.name}'`,
  });
  if (result.problems.length > 0) throw validationError(result.problems);
  return { specName: authSpec.name, params: toAuthParams(result.values) };
}

/**
 * The names of the secret params of an auth spec (SPEC §2.8): encrypted at rest, masked on output.
 * Empty for destinations without auth.
 *
 * @throws like {@link validateAuthParams} when the spec id or spec name is unknown: guessing "no
 *   secrets" would store or show a secret in clear.
 */
export function secretParamNames(connectionSpecId: string, specName: string | undefined): readonly string[] {
  const spec = requireDestinationSpec(connectionSpecId);
  if (spec.authSpecs.length === 0) return [];
  return secretParamNamesOf(chooseAuthSpec(spec, specName).params);
}

/**
 * The catalog name of the auth spec called `specName` (aliases such as `SFTP with Password` resolved),
 * or undefined when the destination has no such auth spec. Compare stored and requested spec names
 * through this, never as sent.
 */
export function canonicalAuthSpecName(connectionSpecId: string, specName: string): string | undefined {
  return findAuthSpec(requireDestinationSpec(connectionSpecId), specName)?.name;
}
