// Base connections (SPEC §6.2–6.3): destination credentials, validated against the auth spec, secrets encrypted at rest.
import { AppError } from '../../errors.js';
import type { SandboxScopedStore, ScopedDocumentRecord } from '../../storage/store.js';
import type { IdGenerator, SecretCipher } from '../runtime.js';
import { canonicalAuthSpecName, secretParamNames, validateAuthParams } from './auth-params.js';
import type { AuthParams, BaseConnection } from './connection-types.js';
import { requireDestinationSpec } from './destination-catalog.js';
import { EntityDocuments, newEtag, requireEntityName, type ChangeContext } from './entity-documents.js';

/** The masked value of a secret on every read; sending it back in a PATCH keeps the stored secret. */
export const SECRET_MASK = '********';

export interface BaseConnectionInput {
  readonly name: string;
  readonly description: string;
  readonly connectionSpecId: string;
  readonly authSpecName: string | undefined;
  /** Raw params as sent; `********` for a secret means "keep the stored value" on update. */
  readonly authParams: unknown;
}

interface StoredBaseConnection {
  readonly description: string;
  readonly connectionSpecId: string;
  readonly authSpecName: string | undefined;
  /** Secret values encrypted (`v1:…`), others plain. */
  readonly authParams: AuthParams;
  readonly state: 'enabled' | 'disabled';
  readonly createdClient: string;
  readonly updatedClient: string;
}

/** Base connection CRUD inside one sandbox. Domain objects carry decrypted params; storage never does. */
export class BaseConnectionService {
  private readonly documents: EntityDocuments<BaseConnection>;

  constructor(private readonly deps: { ids: IdGenerator; cipher: SecretCipher }) {
    this.documents = new EntityDocuments<BaseConnection>('connections', (c) => this.toStored(c), (d, sandboxId) => this.fromStored(d, sandboxId));
  }

  async create(scope: SandboxScopedStore, input: BaseConnectionInput, change: ChangeContext): Promise<BaseConnection> {
    requireDestinationSpec(input.connectionSpecId);
    const auth = validateAuthParams(input.connectionSpecId, input.authSpecName, input.authParams);
    const connection: BaseConnection = {
      id: this.deps.ids.uuid(), sandboxId: scope.sandboxId, name: requireEntityName(input.name), description: input.description,
      connectionSpecId: input.connectionSpecId, authSpecName: auth.specName, authParams: auth.params, state: 'enabled',
      etag: newEtag(this.deps.ids), createdAt: change.now, updatedAt: change.now, createdBy: change.by, updatedBy: change.by,
      createdClient: change.client, updatedClient: change.client,
    };
    await this.documents.insert(scope, connection, { createdAt: change.now, createdBy: change.by });
    return connection;
  }

  get(scope: SandboxScopedStore, id: string): Promise<BaseConnection> {
    return this.documents.get(scope, id);
  }

  find(scope: SandboxScopedStore, id: string): Promise<BaseConnection | undefined> {
    return this.documents.find(scope, id);
  }

  list(scope: SandboxScopedStore): Promise<BaseConnection[]> {
    return this.documents.all(scope);
  }

  /**
   * Replaces name, description and auth after validating them as a whole. A secret sent as
   * `********` keeps its stored value; the connection spec cannot change.
   */
  async update(scope: SandboxScopedStore, current: BaseConnection, input: BaseConnectionInput, change: ChangeContext & { supplied: string }): Promise<BaseConnection> {
    if (input.connectionSpecId !== current.connectionSpecId) {
      throw new AppError('VALIDATION', 'connectionSpec cannot be changed; create a new connection instead', { familyCode: 'FLOW-1420-400' });
    }
    // Compare canonical names: a client may send an alias (`SFTP with Password`) of the stored spec name.
    const requestedSpec = input.authSpecName === undefined ? current.authSpecName : canonicalAuthSpecName(current.connectionSpecId, input.authSpecName);
    const sameSpec = requestedSpec === current.authSpecName;
    const params = sameSpec ? unmaskSecrets(input.authParams, current, secretParamNames(current.connectionSpecId, current.authSpecName)) : input.authParams;
    const auth = validateAuthParams(current.connectionSpecId, input.authSpecName ?? current.authSpecName, params);
    const next: BaseConnection = {
      ...current, name: requireEntityName(input.name), description: input.description, authSpecName: auth.specName, authParams: auth.params,
      etag: newEtag(this.deps.ids), updatedAt: change.now, updatedBy: change.by, updatedClient: change.client,
    };
    return this.documents.replace(scope, current, next, { updatedAt: change.now, updatedBy: change.by, supplied: change.supplied });
  }

  /** Deletes the connection unless target connections still use it (FLOW-1418-400). */
  async delete(scope: SandboxScopedStore, id: string, usedBy: readonly string[]): Promise<void> {
    await this.documents.get(scope, id);
    if (usedBy.length > 0) {
      throw new AppError('BAD_REQUEST', `The connections ${id} is still used by: ${usedBy.join(', ')}`, { familyCode: 'FLOW-1418-400' });
    }
    await this.documents.remove(scope, id);
  }

  private toStored(connection: BaseConnection): StoredBaseConnection {
    const secrets = secretParamNames(connection.connectionSpecId, connection.authSpecName);
    const authParams = Object.fromEntries(
      Object.entries(connection.authParams).map(([name, value]) => [
        name,
        secrets.includes(name) ? this.deps.cipher.encrypt(String(value), `${connection.id}:${name}`) : value,
      ]),
    );
    return {
      description: connection.description, connectionSpecId: connection.connectionSpecId, authSpecName: connection.authSpecName,
      authParams, state: connection.state, createdClient: connection.createdClient, updatedClient: connection.updatedClient,
    };
  }

  private fromStored(document: ScopedDocumentRecord, sandboxId: string): BaseConnection {
    const stored = document.data as StoredBaseConnection;
    const secrets = secretParamNames(stored.connectionSpecId, stored.authSpecName);
    const authParams = Object.fromEntries(
      Object.entries(stored.authParams).map(([name, value]) => [
        name,
        secrets.includes(name) ? this.deps.cipher.decrypt(String(value), `${document.id}:${name}`) : value,
      ]),
    );
    return {
      id: document.id, sandboxId, name: document.name, description: stored.description, connectionSpecId: stored.connectionSpecId,
      authSpecName: stored.authSpecName, authParams, state: stored.state, etag: document.etag, createdAt: document.createdAt,
      updatedAt: document.updatedAt, createdBy: document.createdBy, updatedBy: document.updatedBy,
      createdClient: stored.createdClient, updatedClient: stored.updatedClient,
    };
  }
}

/** Replaces `********` placeholders of secret params by the stored values. */
function unmaskSecrets(params: unknown, current: BaseConnection, secrets: readonly string[]): unknown {
  if (params === null || typeof params !== 'object' || Array.isArray(params)) return params;
  return Object.fromEntries(
    Object.entries(params).map(([name, value]) => [
      name,
      value === SECRET_MASK && secrets.includes(name) && current.authParams[name] !== undefined ? current.authParams[name] : value,
    ]),
  );
}
