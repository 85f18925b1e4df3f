// The store contract: one suite, run against SQLite and PostgreSQL, that every Store implementation must pass.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Sqlite from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { segmentDefinitionContract } from '../../test/support/segment-definition-contract.js';
import { postgresAvailability, startPostgres } from '../../test/support/with-postgres.js';
import type { TestPostgres } from '../../test/support/with-postgres.js';
import { openStore } from './open-store.js';
import { openPostgresStore } from './postgres/postgres-store.js';
import { openSqliteStore } from './sqlite/sqlite-store.js';
import { StoreConflictError, StoreCursorError } from './store.js';
import type {
  AuditEntryRecord,
  CredentialRecord,
  Page,
  PageRequest,
  RoleRecord,
  SandboxRecord,
  BatchRecord,
  ScopedDocumentRecord,
  Store,
  StoreDialect,
  UserRecord,
} from './store.js';

/** A moment well past 2^31 so bigint handling is exercised. */
const T0 = 1_750_000_000_000;

const sandboxRecord = (over: Partial<SandboxRecord> = {}): SandboxRecord => ({
  id: 'sb-prod', name: 'prod', title: 'Production', state: 'active', type: 'production', isDefault: true, etag: 1,
  createdAt: T0, updatedAt: T0, createdBy: 'system', updatedBy: 'system', ...over,
});
const userRecord = (over: Partial<UserRecord> = {}): UserRecord => ({
  id: 'u-1', email: 'ada@example.com', name: 'Ada', passwordHash: 'hash', admin: false, roleIds: [], disabled: false,
  createdAt: T0, lastLoginAt: null, ...over,
});
const credentialRecord = (over: Partial<CredentialRecord> = {}): CredentialRecord => ({
  id: 'c-1', name: 'ci', clientId: '0123456789abcdef0123456789abcdef', secretHash: 'secret', admin: false, roleIds: [],
  disabled: false, createdAt: T0, lastUsedAt: null, ...over,
});
const roleRecord = (over: Partial<RoleRecord> = {}): RoleRecord => ({
  id: 'r-1', name: 'viewers', description: 'Can look', permissions: ['View Destinations'], sandboxes: ['*'], builtIn: false,
  createdAt: T0, updatedAt: T0, ...over,
});
const documentRecord = (over: Partial<ScopedDocumentRecord> = {}): ScopedDocumentRecord => ({
  id: 'doc-1', collection: 'flows', name: 'daily', etag: 'e1', data: { steps: [1, 2], nested: { ok: true } },
  createdAt: T0, updatedAt: T0, createdBy: 'ada', updatedBy: 'ada', ...over,
});
const batchRecord = (over: Partial<BatchRecord> = {}): BatchRecord => ({
  id: 'bt-1', datasetId: 'ds-1', status: 'loading', inputFormat: 'csv', errorThreshold: null, etag: 'e1', createdAt: T0, updatedAt: T0,
  completedAt: null, createdBy: 'ada', details: { files: [{ name: 'a.csv', size: 3 }] }, ...over,
});
const auditEntry = (over: Partial<AuditEntryRecord> = {}): AuditEntryRecord => ({
  id: 'a-1', time: T0, actor: { type: 'user', id: 'u-1', name: 'Ada' }, sandbox: 'prod', action: 'flow.create',
  objectType: 'flow', objectId: 'f-1', outcome: 'success', httpStatus: 201, requestId: 'req-1', ip: '127.0.0.1',
  details: { body: { secret: '********' } }, ...over,
});

const greatestCommonDivisor = (a: number, b: number): number => (b === 0 ? a : greatestCommonDivisor(b, a % b));

/** `count` distinct ids whose text order differs from their creation order (a fixed permutation of 0…count-1). */
function shuffledIds(prefix: string, count: number): string[] {
  let step = 7;
  while (greatestCommonDivisor(step, count) !== 1) step += 1;
  return Array.from({ length: count }, (_, i) => `${prefix}${String((i * step) % count).padStart(3, '0')}`);
}

/** Follows `next` from the first page to the last, checking the page sizes on the way. */
async function collectPages<T>(limit: number, fetchPage: (request: PageRequest) => Promise<Page<T>>): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  for (let pageNumber = 0; pageNumber < 100; pageNumber += 1) {
    const page = await fetchPage(cursor === undefined ? { limit } : { limit, cursor });
    items.push(...page.items);
    if (page.next === null) return items;
    expect(page.items).toHaveLength(limit);
    cursor = page.next;
  }
  throw new Error('pagination did not end');
}

const byTimeThenId = (a: { time: number; id: string }, b: { time: number; id: string }): number =>
  a.time - b.time || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** How a contract run reaches its database. */
interface StoreContractSetup {
  readonly dialect: StoreDialect;
  /** Makes a new, empty database and returns a function that opens stores on it. */
  newDatabase(): Promise<() => Promise<Store>>;
}

