// Declarative parameter tables: the one source from which both the published JSON Schema and the validator are derived.
import { assertNever } from '../../errors.js';

/** A JSON value, as emitted in connection spec documents. */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** A JSON Schema (draft-07) object. */
export type JsonSchema = { readonly [keyword: string]: JsonValue };

interface ParamDefinitionBase {
  readonly name: string;
  readonly description: string;
  readonly required?: boolean;
  /** Other accepted spellings; the canonical name wins when both are sent (e.g. SFTP `host` for `domain`). */
  readonly aliases?: readonly string[];
  /** An Activator extension, not part of AEP's spec. */
  readonly nonAep?: boolean;
}

/** A string parameter. An empty string on an optional parameter means "absent" unless `allowEmpty`. */
export interface StringParamDefinition extends ParamDefinitionBase {
  readonly kind: 'string';
  /** Encrypted at rest and masked on output (SPEC §2.8); published with `format: password`. */
  readonly secret?: boolean;
  readonly defaultValue?: string;
  readonly enumValues?: readonly string[];
  /** Other inputs accepted for an enum value, e.g. `"\u0000"` for the empty quote. */
  readonly synonyms?: Readonly<Record<string, string>>;
  /** An ECMAScript regular expression source, valid as a JSON Schema `pattern` too. */
  readonly pattern?: string;
  readonly maxLength?: number;
  readonly format?: 'uri';
  readonly allowEmpty?: boolean;
  /**
   * The rule stated when the value breaks `enumValues`, `pattern` or `maxLength` (`must be …`); a
   * function when one pattern covers several rules and the message should name the one broken.
   */
  readonly rule?: string | ((value: string) => string);
  /**
   * A rule that JSON Schema keywords cannot express (decoding a key, parsing a URL). Runs after every
   * parameter has its type checked and default applied; returns the broken rule (`must …`) or undefined.
   */
  readonly check?: (value: string, values: Readonly<Record<string, unknown>>) => string | undefined;
  /** Canonical stored form of a valid value (e.g. a raw private key re-encoded as Base64). */
  readonly normalize?: (value: string) => string;
}

export interface IntegerParamDefinition extends ParamDefinitionBase {
  readonly kind: 'integer';
  readonly defaultValue?: number;
  readonly minimum: number;
  readonly maximum: number;
}

export interface BooleanParamDefinition extends ParamDefinitionBase {
  readonly kind: 'boolean';
  readonly defaultValue?: boolean;
}

/** A nested object (e.g. `csvOptions`); when absent, it is built from its properties' defaults. */
export interface ObjectParamDefinition extends ParamDefinitionBase {
  readonly kind: 'object';
  readonly properties: readonly ParamDefinition[];
  /** The sentence for a property that the object does not define. */
  readonly unknownProperty: (name: string) => string;
}

/** Accepted for AEP compatibility and dropped without any check (e.g. `mode`, `authorizedDate`). */
export interface IgnoredParamDefinition extends ParamDefinitionBase {
  readonly kind: 'ignored';
}

/** One row of a parameter table. */
export type ParamDefinition =
  | StringParamDefinition
  | IntegerParamDefinition
  | BooleanParamDefinition
  | ObjectParamDefinition
  | IgnoredParamDefinition;

/** How problems are worded: `path` prefixes field names (`auth.params`), `unknownParam` words an unknown key. */
export interface ParamScope {
  readonly path: string;
  readonly unknownParam: (name: string) => string;
}

/** Validated values (defaults applied, aliases resolved, ignored parameters dropped) and every problem found. */
export interface ParamValidationResult {
  readonly values: Record<string, unknown>;
  readonly problems: readonly string[];
}

type Found = { readonly key: string; readonly value: unknown } | undefined;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The key the caller used for a parameter (canonical first, then aliases), ignoring null and undefined. */
function findSentValue(definition: ParamDefinition, input: Record<string, unknown>): Found {
  for (const key of [definition.name, ...(definition.aliases ?? [])]) {
    const value = input[key];
    if (value !== undefined && value !== null) return { key, value };
  }
  return undefined;
}

