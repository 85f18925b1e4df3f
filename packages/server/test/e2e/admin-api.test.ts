import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestCaller } from '../support/with-app.js';

const json = { 'content-type': 'application/json' };

describe('admin API: users, roles, credentials, audit', () => {
  let t: TestApp;
  let admin: TestCaller;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await t.caller({ admin: true, name: 'root-admin' });
  });
  afterAll(async () => t.close());

  const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) =>
    t.inject({ method, url, headers: admin.headers(payload === undefined ? {} : json), ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }) });

  it('lists the three default roles with the permissions SPEC §2.2 gives them', async () => {
    const roles = (await call('GET', '/api/v1/admin/roles')).json().items as { name: string; permissions: string[]; sandboxes: string[]; builtIn: boolean }[];
    const byName = Object.fromEntries(roles.map((role) => [role.name, role]));
    expect(byName['Default production all access']?.permissions).toHaveLength(13);
    expect(byName['Default production all access']?.permissions).not.toContain('View Sandboxes');
    expect(byName['Default production all access']?.sandboxes).toEqual(['prod']);
    expect(byName['Sandbox Administrators']).toMatchObject({ permissions: ['View Sandboxes', 'Manage Sandboxes'], sandboxes: ['*'], builtIn: true });
    expect(byName['Read only']?.permissions).toEqual(['View Destinations', 'View Profiles', 'View Segments', 'View Merge Policies', 'View Sandboxes']);
  });

  it('creates a user without a password, shows the generated one once, and never returns a hash', async () => {
    const created = await call('POST', '/api/v1/admin/users', { email: 'Ana@Example.com', name: 'Ana' });
    expect(created.statusCode).toBe(201);
    const body = created.json();
    expect(body).toMatchObject({ email: 'ana@example.com', name: 'Ana', admin: false, roleIds: [], disabled: false, lastLoginAt: null });
    expect(body.initialPassword).toMatch(/^[A-Za-z0-9]{20}$/);
    const fetched = (await call('GET', `/api/v1/admin/users/${body.id}`)).json();
    expect(fetched.initialPassword).toBeUndefined();
    expect(JSON.stringify(fetched)).not.toMatch(/argon2|passwordHash/);
    expect((await call('POST', '/api/v1/admin/users', { email: 'ana@example.com' })).statusCode).toBe(409);
  });

  it('creates, renames and deletes a role; unknown permissions and roles in use are refused', async () => {
    const bad = await call('POST', '/api/v1/admin/roles', { name: 'x', permissions: ['View Everything'] });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toContain("Unknown permission 'View Everything'");
    const role = (await call('POST', '/api/v1/admin/roles', { name: 'Dest viewers', permissions: ['view-destinations'], sandboxes: ['prod', 'dev'] })).json();
    expect(role).toMatchObject({ name: 'Dest viewers', permissions: ['View Destinations'], sandboxes: ['prod', 'dev'], builtIn: false });
    expect((await call('POST', '/api/v1/admin/roles', { name: 'Dest viewers' })).statusCode).toBe(409);
    expect((await call('PATCH', `/api/v1/admin/roles/${role.id}`, { name: 'Destination viewers' })).json().name).toBe('Destination viewers');
    const holder = (await call('POST', '/api/v1/admin/credentials', { name: 'holder', roleIds: [role.id] })).json();
    const inUse = await call('DELETE', `/api/v1/admin/roles/${role.id}`);
    expect(inUse.statusCode).toBe(409);
    expect(inUse.json().error.code).toBe('CONFLICT');
    expect((await call('DELETE', `/api/v1/admin/credentials/${holder.id}`)).statusCode).toBe(204);
    expect((await call('DELETE', `/api/v1/admin/roles/${role.id}`)).statusCode).toBe(204);
    expect((await call('GET', `/api/v1/admin/roles/${role.id}`)).statusCode).toBe(404);
  });

  it('does not delete a built-in role', async () => {
    const roles = (await call('GET', '/api/v1/admin/roles')).json().items as { id: string; name: string }[];
    const readOnly = roles.find((role) => role.name === 'Read only');
    expect((await call('DELETE', `/api/v1/admin/roles/${readOnly?.id}`)).statusCode).toBe(400);
  });

  it('creates a credential whose secret is shown once, in the SPEC §2.5 shape', async () => {
    const created = await call('POST', '/api/v1/admin/credentials', { name: 'ci-pipeline', roleIds: [] });
    expect(created.statusCode).toBe(201);
    const body = created.json();
    expect(Object.keys(body).sort()).toEqual(['admin', 'clientId', 'clientSecret', 'createdAt', 'disabled', 'id', 'lastUsedAt', 'name', 'roleIds'].sort());
    expect(body.clientId).toMatch(/^[0-9a-f]{32}$/);
    expect(body.clientSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(body.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const listed = (await call('GET', '/api/v1/admin/credentials')).json().items.find((c: { id: string }) => c.id === body.id);
    expect(listed.clientSecret).toBeUndefined();
    expect((await call('POST', '/api/v1/admin/credentials', { name: 'x', roleIds: ['no-such-role'] })).statusCode).toBe(400);
  });

  it('pages users with limit and cursor without gaps or duplicates', async () => {
    for (let i = 0; i < 7; i += 1) await call('POST', '/api/v1/admin/users', { email: `pager${i}@example.com`, password: 'pager-password-123' });
    const all = (await call('GET', '/api/v1/admin/users?limit=200')).json().items.map((u: { id: string }) => u.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: { id: string }[]; next: string | null } = (await call('GET', `/api/v1/admin/users?limit=3${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`)).json();
      expect(page.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.items.map((u: { id: string }) => u.id));
      cursor = page.next;
    } while (cursor !== null);
    expect(seen).toEqual(all);
    const forged = await call('GET', '/api/v1/admin/users?limit=3&cursor=not-a-real-cursor');
    expect(forged.statusCode).toBe(400);
    expect(forged.json().error).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining('Invalid cursor') });
    expect(new Set(seen).size).toBe(all.length);
  });

  it('records every change in the audit log, newest first, filterable, with secrets masked', async () => {
    const before = Date.now();
    const created = (await call('POST', '/api/v1/admin/users', { email: 'audited@example.com', password: 'a-secret-password-1' }, )).json();
    const entries = (await call('GET', `/api/v1/admin/audit?objectId=${created.id}`)).json().items;
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      actor: { type: 'credential', name: 'root-admin' }, action: 'user.create', objectType: 'user', objectId: created.id,
      outcome: 'success', httpStatus: 201, sandbox: null,
    });
    expect(entries[0].details.password).toBe('********');
    expect(entries[0].requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.stringify((await call('GET', '/api/v1/admin/audit?limit=200')).json())).not.toContain('a-secret-password-1');
    const creates = (await call('GET', '/api/v1/admin/audit?action=user.create&limit=200')).json().items;
    expect(creates.length).toBeGreaterThan(5);
    expect(creates.every((e: { action: string }) => e.action === 'user.create')).toBe(true);
    const times = creates.map((e: { time: string }) => Date.parse(e.time));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(before).toBeGreaterThan(0);
  });
});

