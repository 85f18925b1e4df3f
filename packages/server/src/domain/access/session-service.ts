// Web UI sessions (SPEC §2.4): password login with a failure limit, cookie sessions with a CSRF token.
import { AppError } from '../../errors.js';
import type { Store, UserRecord } from '../../storage/store.js';
import type { AuditService } from '../audit/audit-service.js';
import type { Clock, PasswordHasher } from '../runtime.js';
import { tryAgainIn, type AttemptLimit, type AttemptLimiter, type AttemptScope } from './attempt-limiter.js';
import type { Principal } from './effective-permissions.js';
import { generateOpaqueToken, sha256Hex } from './secrets.js';
import { requireStrongPassword, userView, type UserView } from './user-service.js';

/** SPEC §14: failed logins per e-mail and per client address (defaults: 5 each per 15 minutes). */
export interface LoginLimits {
  readonly perEmail: AttemptLimit;
  readonly perAddress: AttemptLimit;
}

export interface OpenedSession {
  /** The cookie value; only its hash is stored. */
  readonly sessionId: string;
  readonly csrfToken: string;
  readonly user: UserView;
  readonly expiresAt: number;
}

export interface ResolvedSession {
  readonly principal: Principal;
  readonly user: UserView;
  readonly csrfToken: string;
  readonly idHash: string;
}

/** Where a login attempt came from, for the audit log. */
export interface LoginContext {
  readonly requestId: string;
  readonly ip: string;
}

export class SessionService {
  constructor(
    private readonly deps: {
      store: Store; clock: Clock; hasher: PasswordHasher; audit: AuditService; sessionTtlHours: number;
      limiter: AttemptLimiter; loginLimits: LoginLimits;
    },
  ) {}

  /**
   * Verifies e-mail and password and opens a session. Every attempt is counted, per e-mail and per
   * client address, in the store *before* the password is verified (and given back when it succeeds),
   * so parallel guesses cannot exceed the limit; beyond it, logins answer RATE_LIMITED with
   * `Retry-After`, even with the right password. Failed attempts are audited.
   */
  async login(emailInput: string, password: string, context: LoginContext): Promise<OpenedSession> {
    const email = emailInput.trim().toLowerCase();
    const now = this.deps.clock.now();
    const user = await this.deps.store.users.getByEmail(email);
    const audit = (outcome: 'success' | 'rejected', httpStatus: number, reason?: string) =>
      this.deps.audit.record({
        actor: { type: 'user', id: user?.id ?? null, name: email },
        sandbox: null,
        action: 'auth.login',
        outcome,
        httpStatus,
        requestId: context.requestId,
        ip: context.ip,
        details: reason === undefined ? {} : { reason },
      });
    let reservation;
    try {
      reservation = await this.deps.limiter.reserve(this.loginScopes(email, context.ip));
    } catch (error) {
      if (error instanceof AppError && error.code === 'RATE_LIMITED') await audit('rejected', 429, 'rate limited');
      throw error;
    }
    const valid = user !== undefined && !user.disabled && (await this.deps.hasher.verify(user.passwordHash, password));
    if (!valid || user === undefined) {
      await audit('rejected', 401, 'invalid credentials');
      throw new AppError('UNAUTHORIZED', 'Invalid email or password');
    }
    await reservation.refund();
    const sessionId = generateOpaqueToken();
    const csrfToken = generateOpaqueToken();
    const expiresAt = now + this.deps.sessionTtlHours * 3_600_000;
    await this.deps.store.sessions.create({ idHash: sha256Hex(sessionId), userId: user.id, csrfToken, createdAt: now, expiresAt });
    const updated = (await this.deps.store.users.update(user.id, { lastLoginAt: now })) ?? user;
    await audit('success', 200);
    return { sessionId, csrfToken, user: userView(updated), expiresAt };
  }

  private loginScopes(email: string, ip: string): AttemptScope[] {
    const { perEmail, perAddress } = this.deps.loginLimits;
    return [
      { kind: 'login:email', value: email, limit: perEmail, message: (s) => `Too many failed logins for this e-mail; ${tryAgainIn(s)}` },
      { kind: 'login:address', value: ip, limit: perAddress, message: (s) => `Too many failed logins from this address; ${tryAgainIn(s)}` },
    ];
  }

  /** The session behind a cookie value, or undefined when unknown, expired or its user is disabled. */
  async resolve(sessionId: string): Promise<ResolvedSession | undefined> {
    const idHash = sha256Hex(sessionId);
    const session = await this.deps.store.sessions.getByHash(idHash);
    if (session === undefined || session.expiresAt <= this.deps.clock.now()) return undefined;
    const user = await this.deps.store.users.getById(session.userId);
    if (user === undefined || user.disabled) return undefined;
    return { principal: await this.principalOf(user), user: userView(user), csrfToken: session.csrfToken, idHash };
  }

  async logout(idHash: string): Promise<void> {
    await this.deps.store.sessions.delete(idHash);
  }

  /** Changes the signed-in user's password after checking the current one; other sessions end. */
  async changePassword(userId: string, currentPassword: string, newPassword: string, keepIdHash: string): Promise<void> {
    const user = await this.deps.store.users.getById(userId);
    if (user === undefined || !(await this.deps.hasher.verify(user.passwordHash, currentPassword))) {
      throw new AppError('BAD_REQUEST', 'currentPassword is wrong');
    }
    requireStrongPassword(newPassword, 'newPassword');
    await this.deps.store.users.update(userId, { passwordHash: await this.deps.hasher.hash(newPassword) });
    const kept = await this.deps.store.sessions.getByHash(keepIdHash);
    await this.deps.store.sessions.deleteForUser(userId);
    if (kept !== undefined) await this.deps.store.sessions.create(kept);
  }

  private async principalOf(user: UserRecord): Promise<Principal> {
    const roles = await this.deps.store.roles.getMany(user.roleIds);
    return { actor: { type: 'user', id: user.id, name: user.email }, admin: user.admin, roles };
  }
}
