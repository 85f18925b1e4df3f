// The AEP edge of connections: request bodies → domain inputs, stored connections → AEP JSON with secrets masked.
import { secretParamNames } from '../../domain/destinations/auth-params.js';
import { SECRET_MASK, type BaseConnectionInput } from '../../domain/destinations/base-connection-service.js';
import type { AuditStamp, BaseConnection, SourceConnection, TargetConnection } from '../../domain/destinations/connection-types.js';
import { SPEC_VERSION } from '../../domain/destinations/destination-catalog.js';
import type { SourceConnectionInput } from '../../domain/destinations/source-connection-service.js';
import type { TargetConnectionInput } from '../../domain/destinations/target-connection-service.js';
import { AppError } from '../../errors.js';

type JsonRecord = Readonly<Record<string, unknown>>;

/** Where an entity lives, as every Flow Service object shows it. */
export interface EntityRenderContext {
  readonly sandboxName: string;
  readonly orgId: string;
}

function asRecord(value: unknown): JsonRecord | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonRecord) : undefined;
}

function invalid(problems: readonly string[]): AppError {
  return new AppError('VALIDATION', problems.join('; '), { familyCode: 'FLOW-1420-400' });
}

/** The body as an object, or FLOW-1405-400 / FLOW-1420-400. */
export function requireBodyObject(body: unknown): JsonRecord {
  if (body === undefined || body === null) throw new AppError('BAD_REQUEST', 'Request body is empty', { familyCode: 'FLOW-1405-400' });
  const record = asRecord(body);
  if (record === undefined) throw invalid(['The request body must be a JSON object']);
  return record;
}

function text(body: JsonRecord, field: string, problems: string[], required: boolean): string {
  const value = body[field];
  if (value === undefined || value === null) {
    if (required) problems.push(`${field} is required`);
    return '';
  }
  if (typeof value !== 'string') {
    problems.push(`${field} must be a string`);
    return '';
  }
  return value;
}

function specId(body: JsonRecord, problems: string[]): string {
  const spec = asRecord(body['connectionSpec']);
  const id = spec?.['id'];
  if (typeof id !== 'string' || id === '') {
    problems.push('connectionSpec.id is required');
    return '';
  }
  return id;
}

/** `POST /connections` body (or a patched connection document) → input. */
export function parseBaseConnectionBody(body: unknown): BaseConnectionInput {
  const record = requireBodyObject(body);
  const problems: string[] = [];
  const name = text(record, 'name', problems, true);
  const description = text(record, 'description', problems, false);
  const connectionSpecId = specId(record, problems);
  const auth = record['auth'];
  const authRecord = asRecord(auth);
  if (auth !== undefined && auth !== null && authRecord === undefined) problems.push('auth must be an object with specName and params');
  const specName = authRecord?.['specName'];
  if (specName !== undefined && specName !== null && typeof specName !== 'string') problems.push('auth.specName must be a string');
  if (problems.length > 0) throw invalid(problems);
  return {
    name, description, connectionSpecId,
    authSpecName: typeof specName === 'string' ? specName : undefined,
    authParams: authRecord?.['params'] ?? {},
  };
}

/** `POST /sourceConnections` body → input (`baseConnectionId`, `data` and `params` are accepted and ignored). */
export function parseSourceConnectionBody(body: unknown): SourceConnectionInput {
  const record = requireBodyObject(body);
  const problems: string[] = [];
  const input = { name: text(record, 'name', problems, true), description: text(record, 'description', problems, false), connectionSpecId: specId(record, problems) };
  if (problems.length > 0) throw invalid(problems);
  return input;
}

/** `POST /targetConnections` body → input. */
export function parseTargetConnectionBody(body: unknown): TargetConnectionInput {
  const record = requireBodyObject(body);
  const problems: string[] = [];
  const input = {
    name: text(record, 'name', problems, true),
    description: text(record, 'description', problems, false),
    connectionSpecId: specId(record, problems),
    baseConnectionId: text(record, 'baseConnectionId', problems, true),
    params: record['params'] ?? {},
  };
  if (problems.length > 0) throw invalid(problems);
  return input;
}

function stamp(entity: AuditStamp & { id: string; sandboxId: string }, context: EntityRenderContext) {
  return {
    id: entity.id, createdAt: entity.createdAt, updatedAt: entity.updatedAt, createdBy: entity.createdBy, updatedBy: entity.updatedBy,
    createdClient: entity.createdClient, updatedClient: entity.updatedClient, sandboxId: entity.sandboxId, sandboxName: context.sandboxName,
    imsOrgId: context.orgId,
  };
}

/** Every secret param shows as `********` (SPEC §2.8). */
export function maskedAuthParams(connection: BaseConnection): Record<string, unknown> {
  const secrets = secretParamNames(connection.connectionSpecId, connection.authSpecName);
  return Object.fromEntries(Object.entries(connection.authParams).map(([name, value]) => [name, secrets.includes(name) ? SECRET_MASK : value]));
}

export function renderBaseConnection(connection: BaseConnection, context: EntityRenderContext): Record<string, unknown> {
  return {
    ...stamp(connection, context),
    name: connection.name,
    description: connection.description,
    connectionSpec: { id: connection.connectionSpecId, version: SPEC_VERSION },
    ...(connection.authSpecName === undefined ? {} : { auth: { specName: connection.authSpecName, params: maskedAuthParams(connection) } }),
    state: connection.state,
    version: connection.etag,
    etag: connection.etag,
  };
}

export function renderSourceConnection(source: SourceConnection, context: EntityRenderContext): Record<string, unknown> {
  return {
    ...stamp(source, context),
    name: source.name,
    description: source.description,
    connectionSpec: { id: source.connectionSpecId, version: SPEC_VERSION },
    typeInfo: { type: 'ProfileFragments', id: 'ups' },
    state: source.state,
    version: source.etag,
    etag: source.etag,
  };
}

export function renderTargetConnection(target: TargetConnection, context: EntityRenderContext): Record<string, unknown> {
  return {
    ...stamp(target, context),
    name: target.name,
    description: target.description,
    baseConnectionId: target.baseConnectionId,
    state: target.state,
    connectionSpec: { id: target.connectionSpecId, version: SPEC_VERSION },
    params: target.params,
    version: target.etag,
    etag: target.etag,
    inheritedAttributes: { baseConnection: { id: target.baseConnectionId, connectionSpec: { id: target.connectionSpecId, version: SPEC_VERSION } } },
  };
}

/** PATCH paths allowed on base connections (SPEC §6.2): `/auth/specName` only beside a change of `/auth/params`. */
export function baseConnectionPatchPathAllowed(path: string): boolean {
  return ['/name', '/description', '/auth/params', '/auth/specName'].includes(path) || /^\/auth\/params\/[^/]+$/.test(path);
}

/** PATCH paths allowed on target connections (SPEC §6.4). */
export function targetConnectionPatchPathAllowed(path: string): boolean {
  return path === '/name' || path === '/description' || path === '/params' || path.startsWith('/params/');
}

/** PATCH paths allowed on source connections. */
export function sourceConnectionPatchPathAllowed(path: string): boolean {
  return path === '/name' || path === '/description';
}
