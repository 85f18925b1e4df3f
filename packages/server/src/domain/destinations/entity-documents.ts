// Typed access to Flow Service entities kept as sandbox-scoped documents: create, read, compare-and-set, delete.
import { AppError } from '../../errors.js';
import type { SandboxScopedStore, ScopedDocumentRecord } from '../../storage/store.js';
import type { IdGenerator } from '../runtime.js';

/** The Flow Service resource names, as used in paths and in `report.type` of errors. */
export type FlowServiceResource = 'connections' | 'sourceConnections' | 'targetConnections' | 'flows';

/** A new quoted etag value (SPEC §1.7): a UUID wrapped in double quotes. */
export function newEtag(ids: IdGenerator): string {
  return `"${ids.uuid()}"`;
}

/** `The requested <type> resource <id> is not found…` (FLOW-1439-404). */
export function resourceNotFound(resource: FlowServiceResource | 'connectionSpecs' | 'flowSpecs' | 'runs', id: string): AppError {
  return new AppError('NOT_FOUND', `The requested ${resource} resource ${id} is not found. Verify the resource ID before trying again.`, {
    resource: { type: resource, id },
    familyCode: 'FLOW-1439-404',
  });
}

/** `If-Match` compared after stripping surrounding quotes; `*` matches any version (SPEC §1.7). */
export function etagMatches(ifMatch: string, stored: string): boolean {
  const strip = (value: string) => value.trim().replace(/^W\//, '').replace(/^"+|"+$/g, '');
  return ifMatch.trim() === '*' || strip(ifMatch) === strip(stored);
}

/** FLOW-1404-412 with both values as sent/stored. */
export function staleEtag(supplied: string, current: string): AppError {
  return new AppError('PRECONDITION_FAILED', `Supplied version=[${supplied}] does not match the current version on entity=[${current}]`, {
    familyCode: 'FLOW-1404-412',
  });
}

/**
 * Stores entities of one resource as documents: `toData`/`fromDocument` translate between the domain
 * type and the stored JSON. Every method works inside one sandbox.
 */
export class EntityDocuments<T extends { readonly id: string; readonly name: string; readonly etag: string }> {
  /** `resource` names the document collection; `notFound` builds the family's not-found error (Flow Service by default). */
  constructor(
    private readonly resource: string,
    private readonly toData: (entity: T) => unknown,
    private readonly fromDocument: (document: ScopedDocumentRecord, sandboxId: string) => T,
    private readonly notFound: (id: string) => AppError = (id) => resourceNotFound(resource as FlowServiceResource, id),
  ) {}

  async insert(scope: SandboxScopedStore, entity: T, meta: { createdAt: number; createdBy: string }): Promise<void> {
    await scope.documents.create({
      id: entity.id, collection: this.resource, name: entity.name, etag: entity.etag, data: this.toData(entity),
      createdAt: meta.createdAt, updatedAt: meta.createdAt, createdBy: meta.createdBy, updatedBy: meta.createdBy,
    });
  }

  /** Inserts unless the sandbox already holds `limit` entities of this resource (atomically); false when full. */
  insertWithinLimit(scope: SandboxScopedStore, entity: T, meta: { createdAt: number; createdBy: string }, limit: number): Promise<boolean> {
    return scope.documents.createIfFewerThan({
      id: entity.id, collection: this.resource, name: entity.name, etag: entity.etag, data: this.toData(entity),
      createdAt: meta.createdAt, updatedAt: meta.createdAt, createdBy: meta.createdBy, updatedBy: meta.createdBy,
    }, limit);
  }

  async find(scope: SandboxScopedStore, id: string): Promise<T | undefined> {
    const document = await scope.documents.get(this.resource, id);
    return document === undefined ? undefined : this.fromDocument(document, scope.sandboxId);
  }

  async get(scope: SandboxScopedStore, id: string): Promise<T> {
    const entity = await this.find(scope, id);
    if (entity === undefined) throw this.notFound(id);
    return entity;
  }

  /** Every entity of the sandbox (Flow Service lists are small: flows are capped per sandbox). */
  async all(scope: SandboxScopedStore): Promise<T[]> {
    const entities: T[] = [];
    let cursor: string | undefined;
    do {
      const page = await scope.documents.list(this.resource, { limit: 500, cursor });
      entities.push(...page.items.map((document) => this.fromDocument(document, scope.sandboxId)));
      cursor = page.next ?? undefined;
    } while (cursor !== undefined);
    return entities;
  }

  count(scope: SandboxScopedStore): Promise<number> {
    return scope.documents.count(this.resource);
  }

  /**
   * Replaces `current` by `next` when the stored etag is still `current.etag` (compare-and-set), so of
   * two concurrent writers exactly one wins; the loser gets FLOW-1404-412 quoting `supplied` (the
   * client's If-Match) and the etag that won.
   */
  async replace(scope: SandboxScopedStore, current: T, next: T, meta: { updatedAt: number; updatedBy: string; supplied: string }): Promise<T> {
    const result = await scope.documents.replace(this.resource, next.id, current.etag, {
      name: next.name, etag: next.etag, data: this.toData(next), updatedAt: meta.updatedAt, updatedBy: meta.updatedBy,
    });
    if (result === undefined) throw this.notFound(next.id);
    if (result === 'stale') throw staleEtag(meta.supplied, (await this.get(scope, next.id)).etag);
    return this.fromDocument(result, scope.sandboxId);
  }

  async remove(scope: SandboxScopedStore, id: string): Promise<void> {
    if (!(await scope.documents.delete(this.resource, id))) throw this.notFound(id);
  }
}

/** Checks `If-Match` against the current etag: FLOW-1403-400 when missing, FLOW-1404-412 when stale. */
export function requireIfMatch(ifMatch: string | undefined, currentEtag: string): string {
  if (ifMatch === undefined || ifMatch.trim() === '') {
    throw new AppError('BAD_REQUEST', 'If-Match header is missing', { familyCode: 'FLOW-1403-400' });
  }
  if (!etagMatches(ifMatch, currentEtag)) throw staleEtag(ifMatch, currentEtag);
  return ifMatch;
}

/** Who makes a change and through which client (`createdClient`/`updatedClient`), and when. */
export interface ChangeContext {
  readonly by: string;
  readonly client: string;
  readonly now: number;
}

/** A trimmed, non-empty entity name, or FLOW-1420-400. */
export function requireEntityName(name: string): string {
  const trimmed = name.trim();
  if (trimmed === '') throw new AppError('VALIDATION', 'name is required', { familyCode: 'FLOW-1420-400' });
  return trimmed;
}
