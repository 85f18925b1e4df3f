// Sandboxes (SPEC §2.6): isolated partitions of all data; `prod` always exists and cannot be deleted.
import { AppError } from '../../errors.js';
import type { SandboxRecord, SandboxType, Store } from '../../storage/store.js';
import { StoreConflictError } from '../../storage/store.js';
import { hasRoleInSandbox, type Principal } from '../access/effective-permissions.js';
import { actorLabel, type Actor, type Clock, type IdGenerator } from '../runtime.js';

export const DEFAULT_SANDBOX = 'prod';
export const SANDBOX_NAME_PATTERN = /^[a-z][a-z0-9-]{0,29}$/;

export interface SandboxInput {
  readonly name: string;
  readonly title?: string | undefined;
  readonly type?: SandboxType | undefined;
}

/**
 * Work to do when a sandbox is created or cleared (later capabilities register theirs: merge
 * policies, schedules, the DLZ directory, lake files).
 */
export interface SandboxLifecycleHook {
  onCreated?(sandbox: SandboxRecord): Promise<void>;
  onCleared?(sandbox: SandboxRecord): Promise<void>;
}

export class SandboxService {
  constructor(private readonly deps: { store: Store; clock: Clock; ids: IdGenerator; hooks?: readonly SandboxLifecycleHook[] }) {}

  /** Creates `prod` (running the creation hooks) when it does not exist yet. */
  async ensureDefaultSandbox(): Promise<SandboxRecord> {
    const existing = await this.deps.store.sandboxes.getByName(DEFAULT_SANDBOX);
    if (existing !== undefined) return existing;
    const now = this.deps.clock.now();
    const prod: SandboxRecord = {
      id: this.deps.ids.uuid(), name: DEFAULT_SANDBOX, title: 'Production', state: 'active', type: 'production',
      isDefault: true, etag: 1, createdAt: now, updatedAt: now, createdBy: 'system', updatedBy: 'system',
    };
    await this.insert(prod);
    for (const hook of this.deps.hooks ?? []) await hook.onCreated?.(prod);
    return prod;
  }

  /** The live sandbox of that name, or undefined. */
  findByName(name: string): Promise<SandboxRecord | undefined> {
    return this.deps.store.sandboxes.getByName(name);
  }

  /** The live sandbox with that id, or undefined. */
  async findById(id: string): Promise<SandboxRecord | undefined> {
    const sandbox = await this.deps.store.sandboxes.getById(id);
    return sandbox === undefined || sandbox.state === 'deleted' ? undefined : sandbox;
  }

  /** Live sandboxes the principal has a role in (admins: all). */
  async listVisible(principal: Principal): Promise<SandboxRecord[]> {
    const all = await this.deps.store.sandboxes.listLive();
    return all.filter((sandbox) => hasRoleInSandbox(principal, sandbox.name));
  }

  /** A live sandbox the principal may see; otherwise NOT_FOUND (existence is not revealed). */
  async getVisible(principal: Principal, name: string): Promise<SandboxRecord> {
    const sandbox = await this.deps.store.sandboxes.getByName(name);
    if (sandbox === undefined || !hasRoleInSandbox(principal, name)) throw new AppError('NOT_FOUND', `Sandbox ${name} not found`);
    return sandbox;
  }

  async create(input: SandboxInput, actor: Actor): Promise<SandboxRecord> {
    if (!SANDBOX_NAME_PATTERN.test(input.name)) {
      throw new AppError('VALIDATION', `Invalid sandbox name '${input.name}': use 1 to 30 lower-case letters, digits or '-', starting with a letter`);
    }
    const type = input.type ?? 'development';
    if (type !== 'development' && type !== 'production') throw new AppError('VALIDATION', "type must be 'development' or 'production'");
    const now = this.deps.clock.now();
    const sandbox: SandboxRecord = {
      id: this.deps.ids.uuid(), name: input.name, title: (input.title ?? input.name).trim() || input.name, state: 'active', type,
      isDefault: false, etag: 1, createdAt: now, updatedAt: now, createdBy: actorLabel(actor), updatedBy: actorLabel(actor),
    };
    await this.insert(sandbox);
    for (const hook of this.deps.hooks ?? []) await hook.onCreated?.(sandbox);
    return sandbox;
  }

  /** Deletes every object of the sandbox and marks it deleted. `prod` cannot be deleted. */
  async delete(principal: Principal, name: string, actor: Actor): Promise<SandboxRecord> {
    const sandbox = await this.getVisible(principal, name);
    if (sandbox.isDefault) throw new AppError('BAD_REQUEST', 'The default sandbox cannot be deleted');
    await this.clear(sandbox);
    return this.setState(sandbox, 'deleted', actor);
  }

  /** Deletes every object of the sandbox and restores its defaults; the answer shows the `resetting` state. */
  async reset(principal: Principal, name: string, actor: Actor): Promise<SandboxRecord> {
    const sandbox = await this.getVisible(principal, name);
    const resetting = await this.setState(sandbox, 'resetting', actor);
    await this.clear(sandbox);
    for (const hook of this.deps.hooks ?? []) await hook.onCreated?.(sandbox);
    await this.setState(resetting, 'active', actor);
    return resetting;
  }

  private async clear(sandbox: SandboxRecord): Promise<void> {
    for (const hook of this.deps.hooks ?? []) await hook.onCleared?.(sandbox);
    const scope = this.deps.store.sandbox(sandbox.id);
    await scope.segmentSnapshots.deleteAll();
    await scope.segmentJobs.deleteAll();
    await scope.segmentDefinitions.deleteAll();
    await scope.documents.deleteAll();
  }

  private async setState(sandbox: SandboxRecord, state: SandboxRecord['state'], actor: Actor): Promise<SandboxRecord> {
    const updated = await this.deps.store.sandboxes.update(sandbox.id, { state, updatedAt: this.deps.clock.now(), updatedBy: actorLabel(actor) });
    if (updated === undefined) throw new AppError('NOT_FOUND', `Sandbox ${sandbox.name} not found`);
    return updated;
  }

  private async insert(sandbox: SandboxRecord): Promise<void> {
    try {
      await this.deps.store.sandboxes.create(sandbox);
    } catch (error) {
      if (error instanceof StoreConflictError) throw new AppError('CONFLICT', `Sandbox ${sandbox.name} already exists`, { cause: error });
      throw error;
    }
  }
}
