// Target connections (SPEC §6.4): where and how files are written, tied to a base connection of the same destination.
import { AppError } from '../../errors.js';
import type { SandboxScopedStore, ScopedDocumentRecord } from '../../storage/store.js';
import type { IdGenerator } from '../runtime.js';
import type { BaseConnection, TargetConnection, TargetParams } from './connection-types.js';
import { requireDestinationSpec } from './destination-catalog.js';
import { EntityDocuments, newEtag, resourceNotFound, requireEntityName, type ChangeContext } from './entity-documents.js';
import { validateTargetParams, type PgpPublicKeyChecker } from './target-params.js';

export interface TargetConnectionInput {
  readonly name: string;
  readonly description: string;
  readonly connectionSpecId: string;
  readonly baseConnectionId: string;
  readonly params: unknown;
}

type StoredTarget = Omit<TargetConnection, 'id' | 'sandboxId' | 'name' | 'etag' | 'createdAt' | 'updatedAt' | 'createdBy' | 'updatedBy'>;

export class TargetConnectionService {
  private readonly documents = new EntityDocuments<TargetConnection>(
    'targetConnections',
    ({ description, connectionSpecId, baseConnectionId, params, state, createdClient, updatedClient }): StoredTarget => ({
      description, connectionSpecId, baseConnectionId, params, state, createdClient, updatedClient,
    }),
    (document: ScopedDocumentRecord, sandboxId: string): TargetConnection => ({
      ...(document.data as StoredTarget), id: document.id, sandboxId, name: document.name, etag: document.etag,
      createdAt: document.createdAt, updatedAt: document.updatedAt, createdBy: document.createdBy, updatedBy: document.updatedBy,
    }),
  );

  constructor(private readonly deps: { ids: IdGenerator; maxFileRows: number; pgpKeyChecker: PgpPublicKeyChecker }) {}

  /** `base` is the referenced base connection of the same sandbox (undefined when absent: FLOW-1439-404). */
  async create(scope: SandboxScopedStore, input: TargetConnectionInput, base: BaseConnection | undefined, change: ChangeContext): Promise<TargetConnection> {
    const params = await this.validate(input, base);
    const target: TargetConnection = {
      id: this.deps.ids.uuid(), sandboxId: scope.sandboxId, name: requireEntityName(input.name), description: input.description,
      connectionSpecId: input.connectionSpecId, baseConnectionId: input.baseConnectionId, params, state: 'enabled',
      etag: newEtag(this.deps.ids), createdAt: change.now, updatedAt: change.now, createdBy: change.by, updatedBy: change.by,
      createdClient: change.client, updatedClient: change.client,
    };
    await this.documents.insert(scope, target, { createdAt: change.now, createdBy: change.by });
    return target;
  }

  get(scope: SandboxScopedStore, id: string): Promise<TargetConnection> {
    return this.documents.get(scope, id);
  }

  find(scope: SandboxScopedStore, id: string): Promise<TargetConnection | undefined> {
    return this.documents.find(scope, id);
  }

  list(scope: SandboxScopedStore): Promise<TargetConnection[]> {
    return this.documents.all(scope);
  }

  async update(
    scope: SandboxScopedStore, current: TargetConnection, input: TargetConnectionInput, base: BaseConnection | undefined,
    change: ChangeContext & { supplied: string },
  ): Promise<TargetConnection> {
    if (input.connectionSpecId !== current.connectionSpecId || input.baseConnectionId !== current.baseConnectionId) {
      throw new AppError('VALIDATION', 'connectionSpec and baseConnectionId cannot be changed; create a new target connection instead', { familyCode: 'FLOW-1420-400' });
    }
    const next: TargetConnection = {
      ...current, name: requireEntityName(input.name), description: input.description, params: await this.validate(input, base),
      etag: newEtag(this.deps.ids), updatedAt: change.now, updatedBy: change.by, updatedClient: change.client,
    };
    return this.documents.replace(scope, current, next, { updatedAt: change.now, updatedBy: change.by, supplied: change.supplied });
  }

  async delete(scope: SandboxScopedStore, id: string, usedBy: readonly string[]): Promise<void> {
    await this.documents.get(scope, id);
    if (usedBy.length > 0) {
      throw new AppError('BAD_REQUEST', `The targetConnections ${id} is still used by: ${usedBy.join(', ')}`, { familyCode: 'FLOW-1418-400' });
    }
    await this.documents.remove(scope, id);
  }

  private async validate(input: TargetConnectionInput, base: BaseConnection | undefined): Promise<TargetParams> {
    // A legacy or unknown spec id is FLOW-1460-400 (SPEC §6.1), not a mismatch with the base connection's spec.
    requireDestinationSpec(input.connectionSpecId);
    if (base === undefined) throw resourceNotFound('connections', input.baseConnectionId);
    if (base.connectionSpecId !== input.connectionSpecId) {
      throw new AppError('VALIDATION', `connectionSpec.id ${input.connectionSpecId} does not match the base connection's connection spec ${base.connectionSpecId}`, {
        familyCode: 'FLOW-1420-400',
      });
    }
    return this.validateParams(base, input.params);
  }

  /**
   * Validates target params for a base connection (SPEC §6.4) as create and update do, without storing anything:
   * the connection test (SPEC §6.7) checks a location before it is saved.
   * @throws one FLOW-1420-400 listing every problem.
   */
  validateParams(base: BaseConnection, params: unknown): Promise<TargetParams> {
    return validateTargetParams(base.connectionSpecId, params, {
      maxFileRows: this.deps.maxFileRows, authSpecName: base.authSpecName, pgpKeyChecker: this.deps.pgpKeyChecker,
    });
  }
}
