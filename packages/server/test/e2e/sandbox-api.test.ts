import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScopedDocumentRecord } from '../../src/storage/store.js';
import { createTestApp, type TestApp, type TestCaller } from '../support/with-app.js';

const BASE = '/data/foundation/sandbox-management/sandboxes';
const json = { 'content-type': 'application/json' };

function doc(id: string, name: string): ScopedDocumentRecord {
  return { id, collection: 'flows', name, etag: '"1"', data: { name }, createdAt: 1, updatedAt: 1, createdBy: 'test', updatedBy: 'test' };
}

describe('sandbox API', () => {
  let t: TestApp;
  let admin: TestCaller;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await t.caller({ admin: true });
  });
  afterAll(async () => t.close());

  const post = (payload: unknown, caller = admin) => t.inject({ method: 'POST', url: BASE, headers: caller.headers(json), payload: JSON.stringify(payload) });

  it('lists prod in the Sandbox API list shape', async () => {
    const body = (await t.inject({ method: 'GET', url: BASE, headers: admin.headers() })).json();
    expect(body._page).toEqual({ limit: 50, count: 1 });
    expect(body._links).toEqual({ page: { href: `${BASE}?limit={limit}&offset={offset}`, templated: true } });
    expect(body.sandboxes[0]).toMatchObject({ name: 'prod', title: 'Production', state: 'active', type: 'production', isDefault: true, eTag: 1, createdBy: 'system' });
    expect(Object.keys(body.sandboxes[0]).sort()).toEqual(
      ['createdBy', 'createdDate', 'eTag', 'id', 'isDefault', 'lastModifiedBy', 'lastModifiedDate', 'name', 'state', 'title', 'type'].sort(),
    );
  });

  it('creates a development sandbox attributed to the calling credential', async () => {
    const created = await post({ name: 'dev-eu', title: 'Development EU', type: 'development' });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ name: 'dev-eu', title: 'Development EU', state: 'active', type: 'development', isDefault: false, createdBy: admin.clientId });
    const fetched = await t.inject({ method: 'GET', url: `${BASE}/dev-eu`, headers: admin.headers() });
    expect(fetched.json().id).toBe(created.json().id);
  });

  it('rejects a bad name and a duplicate in the problem envelope', async () => {
    const bad = await post({ name: 'Dev_EU' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ type: 'https://ns.adobe.com/aep/errors/SBX-1400-400', status: 400 });
    expect(bad.json().detail).toContain("Invalid sandbox name 'Dev_EU'");
    await post({ name: 'twice' });
    const duplicate = await post({ name: 'twice' });
    expect(duplicate.statusCode).toBe(409);
    expect(duplicate.json()).toMatchObject({ type: 'https://ns.adobe.com/aep/errors/SBX-1409-409', detail: 'Sandbox twice already exists' });
  });

  it('answers 404 for an unknown sandbox and 400 for deleting prod', async () => {
    const missing = await t.inject({ method: 'GET', url: `${BASE}/nope`, headers: admin.headers() });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ type: 'https://ns.adobe.com/aep/errors/SBX-1404-404', detail: 'Sandbox nope not found' });
    const prod = await t.inject({ method: 'DELETE', url: `${BASE}/prod`, headers: admin.headers() });
    expect(prod.statusCode).toBe(400);
    expect(prod.json()).toMatchObject({ type: 'https://ns.adobe.com/aep/errors/SBX-1400-400', detail: 'The default sandbox cannot be deleted' });
  });

  it('deletes a sandbox with its objects only, and frees its name', async () => {
    const temp = (await post({ name: 'temp' })).json();
    const prod = (await t.inject({ method: 'GET', url: `${BASE}/prod`, headers: admin.headers() })).json();
    await t.runtime.store.sandbox(temp.id).documents.create(doc('doc-in-temp', 'same-name'));
    await t.runtime.store.sandbox(prod.id).documents.create(doc('doc-in-prod', 'same-name'));
    const deleted = await t.inject({ method: 'DELETE', url: `${BASE}/temp`, headers: admin.headers() });
    expect(deleted.json()).toMatchObject({ name: 'temp', state: 'deleted' });
    expect((await t.inject({ method: 'GET', url: `${BASE}/temp`, headers: admin.headers() })).statusCode).toBe(404);
    expect(await t.runtime.store.sandbox(temp.id).documents.count('flows')).toBe(0);
    expect((await t.runtime.store.sandbox(prod.id).documents.get('flows', 'doc-in-prod'))?.name).toBe('same-name');
    const again = await post({ name: 'temp' });
    expect(again.statusCode).toBe(201);
    expect(again.json().id).not.toBe(temp.id);
  });

  it('resets a sandbox: answers resetting, ends active, and clears only that sandbox', async () => {
    const lab = (await post({ name: 'lab' })).json();
    await t.runtime.store.sandbox(lab.id).documents.create(doc('doc-in-lab', 'x'));
    const reset = await t.inject({ method: 'PUT', url: `${BASE}/lab`, headers: admin.headers(json), payload: JSON.stringify({ action: 'reset' }) });
    expect(reset.statusCode).toBe(200);
    expect(reset.json()).toMatchObject({ name: 'lab', state: 'resetting' });
    expect((await t.inject({ method: 'GET', url: `${BASE}/lab`, headers: admin.headers() })).json().state).toBe('active');
    expect(await t.runtime.store.sandbox(lab.id).documents.count('flows')).toBe(0);
    expect((await t.inject({ method: 'PUT', url: `${BASE}/lab`, headers: admin.headers(json), payload: '{"action":"explode"}' })).statusCode).toBe(400);
  });

  it('shows a non-admin only the sandboxes its roles cover, and hides the others as not found', async () => {
    const adminCall = (method: 'POST', url: string, payload: unknown) => t.inject({ method, url, headers: admin.headers(json), payload: JSON.stringify(payload) });
    await post({ name: 'team-a' });
    await post({ name: 'team-b' });
    await adminCall('POST', '/api/v1/admin/roles', { name: 'Team A viewers', permissions: ['View Sandboxes'], sandboxes: ['team-a'] });
    const viewer = await t.caller({ roles: ['Team A viewers'], name: 'team-a-viewer' });
    const listed = (await t.inject({ method: 'GET', url: BASE, headers: viewer.headers() })).json().sandboxes.map((s: { name: string }) => s.name);
    expect(listed).toEqual(['team-a']);
    expect((await t.inject({ method: 'GET', url: `${BASE}/team-b`, headers: viewer.headers() })).statusCode).toBe(404);
    const forbidden = await t.inject({ method: 'DELETE', url: `${BASE}/team-b`, headers: viewer.headers() });
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.headers['x-activator-missing-permissions']).toBe('Manage Sandboxes');
  });

  it('audits sandbox creation, reset and deletion with the sandbox id', async () => {
    const actions = (await t.inject({ method: 'GET', url: '/api/v1/admin/audit?limit=200', headers: admin.headers() })).json().items
      .filter((e: { objectType: string }) => e.objectType === 'sandbox')
      .map((e: { action: string }) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['sandbox.create', 'sandbox.delete', 'sandbox.reset']));
  });
});