function describeEnum(values: readonly string[]): string {
  const shown = values.map((value) => JSON.stringify(value));
  return shown.length === 1 ? `must be ${shown[0] ?? ''}` : `must be one of ${shown.join(', ')}`;
}

function checkString(definition: StringParamDefinition, value: unknown): { value?: string; rule?: string } {
  if (typeof value !== 'string') return { rule: definition.enumValues === undefined ? 'must be a string' : describeEnum(definition.enumValues) };
  const candidate = definition.synonyms?.[value] ?? value;
  const valid =
    (definition.enumValues === undefined || definition.enumValues.includes(candidate)) &&
    (definition.pattern === undefined || new RegExp(definition.pattern, 'u').test(candidate)) &&
    (definition.maxLength === undefined || candidate.length <= definition.maxLength);
  if (valid) return { value: candidate };
  const { rule } = definition;
  if (typeof rule === 'function') return { rule: rule(candidate) };
  return { rule: rule ?? (definition.enumValues === undefined ? 'is not valid' : describeEnum(definition.enumValues)) };
}

type Outcome = { readonly value?: unknown; readonly problems: readonly string[] };

/** The value of a parameter that was not sent: its default, nothing, or the "is required" problem. */
function absentOutcome(definition: ParamDefinition, path: string): Outcome {
  if (definition.kind === 'ignored') return { problems: [] };
  if (definition.required === true) return { problems: [`${path}.${definition.name} is required`] };
  if (definition.kind === 'object') return checkSentValue(definition, { key: definition.name, value: {} }, path);
  return definition.defaultValue === undefined ? { problems: [] } : { value: definition.defaultValue, problems: [] };
}

/** Type and shape checks of one sent value: the typed value, or the problem sentences. */
function checkSentValue(definition: ParamDefinition, sent: { key: string; value: unknown }, path: string): Outcome {
  const field = `${path}.${sent.key}`;
  switch (definition.kind) {
    case 'ignored':
      return { problems: [] };
    case 'boolean':
      return typeof sent.value === 'boolean' ? { value: sent.value, problems: [] } : { problems: [`${field} must be true or false`] };
    case 'integer': {
      const { value } = sent;
      const inRange = typeof value === 'number' && Number.isSafeInteger(value) && value >= definition.minimum && value <= definition.maximum;
      return inRange ? { value, problems: [] } : { problems: [`${field} must be an integer from ${definition.minimum} to ${definition.maximum}`] };
    }
    case 'string': {
      if (sent.value === '' && definition.allowEmpty !== true) {
        return definition.required === true ? { problems: [`${field} must not be empty`] } : absentOutcome(definition, path);
      }
      const checked = checkString(definition, sent.value);
      return checked.rule === undefined ? { value: checked.value, problems: [] } : { problems: [`${field} ${checked.rule}`] };
    }
    case 'object': {
      const nested = validateParamValues(definition.properties, sent.value, { path: field, unknownParam: definition.unknownProperty });
      return { value: nested.values, problems: nested.problems };
    }
    default:
      return assertNever(definition);
  }
}

/** Runs the semantic checks of string parameters over the typed values; failing values are dropped. */
function applySemanticChecks(definitions: readonly ParamDefinition[], values: Record<string, unknown>, sentKeys: ReadonlyMap<string, string>, path: string): string[] {
  const problems: string[] = [];
  for (const definition of definitions) {
    const value = values[definition.name];
    if (definition.kind !== 'string' || typeof value !== 'string') continue;
    const broken = definition.check?.(value, values);
    if (broken !== undefined) {
      problems.push(`${path}.${sentKeys.get(definition.name) ?? definition.name} ${broken}`);
      delete values[definition.name];
    } else if (definition.normalize !== undefined) {
      values[definition.name] = definition.normalize(value);
    }
  }
  return problems;
}

/**
 * Validates `input` against a parameter table: unknown keys, required parameters, types, enums,
 * patterns, ranges, then the semantic `check`s. Collects every problem instead of stopping at the first.
 *
 * @example validateParamValues(sftpParams, { port: 0 }, scope).problems
 *   // ['auth.params.domain is required', 'auth.params.port must be an integer from 1 to 65535', …]
 */
