// Users of the web UI (SPEC §2.1, §2.5): accounts, the bootstrap admin, and the last-admin rule.
import { AppError } from '../../errors.js';
import type { Store, UserRecord } from '../../storage/store.js';
import { StoreConflictError } from '../../storage/store.js';
import type { Clock, IdGenerator, PasswordHasher } from '../runtime.js';
import type { RoleService } from './role-service.js';
import { generatePassword } from './secrets.js';

/** A user as the API shows it (never with its hash). */
export type UserView = Omit<UserRecord, 'passwordHash'>;

export interface UserInput {
  readonly email?: string | undefined;
  readonly name?: string | undefined;
  readonly password?: string | undefined;
  readonly admin?: boolean | undefined;
  readonly roleIds?: readonly string[] | undefined;
  readonly disabled?: boolean | undefined;
}

export const MIN_PASSWORD_LENGTH = 12;
const EMAIL = /^[^\s@]+@[^\s@]+$/;

export function userView(record: UserRecord): UserView {
  const { passwordHash: _hidden, ...view } = record;
  return view;
}

/** Throws a validation error unless the password is long enough. */
export function requireStrongPassword(password: string, field = 'password'): void {
  if (password.length < MIN_PASSWORD_LENGTH) throw new AppError('VALIDATION', `${field} must be at least ${MIN_PASSWORD_LENGTH} characters`);
}

export class UserService {
  constructor(private readonly deps: { store: Store; clock: Clock; ids: IdGenerator; hasher: PasswordHasher; roles: RoleService }) {}

  /** Creates a user; without a password one is generated and returned once as `initialPassword`. */
  async create(input: UserInput): Promise<UserView & { initialPassword?: string }> {
    const email = (input.email ?? '').trim().toLowerCase();
    if (!EMAIL.test(email)) throw new AppError('VALIDATION', 'email is required and must be an e-mail address');
    const generated = input.password === undefined ? generatePassword() : undefined;
    const password = input.password ?? generated ?? '';
    requireStrongPassword(password);
    const record: UserRecord = {
      id: this.deps.ids.uuid(),
      email,
      name: (input.name ?? email).trim() || email,
      passwordHash: await this.deps.hasher.hash(password),
      admin: input.admin ?? false,
      roleIds: await this.deps.roles.requireRoleIds(input.roleIds ?? []),
      disabled: false,
      createdAt: this.deps.clock.now(),
      lastLoginAt: null,
    };
    try {
      await this.deps.store.users.create(record);
    } catch (error) {
      if (error instanceof StoreConflictError) throw new AppError('CONFLICT', `A user with e-mail ${email} already exists`, { cause: error });
      throw error;
    }
    return generated === undefined ? userView(record) : { ...userView(record), initialPassword: generated };
  }

  /**
   * Creates the bootstrap admin when no user exists (SPEC §2.2). Returns the generated password when
   * none was configured, so the caller can print it once.
   */
  async ensureBootstrapAdmin(email: string | undefined, password: string | undefined): Promise<{ id: string; email: string; generatedPassword?: string } | undefined> {
    if ((await this.deps.store.users.count()) > 0) return undefined;
    const created = await this.create({ email: email ?? 'admin@localhost', name: 'Administrator', password, admin: true });
    const user = { id: created.id, email: created.email };
    return created.initialPassword === undefined ? user : { ...user, generatedPassword: created.initialPassword };
  }

  async list(limit: number, cursor: string | undefined): Promise<{ items: UserView[]; next: string | null }> {
    const page = await this.deps.store.users.list({ limit, cursor });
    return { items: page.items.map(userView), next: page.next };
  }

  async get(id: string): Promise<UserView> {
    return userView(await this.require(id));
  }

  /** Finds a user by id or e-mail (CLI convenience). */
  async find(ref: string): Promise<UserView | undefined> {
    const record = (await this.deps.store.users.getById(ref)) ?? (await this.deps.store.users.getByEmail(ref.trim().toLowerCase()));
    return record === undefined ? undefined : userView(record);
  }

  /** Merge patch of name, admin, roleIds, disabled, password. Disabling ends the user's sessions. */
  async update(id: string, input: UserInput): Promise<UserView> {
    const current = await this.require(id);
    if (input.email !== undefined && input.email.trim().toLowerCase() !== current.email) {
      throw new AppError('VALIDATION', 'email cannot be changed; create a new user instead');
    }
    const losesAdmin = (input.admin === false || input.disabled === true) && current.admin && !current.disabled;
    if (losesAdmin) await this.requireAnotherEnabledAdmin(id);
    if (input.password !== undefined) requireStrongPassword(input.password);
    const updated = await this.deps.store.users.update(id, {
      ...(input.name === undefined ? {} : { name: input.name.trim() || current.email }),
      ...(input.admin === undefined ? {} : { admin: input.admin }),
      ...(input.roleIds === undefined ? {} : { roleIds: await this.deps.roles.requireRoleIds(input.roleIds) }),
      ...(input.disabled === undefined ? {} : { disabled: input.disabled }),
      ...(input.password === undefined ? {} : { passwordHash: await this.deps.hasher.hash(input.password) }),
    });
    if (updated === undefined) throw new AppError('NOT_FOUND', `User ${id} not found`);
    if (input.disabled === true || input.password !== undefined) await this.deps.store.sessions.deleteForUser(id);
    return userView(updated);
  }

  async delete(id: string): Promise<UserView> {
    const current = await this.require(id);
    if (current.admin && !current.disabled) await this.requireAnotherEnabledAdmin(id);
    await this.deps.store.sessions.deleteForUser(id);
    await this.deps.store.users.delete(id);
    return userView(current);
  }

  private async requireAnotherEnabledAdmin(exceptId: string): Promise<void> {
    let cursor: string | undefined;
    do {
      const page = await this.deps.store.users.list({ limit: 200, cursor });
      if (page.items.some((user) => user.id !== exceptId && user.admin && !user.disabled)) return;
      cursor = page.next ?? undefined;
    } while (cursor !== undefined);
    throw new AppError('BAD_REQUEST', 'This is the last enabled admin: make another user an admin first');
  }

  private async require(id: string): Promise<UserRecord> {
    const record = await this.deps.store.users.getById(id);
    if (record === undefined) throw new AppError('NOT_FOUND', `User ${id} not found`);
    return record;
  }
}
