// API credentials and bearer tokens (SPEC §2.4–2.5): client-credentials grant, token checks, rotation and revocation.
import { AppError } from '../../errors.js';
import type { CredentialRecord, Store } from '../../storage/store.js';
import type { Clock, IdGenerator, PasswordHasher, SecretDigest } from '../runtime.js';
import { tryAgainIn, type AttemptLimit, type AttemptLimiter, type AttemptScope } from './attempt-limiter.js';
import type { Principal } from './effective-permissions.js';
import type { RoleService } from './role-service.js';
import { generateAccessToken, generateClientId, generateClientSecret, sha256Hex } from './secrets.js';

/** A credential as the API shows it (never with its hash). */
export type CredentialView = Omit<CredentialRecord, 'secretHash'>;

/** A newly created or rotated credential, with its secret shown exactly once. */
export type CredentialWithSecret = CredentialView & { readonly clientSecret: string };

export interface CredentialInput {
  readonly name?: string | undefined;
  readonly roleIds?: readonly string[] | undefined;
  readonly admin?: boolean | undefined;
  readonly disabled?: boolean | undefined;
}

export interface IssuedToken {
  readonly accessToken: string;
  readonly expiresIn: number;
  readonly credential: CredentialView;
}

/** SPEC §14: token requests with a wrong secret per client id and per client address (defaults: 20 each per minute). */
export interface TokenLimits {
  readonly perClient: AttemptLimit;
  readonly perAddress: AttemptLimit;
}

/** lastUsedAt is refreshed at most this often, so token checks stay read-mostly. */
const LAST_USED_RESOLUTION_MS = 60_000;

export function credentialView(record: CredentialRecord): CredentialView {
  const { secretHash: _hidden, ...view } = record;
  return view;
}

function validName(name: string | undefined): string {
  const trimmed = (name ?? '').trim();
  if (trimmed.length < 1 || trimmed.length > 100) throw new AppError('VALIDATION', 'name is required (1 to 100 characters)');
  return trimmed;
}

export class CredentialService {
  constructor(
    private readonly deps: {
      store: Store; clock: Clock; ids: IdGenerator; roles: RoleService; tokenTtlSeconds: number;
      /** Stores and checks secrets. */
      digest: SecretDigest;
      /** Verifies secrets stored (as argon2id) before keyed digests; each is replaced by its digest at its first success. */
      legacyHasher: PasswordHasher;
      limiter: AttemptLimiter;
      tokenLimits: TokenLimits;
    },
  ) {}

  async create(input: CredentialInput): Promise<CredentialWithSecret> {
    const clientSecret = generateClientSecret();
    const record: CredentialRecord = {
      id: this.deps.ids.uuid(),
      name: validName(input.name),
      clientId: generateClientId(),
      secretHash: this.deps.digest.digest(clientSecret),
      admin: input.admin ?? false,
      roleIds: await this.deps.roles.requireRoleIds(input.roleIds ?? []),
      disabled: false,
      createdAt: this.deps.clock.now(),
      lastUsedAt: null,
    };
    await this.deps.store.credentials.create(record);
    return { ...credentialView(record), clientSecret };
  }

  async list(limit: number, cursor: string | undefined): Promise<{ items: CredentialView[]; next: string | null }> {
    const page = await this.deps.store.credentials.list({ limit, cursor });
    return { items: page.items.map(credentialView), next: page.next };
  }

  async get(id: string): Promise<CredentialView> {
    return credentialView(await this.require(id));
  }

  /** Finds a credential by id, client id or exact name (CLI convenience). */
  async find(ref: string): Promise<CredentialView | undefined> {
    const byId = (await this.deps.store.credentials.getById(ref)) ?? (await this.deps.store.credentials.getByClientId(ref));
    if (byId !== undefined) return credentialView(byId);
    const all = await this.deps.store.credentials.list({ limit: 1000 });
    const named = all.items.filter((c) => c.name === ref);
    return named.length === 1 && named[0] !== undefined ? credentialView(named[0]) : undefined;
  }

  async update(id: string, input: CredentialInput): Promise<CredentialView> {
    await this.require(id);
    const updated = await this.deps.store.credentials.update(id, {
      ...(input.name === undefined ? {} : { name: validName(input.name) }),
      ...(input.roleIds === undefined ? {} : { roleIds: await this.deps.roles.requireRoleIds(input.roleIds) }),
      ...(input.admin === undefined ? {} : { admin: input.admin }),
      ...(input.disabled === undefined ? {} : { disabled: input.disabled }),
    });
    if (updated === undefined) throw new AppError('NOT_FOUND', `Credential ${id} not found`);
    if (input.disabled === true) await this.deps.store.tokens.deleteForCredential(id);
    return credentialView(updated);
  }