export function validateParamValues(definitions: readonly ParamDefinition[], input: unknown, scope: ParamScope): ParamValidationResult {
  const source = input ?? {};
  if (!isPlainObject(source)) return { values: {}, problems: [`${scope.path} must be an object`] };
  const knownKeys = new Set(definitions.flatMap((definition) => [definition.name, ...(definition.aliases ?? [])]));
  const problems = Object.keys(source).filter((key) => !knownKeys.has(key)).map((key) => scope.unknownParam(key));
  const values: Record<string, unknown> = {};
  const sentKeys = new Map<string, string>();
  for (const definition of definitions) {
    const sent = findSentValue(definition, source);
    if (sent !== undefined) sentKeys.set(definition.name, sent.key);
    const outcome = sent === undefined ? absentOutcome(definition, scope.path) : checkSentValue(definition, sent, scope.path);
    problems.push(...outcome.problems);
    if (outcome.value !== undefined) values[definition.name] = outcome.value;
  }
  problems.push(...applySemanticChecks(definitions, values, sentKeys, scope.path));
  return { values, problems };
}

/** The names of the secret parameters of a table (top level only: secrets are never nested). */
export function secretParamNamesOf(definitions: readonly ParamDefinition[]): string[] {
  return definitions.filter((definition) => definition.kind === 'string' && definition.secret === true).map((definition) => definition.name);
}

function describe(definition: ParamDefinition): string {
  return definition.nonAep === true ? `${definition.description} (Activator extension)` : definition.description;
}

function stringSchema(definition: StringParamDefinition): Record<string, JsonValue> {
  const schema: Record<string, JsonValue> = { type: 'string', description: describe(definition) };
  if (definition.secret === true) schema.format = 'password';
  else if (definition.format !== undefined) schema.format = definition.format;
  if (definition.enumValues !== undefined) schema.enum = [...definition.enumValues, ...Object.keys(definition.synonyms ?? {})];
  if (definition.pattern !== undefined) schema.pattern = definition.pattern;
  if (definition.required === true && definition.allowEmpty !== true) schema.minLength = 1;
  if (definition.maxLength !== undefined) schema.maxLength = definition.maxLength;
  if (definition.defaultValue !== undefined) schema.default = definition.defaultValue;
  return schema;
}

function propertySchema(definition: ParamDefinition): JsonSchema {
  switch (definition.kind) {
    case 'string':
      return stringSchema(definition);
    case 'integer': {
      const { minimum, maximum } = definition;
      const schema = { type: 'integer', description: describe(definition), minimum, maximum };
      return definition.defaultValue === undefined ? schema : { ...schema, default: definition.defaultValue };
    }
    case 'boolean': {
      const schema = { type: 'boolean', description: describe(definition) };
      return definition.defaultValue === undefined ? schema : { ...schema, default: definition.defaultValue };
    }
    case 'object':
      return { ...paramsJsonSchema(definition.properties), description: describe(definition) };
    case 'ignored':
      return { description: describe(definition) };
    default:
      return assertNever(definition);
  }
}

/**
 * The JSON Schema (draft-07) of a parameter table, as published in `authSpec[].spec` and
 * `targetSpec.spec`: secrets carry `format: password`, aliases are listed as properties of their own,
 * unknown parameters are refused (`additionalProperties: false`).
 */
export function paramsJsonSchema(definitions: readonly ParamDefinition[]): JsonSchema {
  const properties: Record<string, JsonValue> = {};
  const required: string[] = [];
  const requiredEitherSpelling: JsonValue[] = [];
  for (const definition of definitions) {
    const schema = propertySchema(definition);
    properties[definition.name] = schema;
    const aliases = definition.aliases ?? [];
    for (const alias of aliases) {
      properties[alias] = { ...schema, description: `Alias of ${definition.name}; ${definition.name} wins when both are sent.` };
    }
    if (definition.required !== true) continue;
    if (aliases.length === 0) required.push(definition.name);
    else requiredEitherSpelling.push({ anyOf: [definition.name, ...aliases].map((name) => ({ required: [name] })) });
  }
  return {
    type: 'object',
    ...(required.length > 0 ? { required } : {}),
    properties,
    additionalProperties: false,
    ...(requiredEitherSpelling.length > 0 ? { allOf: requiredEitherSpelling } : {}),
  };
}