/** Registers the whole store contract in the current `describe`. */
function storeContract(setup: StoreContractSetup): void {
  let store: Store;
  let openAnother: () => Promise<Store>;
  let firstMigration: readonly string[];
  const opened: Store[] = [];

  beforeEach(async () => {
    const open = await setup.newDatabase();
    openAnother = async () => {
      const another = await open();
      opened.push(another);
      return another;
    };
    store = await openAnother();
    firstMigration = await store.migrate();
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((each) => each.close()));
  });

  describe('migrations and health', () => {
    it('applies the foundation once; migrating again applies nothing', async () => {
      expect(firstMigration).toEqual(['0001-foundation', '0002-batches-and-jobs', '0003-attempt-counters', '0004-segment-definitions', '0005-segment-jobs', '0006-segment-schedules', '0007-export-jobs']);
      expect(await store.migrate()).toEqual([]);
    });

    it('reports migration status before and after migrating', async () => {
      const fresh = await (await setup.newDatabase())();
      try {
        expect(await fresh.migrationStatus()).toEqual([{ name: '0001-foundation', executedAt: null }, { name: '0002-batches-and-jobs', executedAt: null },
          { name: '0003-attempt-counters', executedAt: null }, { name: '0004-segment-definitions', executedAt: null }, { name: '0005-segment-jobs', executedAt: null }, { name: '0006-segment-schedules', executedAt: null }, { name: '0007-export-jobs', executedAt: null }]);
        const before = Date.now();
        await fresh.migrate();
        const [status] = await fresh.migrationStatus();
        expect(status?.name).toBe('0001-foundation');
        expect(status?.executedAt).toBeGreaterThanOrEqual(before - 1000);
      } finally {
        await fresh.close();
      }
    });

    it('answers a ping and names its dialect', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
      expect(store.dialect).toBe(setup.dialect);
    });
  });

  describe('sandboxes', () => {
    it('creates, reads by id and by name, and lists live sandboxes by name', async () => {
      await store.sandboxes.create(sandboxRecord({ id: 'sb-2', name: 'zeta', isDefault: false, type: 'development' }));
      await store.sandboxes.create(sandboxRecord());
      expect(await store.sandboxes.getById('sb-prod')).toEqual(sandboxRecord());
      expect(await store.sandboxes.getByName('zeta')).toMatchObject({ id: 'sb-2', isDefault: false, type: 'development' });
      expect(await store.sandboxes.getById('nope')).toBeUndefined();
      expect((await store.sandboxes.listLive()).map((each) => each.name)).toEqual(['prod', 'zeta']);
    });

    it('refuses a second live sandbox with the same name, or a reused id', async () => {
      await store.sandboxes.create(sandboxRecord());
      const sameName = store.sandboxes.create(sandboxRecord({ id: 'sb-other' }));
      await expect(sameName).rejects.toBeInstanceOf(StoreConflictError);
      await expect(sameName).rejects.toMatchObject({ constraint: 'sandboxes.name' });
      await expect(store.sandboxes.create(sandboxRecord({ name: 'other' }))).rejects.toMatchObject({ constraint: 'sandboxes.id' });
    });

    it('updates only the patched fields and bumps the etag', async () => {
      await store.sandboxes.create(sandboxRecord());
      const updated = await store.sandboxes.update('sb-prod', { title: 'Prod!', updatedAt: T0 + 5, updatedBy: 'ada' });
      expect(updated).toEqual(sandboxRecord({ title: 'Prod!', updatedAt: T0 + 5, updatedBy: 'ada', etag: 2 }));
      expect((await store.sandboxes.update('sb-prod', {}))?.etag).toBe(3);
      expect(await store.sandboxes.update('nope', { title: 'x' })).toBeUndefined();
    });

    it('frees the name of a deleted sandbox for reuse while keeping its row', async () => {
      await store.sandboxes.create(sandboxRecord({ id: 'sb-old', name: 'dev' }));
      await store.sandboxes.update('sb-old', { state: 'deleted' });
      expect(await store.sandboxes.getByName('dev')).toBeUndefined();
      expect(await store.sandboxes.listLive()).toEqual([]);
      expect((await store.sandboxes.getById('sb-old'))?.state).toBe('deleted');
      await store.sandboxes.create(sandboxRecord({ id: 'sb-new', name: 'dev' }));
      expect((await store.sandboxes.getByName('dev'))?.id).toBe('sb-new');
      await expect(store.sandboxes.update('sb-old', { state: 'active' })).rejects.toBeInstanceOf(StoreConflictError);
    });
  });

  describe('users', () => {
    it('round-trips every field, keeps role order and finds e-mails case-insensitively', async () => {
      await store.roles.create(roleRecord({ id: 'r-a', name: 'a' }));
      await store.roles.create(roleRecord({ id: 'r-b', name: 'b' }));
      const user = userRecord({ roleIds: ['r-b', 'r-a'], admin: true, disabled: true, lastLoginAt: T0 + 1 });
      await store.users.create(user);
      expect(await store.users.getById('u-1')).toEqual(user);
      expect(await store.users.getByEmail('ADA@Example.com')).toEqual(user);
      expect(await store.users.getByEmail('bob@example.com')).toBeUndefined();
    });

    it('stores e-mails lower-cased and refuses duplicates whatever their case', async () => {
      await store.users.create(userRecord({ email: 'Ada@Example.COM' }));
      expect((await store.users.getById('u-1'))?.email).toBe('ada@example.com');
      const duplicate = store.users.create(userRecord({ id: 'u-2', email: 'ADA@example.com' }));
      await expect(duplicate).rejects.toMatchObject({ name: 'StoreConflictError', constraint: 'users.email' });
      expect(await store.users.count()).toBe(1);
    });

    it('updates fields and roles, and reports absent users', async () => {
      await store.roles.create(roleRecord({ id: 'r-a', name: 'a' }));
      await store.users.create(userRecord());
      const updated = await store.users.update('u-1', { name: 'Ada L.', admin: true, roleIds: ['r-a'], lastLoginAt: T0 + 9 });
      expect(updated).toEqual(userRecord({ name: 'Ada L.', admin: true, roleIds: ['r-a'], lastLoginAt: T0 + 9 }));
      expect(await store.users.update('u-1', { roleIds: [] })).toMatchObject({ roleIds: [], name: 'Ada L.' });
      expect(await store.users.update('u-1', { lastLoginAt: null })).toMatchObject({ lastLoginAt: null });
      expect(await store.users.update('nope', { name: 'x' })).toBeUndefined();
      expect(await store.users.update('nope', { roleIds: ['r-a'] })).toBeUndefined();
    });

    it('pages 23 users by (createdAt, id) in pages of 5 without gaps or duplicates', async () => {
      const ids = shuffledIds('u-', 23);
      const created = ids.map((id, i) => ({ id, time: T0 + (i % 4) * 1000 }));
      for (const { id, time } of created) await store.users.create(userRecord({ id, email: `${id}@example.com`, createdAt: time }));
      const expected = [...created].sort(byTimeThenId).map((each) => each.id);
      const listed = await collectPages(5, (request) => store.users.list(request));
      expect(listed.map((user) => user.id)).toEqual(expected);
      expect(await store.users.count()).toBe(23);
    });

    it('deletes a user together with its sessions', async () => {
      await store.users.create(userRecord());
      await store.sessions.create({ idHash: 's-1', userId: 'u-1', csrfToken: 'c', createdAt: T0, expiresAt: T0 + 10 });
      expect(await store.users.delete('u-1')).toBe(true);
      expect(await store.users.delete('u-1')).toBe(false);
      expect(await store.sessions.getByHash('s-1')).toBeUndefined();
    });
  });

  describe('credentials and tokens', () => {
    it('round-trips, finds by client id and refuses a duplicate client id', async () => {
      await store.roles.create(roleRecord());
      const credential = credentialRecord({ roleIds: ['r-1'], admin: true, lastUsedAt: T0 + 3 });
      await store.credentials.create(credential);
      expect(await store.credentials.getById('c-1')).toEqual(credential);
      expect(await store.credentials.getByClientId(credential.clientId)).toEqual(credential);
      expect(await store.credentials.getByClientId('f'.repeat(32))).toBeUndefined();
      const duplicate = store.credentials.create(credentialRecord({ id: 'c-2' }));
      await expect(duplicate).rejects.toMatchObject({ name: 'StoreConflictError', constraint: 'credentials.client_id' });
    });

    it('updates credentials and pages them by creation', async () => {
      const ids = shuffledIds('c-', 7);
      for (const [i, id] of ids.entries()) {
        await store.credentials.create(credentialRecord({ id, clientId: id.padEnd(32, '0'), createdAt: T0 + (i % 2) }));
      }
      const updated = await store.credentials.update(ids[0] ?? '', { disabled: true, name: 'renamed', lastUsedAt: T0 + 7 });
      expect(updated).toMatchObject({ disabled: true, name: 'renamed', lastUsedAt: T0 + 7 });
      expect(await store.credentials.update('nope', { name: 'x' })).toBeUndefined();
      const expected = ids.map((id, i) => ({ id, time: T0 + (i % 2) })).sort(byTimeThenId).map((each) => each.id);
      expect((await collectPages(3, (request) => store.credentials.list(request))).map((each) => each.id)).toEqual(expected);
    });

    it('deleting a credential deletes its tokens and only its tokens', async () => {
      await store.credentials.create(credentialRecord());
      await store.credentials.create(credentialRecord({ id: 'c-2', clientId: 'b'.repeat(32) }));
      await store.tokens.create({ tokenHash: 't-1', credentialId: 'c-1', createdAt: T0, expiresAt: T0 + 100 });
      await store.tokens.create({ tokenHash: 't-2', credentialId: 'c-2', createdAt: T0, expiresAt: T0 + 100 });
      expect(await store.credentials.delete('c-1')).toBe(true);
      expect(await store.credentials.delete('c-1')).toBe(false);
      expect(await store.credentials.getById('c-1')).toBeUndefined();
      expect(await store.tokens.getByHash('t-1')).toBeUndefined();
      expect(await store.tokens.getByHash('t-2')).toEqual({ tokenHash: 't-2', credentialId: 'c-2', createdAt: T0, expiresAt: T0 + 100 });
    });

    it('revokes tokens per credential and deletes those whose expiry has come', async () => {
      await store.credentials.create(credentialRecord());
      for (const [hash, expiresAt] of [['t-past', T0 - 1], ['t-now', T0], ['t-later', T0 + 1]] as const) {
        await store.tokens.create({ tokenHash: hash, credentialId: 'c-1', createdAt: T0 - 10, expiresAt });
      }
      expect(await store.tokens.deleteExpired(T0)).toBe(2);
      expect(await store.tokens.getByHash('t-later')).toBeDefined();
      expect(await store.tokens.deleteForCredential('c-1')).toBe(1);
      expect(await store.tokens.deleteForCredential('c-1')).toBe(0);
    });
  });

  describe('roles', () => {
    it('creates, reads, lists by name and fetches many', async () => {
      await store.roles.create(roleRecord({ id: 'r-2', name: 'writers', builtIn: true, permissions: ['Manage Destinations'] }));
      await store.roles.create(roleRecord());
      expect(await store.roles.getById('r-1')).toEqual(roleRecord());
      expect(await store.roles.getByName('writers')).toMatchObject({ id: 'r-2', builtIn: true, permissions: ['Manage Destinations'] });
      expect((await store.roles.listAll()).map((role) => role.name)).toEqual(['viewers', 'writers']);
      expect((await store.roles.getMany(['r-2', 'r-1', 'missing'])).map((role) => role.id)).toEqual(['r-1', 'r-2']);
      expect(await store.roles.getMany([])).toEqual([]);
    });

    it('refuses duplicate names on create and on update', async () => {
      await store.roles.create(roleRecord());
      await store.roles.create(roleRecord({ id: 'r-2', name: 'writers' }));
      await expect(store.roles.create(roleRecord({ id: 'r-3' }))).rejects.toMatchObject({ constraint: 'roles.name' });
      await expect(store.roles.update('r-2', { name: 'viewers' })).rejects.toBeInstanceOf(StoreConflictError);
      const updated = await store.roles.update('r-2', { description: 'd', sandboxes: ['prod'], updatedAt: T0 + 1 });
      expect(updated).toEqual(roleRecord({ id: 'r-2', name: 'writers', description: 'd', sandboxes: ['prod'], updatedAt: T0 + 1 }));
      expect(await store.roles.update('nope', { name: 'x' })).toBeUndefined();
    });

    it('knows when a role is held and takes it away from holders when deleted', async () => {
      await store.roles.create(roleRecord());
      await store.roles.create(roleRecord({ id: 'r-2', name: 'writers' }));
      expect(await store.roles.isInUse('r-1')).toBe(false);
      await store.credentials.create(credentialRecord({ roleIds: ['r-1'] }));
      expect(await store.roles.isInUse('r-1')).toBe(true);
      await store.credentials.update('c-1', { roleIds: [] });
      expect(await store.roles.isInUse('r-1')).toBe(false);
      await store.users.create(userRecord({ roleIds: ['r-1', 'r-2'] }));
      expect(await store.roles.isInUse('r-1')).toBe(true);
      expect(await store.roles.delete('r-1')).toBe(true);
      expect(await store.roles.delete('r-1')).toBe(false);
      expect((await store.users.getById('u-1'))?.roleIds).toEqual(['r-2']);
      expect(await store.roles.isInUse('r-1')).toBe(false);
    });
  });

  describe('sessions', () => {
    it('creates, reads, deletes one, deletes per user and deletes expired', async () => {
      await store.users.create(userRecord());
      await store.users.create(userRecord({ id: 'u-2', email: 'bob@example.com' }));
      const session = { idHash: 's-1', userId: 'u-1', csrfToken: 'csrf', createdAt: T0, expiresAt: T0 + 50 };
      await store.sessions.create(session);
      expect(await store.sessions.getByHash('s-1')).toEqual(session);
      expect(await store.sessions.delete('s-1')).toBe(true);
      expect(await store.sessions.delete('s-1')).toBe(false);
      for (const [idHash, userId, expiresAt] of [['a', 'u-1', T0], ['b', 'u-1', T0 + 1], ['c', 'u-2', T0 - 5]] as const) {
        await store.sessions.create({ idHash, userId, csrfToken: 'x', createdAt: T0 - 10, expiresAt });
      }
      expect(await store.sessions.deleteExpired(T0)).toBe(2);
      expect(await store.sessions.deleteForUser('u-1')).toBe(1);
      expect(await store.sessions.getByHash('b')).toBeUndefined();
    });
  });

  describe('attempt counters', () => {
    const WINDOW = 60_000;

    it('counts attempts in a fixed window, restarts it once expired, and takes one back only from the same window', async () => {
      expect(await store.attempts.get('login:a', T0, WINDOW)).toBeUndefined();
      expect(await store.attempts.increment('login:a', T0, WINDOW)).toEqual({ count: 1, windowStart: T0 });
      expect(await store.attempts.increment('login:a', T0 + 10, WINDOW)).toEqual({ count: 2, windowStart: T0 });
      expect(await store.attempts.increment('login:b', T0 + 20, WINDOW)).toEqual({ count: 1, windowStart: T0 + 20 });
      expect(await store.attempts.get('login:a', T0 + WINDOW - 1, WINDOW)).toEqual({ count: 2, windowStart: T0 });
      await store.attempts.decrement('login:a', T0);
      expect(await store.attempts.get('login:a', T0 + 30, WINDOW)).toEqual({ count: 1, windowStart: T0 });
      expect(await store.attempts.get('login:a', T0 + WINDOW, WINDOW)).toBeUndefined();
      expect(await store.attempts.increment('login:a', T0 + WINDOW, WINDOW)).toEqual({ count: 1, windowStart: T0 + WINDOW });
      await store.attempts.decrement('login:a', T0);
      expect(await store.attempts.get('login:a', T0 + WINDOW, WINDOW)).toEqual({ count: 1, windowStart: T0 + WINDOW });
      expect(await store.attempts.deleteStartedBefore(T0 + 20)).toBe(1);
      expect(await store.attempts.get('login:b', T0 + 30, WINDOW)).toBeUndefined();
      expect(await store.attempts.get('login:a', T0 + WINDOW, WINDOW)).toEqual({ count: 1, windowStart: T0 + WINDOW });
    });

    it('gives every one of many concurrent increments, through two stores, its own count', async () => {
      const other = await openAnother();
      const counts = await Promise.all(
        Array.from({ length: 60 }, (_, i) => (i % 2 === 0 ? store : other).attempts.increment('token:x', T0 + i, WINDOW)),
      );
      expect(counts.map((window) => window.count).sort((a, b) => a - b)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
      expect(new Set(counts.map((window) => window.windowStart)).size).toBe(1);
    });
  });

  describe('audit log', () => {
    const actors = [
      { type: 'user', id: 'u-1', name: 'Ada' },
      { type: 'credential', id: 'c-1', name: 'ci' },
      { type: 'system', id: null, name: 'scheduler' },
    ] as const;
    const entries: AuditEntryRecord[] = Array.from({ length: 30 }, (_, i) =>
      auditEntry({
        id: `a-${String((i * 11) % 30).padStart(3, '0')}`,
        time: T0 + Math.floor(i / 3) * 1000,
        actor: actors[i % 3] ?? actors[0],
        sandbox: i % 4 === 0 ? null : i % 2 === 0 ? 'prod' : 'dev',
        action: i % 5 === 0 ? 'flow.delete' : 'flow.create',
        objectId: `f-${i % 6}`,
        details: { index: i },
      }),
    );
    const newestFirst = (list: readonly AuditEntryRecord[]): string[] =>
      [...list].sort(byTimeThenId).reverse().map((entry) => entry.id);
    const listIds = async (query: Omit<Parameters<Store['audit']['list']>[0], 'limit' | 'cursor'>, limit = 4): Promise<string[]> =>
      (await collectPages(limit, (request) => store.audit.list({ ...query, ...request }))).map((entry) => entry.id);

    beforeEach(async () => {
      for (const entry of entries) await store.audit.append(entry);
    });

    it('lists every entry newest first, across pages, with details intact', async () => {
      expect(await listIds({}, 7)).toEqual(newestFirst(entries));
      const first = await store.audit.list({ limit: 1 });
      expect(first.items).toEqual(entries.filter((entry) => entry.id === newestFirst(entries)[0]));
    });

    it('filters by time range (inclusive), actor id or name, action, sandbox and object id', async () => {
      const expectFilter = async (query: Parameters<typeof listIds>[0], keep: (entry: AuditEntryRecord) => boolean): Promise<void> => {
        const expected = newestFirst(entries.filter(keep));
        expect(expected.length).toBeGreaterThan(0);
        expect(await listIds(query)).toEqual(expected);
      };
      await expectFilter({ from: T0 + 2000, to: T0 + 5000 }, (entry) => entry.time >= T0 + 2000 && entry.time <= T0 + 5000);
      await expectFilter({ actor: 'c-1' }, (entry) => entry.actor.id === 'c-1');
      await expectFilter({ actor: 'scheduler' }, (entry) => entry.actor.name === 'scheduler');
      await expectFilter({ action: 'flow.delete' }, (entry) => entry.action === 'flow.delete');
      await expectFilter({ sandbox: 'dev' }, (entry) => entry.sandbox === 'dev');
      await expectFilter({ objectId: 'f-2' }, (entry) => entry.objectId === 'f-2');
      await expectFilter(
        { sandbox: 'prod', action: 'flow.create', from: T0 + 1000 },
        (entry) => entry.sandbox === 'prod' && entry.action === 'flow.create' && entry.time >= T0 + 1000,
      );
      expect(await listIds({ actor: 'nobody' })).toEqual([]);
    });

    it('deletes entries older than a time', async () => {
      const expectedDeleted = entries.filter((entry) => entry.time < T0 + 4000).length;
      expect(await store.audit.deleteOlderThan(T0 + 4000)).toBe(expectedDeleted);
      expect(await listIds({}, 50)).toEqual(newestFirst(entries.filter((entry) => entry.time >= T0 + 4000)));
    });

    it('rejects a cursor it did not issue and a non-positive limit', async () => {
      await expect(store.audit.list({ limit: 5, cursor: 'not-a-cursor' })).rejects.toBeInstanceOf(StoreCursorError);
      await expect(store.users.list({ limit: 5, cursor: Buffer.from('{"a":1}').toString('base64url') })).rejects.toBeInstanceOf(StoreCursorError);
      await expect(store.audit.list({ limit: 0 })).rejects.toBeInstanceOf(RangeError);
    });
  });

  describe('batches', () => {
    beforeEach(async () => {
      await store.sandboxes.create(sandboxRecord({ id: 'sb-a', name: 'alpha' }));
      await store.sandboxes.create(sandboxRecord({ id: 'sb-b', name: 'beta', isDefault: false }));
    });

    it('creates, reads, replaces with compare-and-set, and deletes, keeping details and fractional thresholds intact', async () => {
      const batches = store.sandbox('sb-a').batches;
      await batches.create(batchRecord({ errorThreshold: 2.5 }));
      expect(await batches.get('bt-1')).toEqual(batchRecord({ errorThreshold: 2.5 }));
      await expect(store.sandbox('sb-b').batches.create(batchRecord())).rejects.toBeInstanceOf(StoreConflictError);
      const patch = { status: 'success', inputFormat: 'csv', errorThreshold: 2.5, etag: 'e2', updatedAt: T0 + 5, completedAt: T0 + 5, details: { metrics: { rows: 7 } } } as const;
      expect(await batches.replace('bt-1', 'e1', patch)).toEqual({ ...batchRecord(), ...patch });
      expect(await batches.replace('bt-1', 'e1', { ...patch, etag: 'e3' })).toBe('stale');
      expect(await batches.replace('nope', 'e1', patch)).toBeUndefined();
      expect(await batches.delete('bt-1')).toBe(true);
      expect(await batches.get('bt-1')).toBeUndefined();
    });

    it('lists by dataset and status, newest first or in completion order, with offset and limit', async () => {
      const batches = store.sandbox('sb-a').batches;
      await batches.create(batchRecord({ id: 'bt-1', createdAt: T0 + 1, status: 'success', completedAt: T0 + 30 }));
      await batches.create(batchRecord({ id: 'bt-2', createdAt: T0 + 2, status: 'success', completedAt: T0 + 20 }));
      await batches.create(batchRecord({ id: 'bt-3', createdAt: T0 + 2, status: 'failed', completedAt: T0 + 10 }));
      await batches.create(batchRecord({ id: 'bt-4', datasetId: 'ds-2', createdAt: T0 + 3, status: 'success', completedAt: T0 + 40 }));
      await store.sandbox('sb-b').batches.create(batchRecord({ id: 'bt-other', status: 'success', completedAt: T0 }));
      const ids = (records: readonly BatchRecord[]) => records.map((record) => record.id);
      expect(ids(await batches.list({ order: 'newest-first' }))).toEqual(['bt-4', 'bt-3', 'bt-2', 'bt-1']);
      expect(ids(await batches.list({ order: 'newest-first', datasetIds: ['ds-1'] }))).toEqual(['bt-3', 'bt-2', 'bt-1']);
      expect(ids(await batches.list({ order: 'newest-first', datasetIds: [] }))).toEqual([]);
      expect(ids(await batches.list({ order: 'completion', status: 'success' }))).toEqual(['bt-2', 'bt-1', 'bt-4']);
      expect(ids(await batches.list({ order: 'newest-first', offset: 1, limit: 2 }))).toEqual(['bt-3', 'bt-2']);
      expect(await store.sandbox('sb-a').batches.get('bt-other')).toBeUndefined();
      expect(await batches.deleteAll()).toBe(4);
      expect(ids(await store.sandbox('sb-b').batches.list({ order: 'completion' }))).toEqual(['bt-other']);
    });

    it('lets exactly one of many replaces over two connections win', async () => {
      const other = await openAnother();
      await store.sandbox('sb-a').batches.create(batchRecord());
      const outcomes = await Promise.all(Array.from({ length: 8 }, (_, i) =>
        (i % 2 === 0 ? store : other).sandbox('sb-a').batches.replace('bt-1', 'e1', {
          status: 'processing', inputFormat: 'csv', errorThreshold: null, etag: `e-${i}`, updatedAt: T0 + i, completedAt: null, details: {},
        })));
      expect(outcomes.filter((outcome) => typeof outcome === 'object')).toHaveLength(1);
      expect(outcomes.filter((outcome) => outcome === 'stale')).toHaveLength(7);
    });
  });

  describe('sandbox-scoped documents', () => {
    beforeEach(async () => {
      await store.sandboxes.create(sandboxRecord({ id: 'sb-a', name: 'alpha' }));
      await store.sandboxes.create(sandboxRecord({ id: 'sb-b', name: 'beta', isDefault: false }));
    });

    it('creates, reads, finds by name, counts, replaces and deletes', async () => {
      const docs = store.sandbox('sb-a').documents;
      expect(store.sandbox('sb-a').sandboxId).toBe('sb-a');
      await docs.create(documentRecord());
      await docs.create(documentRecord({ id: 'doc-2', createdAt: T0 + 1 }));
      await docs.create(documentRecord({ id: 'doc-3', name: 'weekly' }));
      await docs.create(documentRecord({ id: 'conn-1', collection: 'connections' }));
      expect(await docs.get('flows', 'doc-1')).toEqual(documentRecord());
      expect(await docs.get('connections', 'doc-1')).toBeUndefined();
      expect((await docs.findByName('flows', 'daily')).map((doc) => doc.id)).toEqual(['doc-1', 'doc-2']);
      expect(await docs.count('flows')).toBe(3);
      expect(await docs.count('connections')).toBe(1);
      const patch = { name: 'nightly', etag: 'e2', data: [1, 'two'], updatedAt: T0 + 5, updatedBy: 'bob' };
      expect(await docs.replace('flows', 'doc-1', 'e1', patch)).toEqual(documentRecord({ ...patch }));
      expect(await docs.replace('flows', 'doc-1', 'e1', patch)).toBe('stale');
      expect(await docs.replace('flows', 'missing', 'e1', patch)).toBeUndefined();
      expect(await docs.replace('connections', 'doc-1', 'e2', patch)).toBeUndefined();
      expect(await docs.delete('connections', 'doc-1')).toBe(false);
      expect(await docs.delete('flows', 'doc-1')).toBe(true);
      expect(await docs.delete('flows', 'doc-1')).toBe(false);
      expect(await docs.deleteAll()).toBe(3);
      expect(await docs.count('flows')).toBe(0);
    });

    it('refuses an id that exists in any sandbox', async () => {
      await store.sandbox('sb-a').documents.create(documentRecord());
      const elsewhere = store.sandbox('sb-b').documents.create(documentRecord({ collection: 'connections' }));
      await expect(elsewhere).rejects.toMatchObject({ name: 'StoreConflictError', constraint: 'scoped_documents.id' });
    });

    it('pages 23 documents by (createdAt, id) in pages of 5', async () => {
      const docs = store.sandbox('sb-a').documents;
      const ids = shuffledIds('d-', 23);
      const created = ids.map((id, i) => ({ id, time: T0 + (i % 3) }));
      for (const { id, time } of created) await docs.create(documentRecord({ id, createdAt: time }));
      await store.sandbox('sb-b').documents.create(documentRecord({ id: 'd-other' }));
      const expected = [...created].sort(byTimeThenId).map((each) => each.id);
      expect((await collectPages(5, (request) => docs.list('flows', request))).map((doc) => doc.id)).toEqual(expected);
    });

    it('keeps each sandbox blind to the documents of the other', async () => {
      const scopes = { 'sb-a': store.sandbox('sb-a').documents, 'sb-b': store.sandbox('sb-b').documents };
      for (const sandboxId of ['sb-a', 'sb-b'] as const) {
        for (const name of ['daily', 'weekly']) {
          await scopes[sandboxId].create(documentRecord({ id: `${sandboxId}-${name}`, name, data: { owner: sandboxId } }));
        }
      }
      const patch = { name: 'hijacked', etag: 'evil', data: null, updatedAt: T0 + 1, updatedBy: 'mallory' };
      for (const [own, other] of [['sb-a', 'sb-b'], ['sb-b', 'sb-a']] as const) {
        const docs = scopes[own];
        const theirs = `${other}-daily`;
        expect(await docs.get('flows', theirs)).toBeUndefined();
        expect((await docs.list('flows', { limit: 10 })).items.map((doc) => doc.id)).toEqual([`${own}-daily`, `${own}-weekly`].sort());
        expect((await docs.findByName('flows', 'daily')).map((doc) => doc.id)).toEqual([`${own}-daily`]);
        expect(await docs.count('flows')).toBe(2);
        expect(await docs.replace('flows', theirs, 'e1', patch)).toBeUndefined();
        expect(await docs.delete('flows', theirs)).toBe(false);
        expect(await scopes[other].get('flows', theirs)).toEqual(documentRecord({ id: theirs, data: { owner: other } }));
      }
      expect(await scopes['sb-a'].deleteAll()).toBe(2);
      expect(await scopes['sb-a'].count('flows')).toBe(0);
      expect(await scopes['sb-b'].count('flows')).toBe(2);
    });

    it('creates within a limit per sandbox and collection, and never beyond it under concurrent creates', async () => {
      const docs = store.sandbox('sb-a').documents;
      await docs.create(documentRecord({ collection: 'connections' }));
      await store.sandbox('sb-b').documents.create(documentRecord({ id: 'doc-b' }));
      expect(await docs.createIfFewerThan(documentRecord({ id: 'f-1' }), 2)).toBe(true);
      const outcomes = await Promise.all(['f-2', 'f-3', 'f-4', 'f-5'].map((id) => docs.createIfFewerThan(documentRecord({ id }), 2)));
      expect(outcomes.filter(Boolean)).toHaveLength(1);
      expect(await docs.count('flows')).toBe(2);
      expect(await docs.createIfFewerThan(documentRecord({ id: 'f-6' }), 3)).toBe(true);
      expect(await docs.get('flows', 'f-6')).toEqual(documentRecord({ id: 'f-6' }));
      await expect(docs.createIfFewerThan(documentRecord({ id: 'doc-b' }), 10)).rejects.toBeInstanceOf(StoreConflictError);
    });

    it('lets exactly one of two concurrent replaces with the same expected etag win', async () => {
      const docs = store.sandbox('sb-a').documents;
      await docs.create(documentRecord());
      const attempt = (who: string): ReturnType<typeof docs.replace> =>
        docs.replace('flows', 'doc-1', 'e1', { name: who, etag: `e-${who}`, data: { who }, updatedAt: T0 + 1, updatedBy: who });
      const outcomes = await Promise.all([attempt('first'), attempt('second')]);
      const winners = outcomes.filter((outcome) => typeof outcome === 'object');
      expect(winners).toHaveLength(1);
      expect(outcomes.filter((outcome) => outcome === 'stale')).toHaveLength(1);
      expect((await docs.get('flows', 'doc-1'))?.etag).toBe(winners[0]?.etag);
    });

    it('lets exactly one of many replaces over two connections win', async () => {
      const other = await openAnother();
      await store.sandbox('sb-a').documents.create(documentRecord());
      const attempts = Array.from({ length: 8 }, (_, i) =>
        (i % 2 === 0 ? store : other)
          .sandbox('sb-a')
          .documents.replace('flows', 'doc-1', 'e1', { name: `n${i}`, etag: `e-${i}`, data: i, updatedAt: T0 + i, updatedBy: 'x' }),
      );
      const outcomes = await Promise.all(attempts);
      expect(outcomes.filter((outcome) => typeof outcome === 'object')).toHaveLength(1);
      expect(outcomes.filter((outcome) => outcome === 'stale')).toHaveLength(7);
    });
  });

  segmentDefinitionContract(() => store);
}

