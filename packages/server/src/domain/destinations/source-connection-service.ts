// Source connections (SPEC §6.2): the Profile Store source every dataflow reads from.
import { AppError } from '../../errors.js';
import type { SandboxScopedStore, ScopedDocumentRecord } from '../../storage/store.js';
import type { IdGenerator } from '../runtime.js';
import type { SourceConnection } from './connection-types.js';
import { invalidSpecIdError, PROFILE_STORE_SPEC_ID } from './destination-catalog.js';
import { EntityDocuments, newEtag, requireEntityName, type ChangeContext } from './entity-documents.js';

export interface SourceConnectionInput {
  readonly name: string;
  readonly description: string;
  readonly connectionSpecId: string;
}

type StoredSource = Pick<SourceConnection, 'description' | 'connectionSpecId' | 'state' | 'createdClient' | 'updatedClient'>;

export class SourceConnectionService {
  private readonly documents = new EntityDocuments<SourceConnection>(
    'sourceConnections',
    ({ description, connectionSpecId, state, createdClient, updatedClient }): StoredSource => ({ description, connectionSpecId, state, createdClient, updatedClient }),
    (document: ScopedDocumentRecord, sandboxId: string): SourceConnection => ({
      ...(document.data as StoredSource), id: document.id, sandboxId, name: document.name, etag: document.etag,
      createdAt: document.createdAt, updatedAt: document.updatedAt, createdBy: document.createdBy, updatedBy: document.updatedBy,
    }),
  );

  constructor(private readonly deps: { ids: IdGenerator }) {}

  async create(scope: SandboxScopedStore, input: SourceConnectionInput, change: ChangeContext): Promise<SourceConnection> {
    requireProfileStore(input.connectionSpecId);
    const source: SourceConnection = {
      id: this.deps.ids.uuid(), sandboxId: scope.sandboxId, name: requireEntityName(input.name), description: input.description,
      connectionSpecId: input.connectionSpecId, state: 'enabled', etag: newEtag(this.deps.ids), createdAt: change.now,
      updatedAt: change.now, createdBy: change.by, updatedBy: change.by, createdClient: change.client, updatedClient: change.client,
    };
    await this.documents.insert(scope, source, { createdAt: change.now, createdBy: change.by });
    return source;
  }

  get(scope: SandboxScopedStore, id: string): Promise<SourceConnection> {
    return this.documents.get(scope, id);
  }

  find(scope: SandboxScopedStore, id: string): Promise<SourceConnection | undefined> {
    return this.documents.find(scope, id);
  }

  list(scope: SandboxScopedStore): Promise<SourceConnection[]> {
    return this.documents.all(scope);
  }

  async update(scope: SandboxScopedStore, current: SourceConnection, input: SourceConnectionInput, change: ChangeContext & { supplied: string }): Promise<SourceConnection> {
    requireProfileStore(input.connectionSpecId);
    const next: SourceConnection = {
      ...current, name: requireEntityName(input.name), description: input.description, etag: newEtag(this.deps.ids),
      updatedAt: change.now, updatedBy: change.by, updatedClient: change.client,
    };
    return this.documents.replace(scope, current, next, { updatedAt: change.now, updatedBy: change.by, supplied: change.supplied });
  }

  async delete(scope: SandboxScopedStore, id: string, usedBy: readonly string[]): Promise<void> {
    await this.documents.get(scope, id);
    if (usedBy.length > 0) {
      throw new AppError('BAD_REQUEST', `The sourceConnections ${id} is still used by: ${usedBy.join(', ')}`, { familyCode: 'FLOW-1418-400' });
    }
    await this.documents.remove(scope, id);
  }
}

/** Source connections read the Profile Store only; any other spec id is FLOW-1460-400 (SPEC §1.4 message). */
function requireProfileStore(connectionSpecId: string): void {
  if (connectionSpecId !== PROFILE_STORE_SPEC_ID) throw invalidSpecIdError();
}