  /** Deletes the credential and revokes its tokens. */
  async delete(id: string): Promise<CredentialView> {
    const record = await this.require(id);
    await this.deps.store.credentials.delete(id);
    return credentialView(record);
  }

  /** Replaces the secret; the old secret and every token issued with it stop working. */
  async rotateSecret(id: string): Promise<CredentialWithSecret> {
    await this.require(id);
    const clientSecret = generateClientSecret();
    const updated = await this.deps.store.credentials.update(id, { secretHash: this.deps.digest.digest(clientSecret) });
    if (updated === undefined) throw new AppError('NOT_FOUND', `Credential ${id} not found`);
    await this.deps.store.tokens.deleteForCredential(id);
    return { ...credentialView(updated), clientSecret };
  }

  /**
   * The client-credentials grant: verifies id and secret and issues an opaque bearer token. Wrong secrets
   * are counted per client id and per client address; beyond the limit the grant answers RATE_LIMITED
   * (with `Retry-After`) before looking at the secret.
   */
  async issueToken(clientId: string, clientSecret: string, context: { ip: string }): Promise<IssuedToken> {
    const scopes = this.tokenScopes(clientId, context.ip);
    await this.deps.limiter.check(scopes);
    const record = await this.deps.store.credentials.getByClientId(clientId);
    if (record === undefined || record.disabled) await this.deps.limiter.recordFailure(scopes);
    const valid = record !== undefined && !record.disabled && (await this.verifySecret(record, clientSecret, scopes));
    if (!valid || record === undefined) throw new AppError('OAUTH_INVALID_CLIENT', 'invalid client_id or client_secret');
    const accessToken = generateAccessToken();
    const now = this.deps.clock.now();
    await this.deps.store.tokens.create({
      tokenHash: sha256Hex(accessToken),
      credentialId: record.id,
      createdAt: now,
      expiresAt: now + this.deps.tokenTtlSeconds * 1000,
    });
    await this.deps.store.credentials.update(record.id, { lastUsedAt: now });
    return { accessToken, expiresIn: this.deps.tokenTtlSeconds, credential: credentialView(record) };
  }

  /**
   * Resolves a bearer token to its principal and client id; undefined when the token is unknown,
   * expired, or its credential is disabled or gone.
   */
  async authenticateToken(accessToken: string): Promise<{ principal: Principal; clientId: string } | undefined> {
    const token = await this.deps.store.tokens.getByHash(sha256Hex(accessToken));
    const now = this.deps.clock.now();
    if (token === undefined || token.expiresAt <= now) return undefined;
    const record = await this.deps.store.credentials.getById(token.credentialId);
    if (record === undefined || record.disabled) return undefined;
    if (record.lastUsedAt === null || now - record.lastUsedAt > LAST_USED_RESOLUTION_MS) {
      await this.deps.store.credentials.update(record.id, { lastUsedAt: now });
    }
    const roles = await this.deps.store.roles.getMany(record.roleIds);
    return {
      principal: { actor: { type: 'credential', id: record.id, name: record.name, clientId: record.clientId }, admin: record.admin, roles },
      clientId: record.clientId,
    };
  }

  /**
   * Whether `secret` is the credential's. A keyed digest is checked in microseconds and a failure is
   * counted afterwards; an older argon2id hash costs real CPU, so its attempt is counted before the
   * check (and given back on success, when the hash is replaced by the digest).
   */
  private async verifySecret(record: CredentialRecord, secret: string, scopes: readonly AttemptScope[]): Promise<boolean> {
    if (this.deps.digest.owns(record.secretHash)) {
      const matches = this.deps.digest.matches(record.secretHash, secret);
      if (!matches) await this.deps.limiter.recordFailure(scopes);
      return matches;
    }
    const reservation = await this.deps.limiter.reserve(scopes);
    if (!(await this.deps.legacyHasher.verify(record.secretHash, secret))) return false;
    await reservation.refund();
    await this.deps.store.credentials.update(record.id, { secretHash: this.deps.digest.digest(secret) });
    return true;
  }

  private tokenScopes(clientId: string, ip: string): AttemptScope[] {
    const { perClient, perAddress } = this.deps.tokenLimits;
    return [
      { kind: 'token:client', value: clientId, limit: perClient, message: (s) => `Too many token requests with a wrong secret for this client; ${tryAgainIn(s)}` },
      { kind: 'token:address', value: ip, limit: perAddress, message: (s) => `Too many token requests with a wrong secret from this address; ${tryAgainIn(s)}` },
    ];
  }

  private async require(id: string): Promise<CredentialRecord> {
    const record = await this.deps.store.credentials.getById(id);
    if (record === undefined) throw new AppError('NOT_FOUND', `Credential ${id} not found`);
    return record;
  }
}