describe('SQLite store', () => {
  let directory: string;
  let databaseNumber = 0;
  beforeAll(() => {
    directory = mkdtempSync(path.join(tmpdir(), 'activator-sqlite-'));
  });
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  storeContract({
    dialect: 'sqlite',
    newDatabase: () => {
      databaseNumber += 1;
      const file = path.join(directory, `store-${databaseNumber}.db`);
      return Promise.resolve(() => openSqliteStore({ file }));
    },
  });

  it('keeps its file in WAL mode, creating missing directories', async () => {
    const file = path.join(directory, 'nested', 'deeper', 'wal.db');
    const store = await openSqliteStore({ file });
    await store.migrate();
    await store.close();
    const inspector = new Sqlite(file, { readonly: true });
    try {
      expect(inspector.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      inspector.close();
    }
  });

  it('works in memory', async () => {
    const store = await openSqliteStore({ file: ':memory:' });
    try {
      expect(await store.migrate()).toEqual(['0001-foundation', '0002-batches-and-jobs', '0003-attempt-counters', '0004-segment-definitions', '0005-segment-jobs', '0006-segment-schedules', '0007-export-jobs']);
      await store.users.create(userRecord());
      expect(await store.users.count()).toBe(1);
    } finally {
      await store.close();
    }
  });

  it('openStore without a database URL opens <dataDir>/activator.db', async () => {
    const dataDir = path.join(directory, 'data-dir');
    const store = await openStore({ databaseUrl: undefined, dataDir });
    await store.migrate();
    await store.close();
    const reopened = await openSqliteStore({ file: path.join(dataDir, 'activator.db') });
    try {
      expect(reopened.dialect).toBe('sqlite');
      expect(await reopened.migrate()).toEqual([]);
    } finally {
      await reopened.close();
    }
  });
});

const postgres = postgresAvailability();
if (postgres.ok) {
  describe(`PostgreSQL store (${postgres.source})`, () => {
    let server: TestPostgres;
    beforeAll(async () => {
      server = await startPostgres();
    });
    // Dropping one database per test takes a while on a loaded shared server.
    afterAll(async () => {
      await server.stop();
    }, 180_000);

    storeContract({
      dialect: 'postgres',
      newDatabase: async () => {
        const url = await server.createDatabase();
        return () => openPostgresStore({ connectionString: url });
      },
    });

    it('openStore with a database URL opens PostgreSQL', async () => {
      const store = await openStore({ databaseUrl: server.url, dataDir: '/nonexistent' });
      try {
        expect(store.dialect).toBe('postgres');
        await store.ping();
      } finally {
        await store.close();
      }
    });
  });
} else {
  console.warn(`PostgreSQL store contract skipped: ${postgres.reason}`);
  describe.skip(`PostgreSQL store — skipped: ${postgres.reason}`, () => {
    it('runs the store contract against PostgreSQL', () => undefined);
  });
}