describe('the last enabled admin user', () => {
  it('cannot be deleted, demoted or disabled while no other admin user is enabled', async () => {
    const t = await createTestApp();
    try {
      const admin = await t.caller({ admin: true });
      const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) =>
        t.inject({ method, url, headers: admin.headers(payload === undefined ? {} : json), ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }) });
      const boot = await t.runtime.services.users.ensureBootstrapAdmin('boss@example.com', 'a-long-enough-password');
      expect(boot).toEqual({ id: expect.any(String), email: 'boss@example.com' });
      expect(await t.runtime.services.users.ensureBootstrapAdmin(undefined, undefined)).toBeUndefined();
      const boss = (await call('GET', '/api/v1/admin/users')).json().items[0];
      expect(boss).toMatchObject({ email: 'boss@example.com', admin: true });
      const demote = await call('PATCH', `/api/v1/admin/users/${boss.id}`, { admin: false });
      expect(demote.statusCode).toBe(400);
      expect(demote.json().error.message).toMatch(/last enabled admin/);
      expect((await call('PATCH', `/api/v1/admin/users/${boss.id}`, { disabled: true })).statusCode).toBe(400);
      expect((await call('DELETE', `/api/v1/admin/users/${boss.id}`)).statusCode).toBe(400);
      const second = (await call('POST', '/api/v1/admin/users', { email: 'second@example.com', password: 'another-long-password', admin: true })).json();
      expect((await call('PATCH', `/api/v1/admin/users/${boss.id}`, { admin: false })).json().admin).toBe(false);
      expect((await call('DELETE', `/api/v1/admin/users/${second.id}`)).statusCode).toBe(400);
    } finally {
      await t.close();
    }
  });

  it('is created with a generated 20-character password when none is configured', async () => {
    const t = await createTestApp();
    try {
      const boot = await t.runtime.services.users.ensureBootstrapAdmin(undefined, undefined);
      expect(boot?.email).toBe('admin@localhost');
      expect(boot?.generatedPassword).toMatch(/^[A-Za-z0-9]{20}$/);
    } finally {
      await t.close();
    }
  });
});
