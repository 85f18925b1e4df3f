// Batch segmentation schedule API (SPEC §5.8) over HTTP on both stores: default schedule, list/get/POST/PATCH/DELETE, errors, access.
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeOnEachStore } from '../support/on-each-store.js';
import { createTestApp, type TestApp, type TestCaller } from '../support/with-app.js';

const SCHEDULES = '/data/core/ups/config/schedules';
const SANDBOXES = '/data/foundation/sandbox-management/sandboxes';
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const PERMISSION_MESSAGE =
  'You do not have sufficient permissions to perform the operation. Please contact your administrator to resolve permissions and try again.';
const ONCE_A_DAY = 'Jobs can only be scheduled once per 24 hours';
const ONLY_ONE = 'Only one batch_segmentation schedule is allowed per sandbox';

interface Schedule {
  id: string; name: string; type: string; properties: { segments: string[] }; schedule: string; state: string; createEpoch: number; updateEpoch: number;
}
interface ScheduleList { _page: { totalCount: number; pageSize: number }; children: Schedule[]; _links: { next: { href: string } } }

/** The `ups` envelope of SPEC §1.4 for one message. */
function expectUpsError(response: LightMyRequestResponse, status: number, message?: string | RegExp): string {
  expect(response.statusCode, response.body).toBe(status);
  const body = response.json<{ requestId: string; errors: Record<string, { code: number; message: string }[]>; type: string; title: string; status: number }>();
  expect(body.type).toBe(`https://ns.adobe.com/aep/errors/UPAPI-${1000 + status}-${status}`);
  expect(body.status).toBe(status);
  expect(body.errors[String(status)]?.[0]).toEqual({ code: status, message: body.title });
  if (typeof message === 'string') expect(body.title).toBe(message);
  else if (message !== undefined) expect(body.title).toMatch(message);
  return body.title;
}

describeOnEachStore('schedules API', (storeEnv) => {
  let t: TestApp;
  let admin: TestCaller;
  const call = (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, body?: unknown, options: { sandbox?: string; caller?: TestCaller; raw?: string } = {}) =>
    t.inject({
      method, url,
      headers: (options.caller ?? admin).headers({
        ...(body === undefined && options.raw === undefined ? {} : { 'content-type': 'application/json' }),
        ...(options.sandbox === undefined ? {} : { 'x-sandbox-name': options.sandbox }),
      }),
      ...(options.raw !== undefined ? { payload: options.raw } : body === undefined ? {} : { payload: JSON.stringify(body) }),
    });
  const list = async (sandbox?: string, query = ''): Promise<ScheduleList> => {
    const response = await call('GET', `${SCHEDULES}${query}`, undefined, sandbox === undefined ? {} : { sandbox });
    expect(response.statusCode, response.body).toBe(200);
    return response.json<ScheduleList>();
  };
  const newSandbox = async (name: string): Promise<void> => {
    const response = await call('POST', SANDBOXES, { name, title: name, type: 'development' });
    expect(response.statusCode, response.body).toBe(201);
  };
  const onlySchedule = async (sandbox?: string): Promise<Schedule> => {
    const { children } = await list(sandbox);
    expect(children).toHaveLength(1);
    return children[0] as Schedule;
  };
  const body = (over: Record<string, unknown> = {}) => ({ name: 'nightly', type: 'batch_segmentation', properties: { segments: ['*'] }, schedule: '0 0 2 * * ?', ...over });

  beforeAll(async () => {
    t = await createTestApp(await storeEnv());
    admin = await t.caller({ admin: true });
  });
  afterAll(async () => t.close());

  it('gives prod and every new sandbox one active default schedule (SPEC §5.8 object, epochs in seconds)', async () => {
    const prod = await list();
    expect(prod._page).toEqual({ totalCount: 1, pageSize: 1 });
    expect(prod._links).toEqual({ next: { href: '' } });
    const schedule = prod.children[0] as Schedule;
    expect(schedule.id).toMatch(UUID_V4);
    expect(schedule).toEqual({
      id: schedule.id, name: 'profile-default', type: 'batch_segmentation', properties: { segments: ['*'] }, schedule: '0 0 1 * * ?', state: 'active',
      createEpoch: Math.floor(t.clock.now() / 1000), updateEpoch: Math.floor(t.clock.now() / 1000),
    });
    const one = await call('GET', `${SCHEDULES}/${schedule.id}`);
    expect(one.statusCode).toBe(200);
    expect(one.json()).toEqual(schedule);

    await newSandbox('sch-fresh');
    const fresh = await onlySchedule('sch-fresh');
    expect(fresh.id).not.toBe(schedule.id);
    expect(fresh).toMatchObject({ name: 'profile-default', state: 'active', schedule: '0 0 1 * * ?', properties: { segments: ['*'] } });
  });

  it('refuses POST while the sandbox has a schedule, and accepts it (inactive by default) after DELETE', async () => {
    await newSandbox('sch-post');
    const existing = await onlySchedule('sch-post');
    expectUpsError(await call('POST', SCHEDULES, body(), { sandbox: 'sch-post' }), 400, ONLY_ONE);
    const deleted = await call('DELETE', `${SCHEDULES}/${existing.id}`, undefined, { sandbox: 'sch-post' });
    expect(deleted.statusCode, deleted.body).toBe(204);
    expect(deleted.body).toBe('');
    expect((await list('sch-post'))).toEqual({ _page: { totalCount: 0, pageSize: 0 }, children: [], _links: { next: { href: '' } } });
    expectUpsError(await call('GET', `${SCHEDULES}/${existing.id}`, undefined, { sandbox: 'sch-post' }), 404, `Schedule ${existing.id} not found`);

    t.clock.advance(5_000);
    const created = await call('POST', SCHEDULES, body({ properties: { segments: ['a1', 'a2'] } }), { sandbox: 'sch-post' });
    expect(created.statusCode, created.body).toBe(200);
    const schedule = created.json<Schedule>();
    expect(schedule).toEqual({
      id: schedule.id, name: 'nightly', type: 'batch_segmentation', properties: { segments: ['a1', 'a2'] }, schedule: '0 0 2 * * ?', state: 'inactive',
      createEpoch: Math.floor(t.clock.now() / 1000), updateEpoch: Math.floor(t.clock.now() / 1000),
    });
    expect(await onlySchedule('sch-post')).toEqual(schedule);
    expectUpsError(await call('POST', SCHEDULES, body(), { sandbox: 'sch-post' }), 400, ONLY_ONE);
    const active = await call('POST', SCHEDULES, body({ state: 'active' }), { sandbox: 'sch-post' });
    expectUpsError(active, 400, ONLY_ONE);
  });

  it('refuses type export, other types, bad fields and sub-daily or invalid crons with messages saying what is wrong', async () => {
    await newSandbox('sch-invalid');
    const existing = await onlySchedule('sch-invalid');
    await call('DELETE', `${SCHEDULES}/${existing.id}`, undefined, { sandbox: 'sch-invalid' });
    const post = (over: Record<string, unknown>) => call('POST', SCHEDULES, body(over), { sandbox: 'sch-invalid' });
    expectUpsError(await post({ type: 'export' }), 400, 'Schedule type export is not supported');
    expectUpsError(await post({ type: 'streaming' }), 400, 'type must be batch_segmentation, got "streaming"');
    expectUpsError(await post({ name: '  ' }), 400, 'name must be a non-blank string of at most 200 characters, got "  "');
    expectUpsError(await post({ state: 'paused' }), 400, 'state must be active or inactive, got "paused"');
    expectUpsError(await post({ properties: { segments: [] } }), 400, /^properties\.segments must be a list of 1 to 1500 audience ids, or \["\*"\] for every published audience; got 0 entries$/);
    expectUpsError(await post({ properties: { segments: ['*', 'a1'] } }), 400, 'properties.segments: "*" (every published audience) cannot be combined with audience ids');
    expectUpsError(await post({ properties: { segments: [''] } }), 400, 'properties.segments: every entry must be an audience id of 1 to 100 characters, got ""');
    expectUpsError(await post({ schedule: undefined }), 400, 'schedule must be a Quartz cron expression such as "0 0 1 * * ?", got nothing');
    for (const cron of ['0 */30 * * * ?', '0 0 1,13 * * ?', '0 0 * * * ?', '*/10 0 1 * * ?']) expectUpsError(await post({ schedule: cron }), 400, ONCE_A_DAY);
    expectUpsError(await post({ schedule: '0 0 25 * * ?' }), 400, "Invalid cron expression '0 0 25 * * ?': hours must be from 0 to 23, got 25");
    expectUpsError(await post({ schedule: '0 0 1 * *' }), 400, /^Invalid cron expression '0 0 1 \* \*': expected 6 or 7 space-separated fields/);
    expectUpsError(await post({ schedule: '0 0 1 31 2 ?' }), 400, /^Invalid cron expression '0 0 1 31 2 \?': it never fires after /);
    expect(await list('sch-invalid')).toMatchObject({ _page: { totalCount: 0 } });
  });

  it('patches /state, /schedule, /name and /properties/segments with add or replace → 204, and nothing else', async () => {
    const before = await onlySchedule();
    t.clock.advance(60_000);
    const patched = await call('PATCH', `${SCHEDULES}/${before.id}`, [
      { op: 'add', path: '/schedule', value: '0 0 2 * * ?' }, { op: 'add', path: '/state', value: 'inactive' },
      { op: 'replace', path: '/name', value: 'renamed' }, { op: 'replace', path: '/properties/segments', value: ['s-1'] },
    ]);
    expect(patched.statusCode, patched.body).toBe(204);
    expect(patched.body).toBe('');
    expect(await onlySchedule()).toEqual({
      ...before, schedule: '0 0 2 * * ?', state: 'inactive', name: 'renamed', properties: { segments: ['s-1'] }, updateEpoch: Math.floor(t.clock.now() / 1000),
    });
    // The SPEC example.
    const example = await t.inject({
      method: 'PATCH', url: `${SCHEDULES}/${before.id}`, headers: admin.headers({ 'content-type': 'application/json-patch+json' }),
      payload: JSON.stringify([{ op: 'add', path: '/schedule', value: '0 0 1 * * ?' }, { op: 'add', path: '/state', value: 'active' }]),
    });
    expect(example.statusCode, example.body).toBe(204);
    expect(await onlySchedule()).toMatchObject({ schedule: '0 0 1 * * ?', state: 'active' });

    const patch = (ops: unknown) => call('PATCH', `${SCHEDULES}/${before.id}`, ops);
    expectUpsError(await patch([{ op: 'replace', path: '/schedule', value: '0 0 */6 * * ?' }]), 400, ONCE_A_DAY);
    expectUpsError(await patch([{ op: 'replace', path: '/type', value: 'export' }]), 400, 'Invalid patch path: /type (patchable: /state, /schedule, /name, /properties/segments)');
    expectUpsError(await patch([{ op: 'replace', path: '/id', value: 'x' }]), 400, /^Invalid patch path: \/id/);
    expectUpsError(await patch([{ op: 'remove', path: '/name' }]), 400, 'Invalid patch operation 0: only add and replace are supported, got remove');
    expectUpsError(await patch([{ op: 'add', path: '/state', value: 'on' }]), 400, 'state must be active or inactive, got "on"');
    expectUpsError(await patch({ op: 'add', path: '/state', value: 'active' }), 400, /^Invalid patch operation: the request body must be a JSON array/);
    expectUpsError(await patch([]), 400, 'The patch is empty: send a JSON array of add/replace operations');
    expectUpsError(await patch(Array.from({ length: 21 }, () => ({ op: 'add', path: '/name', value: 'x' }))), 400, 'A patch may hold at most 20 operations');
    // A refused patch changes nothing, not even the operations before the bad one.
    expectUpsError(await patch([{ op: 'add', path: '/name', value: 'half' }, { op: 'add', path: '/schedule', value: '0 0 1 * *' }]), 400);
    expect(await onlySchedule()).toMatchObject({ name: 'renamed', schedule: '0 0 1 * * ?', state: 'active' });
  });

  it('answers 404 UPAPI-1404-404 for an unknown id on GET, PATCH and DELETE, and for a schedule of another sandbox', async () => {
    const unknown = '00000000-0000-4000-8000-000000000000';
    const message = `Schedule ${unknown} not found`;
    expectUpsError(await call('GET', `${SCHEDULES}/${unknown}`), 404, message);
    expectUpsError(await call('PATCH', `${SCHEDULES}/${unknown}`, [{ op: 'add', path: '/state', value: 'active' }]), 404, message);
    expectUpsError(await call('DELETE', `${SCHEDULES}/${unknown}`), 404, message);
    await newSandbox('sch-other');
    const other = await onlySchedule('sch-other');
    expectUpsError(await call('GET', `${SCHEDULES}/${other.id}`), 404, `Schedule ${other.id} not found`);
    expectUpsError(await call('DELETE', `${SCHEDULES}/${other.id}`), 404);
    expectUpsError(await call('PATCH', `${SCHEDULES}/${other.id}`, [{ op: 'add', path: '/state', value: 'inactive' }]), 404);
    expect(await onlySchedule('sch-other')).toEqual(other);
  });

  it('pages with start (page number) and limit, and validates them', async () => {
    const page = await list(undefined, '?start=1&limit=1');
    expect(page).toEqual({ _page: { totalCount: 1, pageSize: 0 }, children: [], _links: { next: { href: '' } } });
    expectUpsError(await call('GET', `${SCHEDULES}?limit=0`), 400);
    expectUpsError(await call('GET', `${SCHEDULES}?limit=101`), 400);
    expectUpsError(await call('GET', `${SCHEDULES}?start=-1`), 400);
  });

  it('lets View Segments read and requires Manage Segments to change (403 naming the permission)', async () => {
    const reader = await t.caller({ roles: ['Read only'], name: 'sch-reader' });
    const schedule = await onlySchedule();
    expect((await call('GET', SCHEDULES, undefined, { caller: reader })).statusCode).toBe(200);
    expect((await call('GET', `${SCHEDULES}/${schedule.id}`, undefined, { caller: reader })).statusCode).toBe(200);
    for (const [method, url, payload] of [
      ['POST', SCHEDULES, body()], ['PATCH', `${SCHEDULES}/${schedule.id}`, [{ op: 'add', path: '/state', value: 'inactive' }]], ['DELETE', `${SCHEDULES}/${schedule.id}`, undefined],
    ] as const) {
      const refused = await call(method, url, payload, { caller: reader });
      expectUpsError(refused, 403, PERMISSION_MESSAGE);
      expect(refused.headers['x-activator-missing-permissions']).toBe('Manage Segments');
    }
    expect(await onlySchedule()).toEqual(schedule);
  });

  it('restores the default schedule on sandbox reset and forgets it on sandbox delete', async () => {
    await newSandbox('sch-reset');
    const original = await onlySchedule('sch-reset');
    await call('PATCH', `${SCHEDULES}/${original.id}`, [{ op: 'add', path: '/schedule', value: '0 0 5 * * ?' }], { sandbox: 'sch-reset' });
    const reset = await call('PUT', `${SANDBOXES}/sch-reset`, { action: 'reset' });
    expect(reset.statusCode, reset.body).toBe(200);
    const restored = await onlySchedule('sch-reset');
    expect(restored.id).not.toBe(original.id);
    expect(restored).toMatchObject({ name: 'profile-default', schedule: '0 0 1 * * ?', state: 'active', properties: { segments: ['*'] } });
    const removed = await call('DELETE', `${SANDBOXES}/sch-reset`);
    expect(removed.statusCode, removed.body).toBe(200);
    expect(await t.runtime.store.sandbox(removed.json<{ id: string }>().id).schedules.find()).toBeUndefined();
  });
});

describeOnEachStore('schedules API with ACTIVATOR_DEFAULT_SEGMENTATION_CRON', (storeEnv) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ ...(await storeEnv()), ACTIVATOR_DEFAULT_SEGMENTATION_CRON: '0 30 3 ? * MON' });
  });
  afterAll(async () => t.close());

  it('gives new sandboxes the configured cron', async () => {
    const admin = await t.caller({ admin: true });
    const response = await t.inject({ method: 'GET', url: SCHEDULES, headers: admin.headers() });
    expect(response.json<ScheduleList>().children.map((s) => s.schedule)).toEqual(['0 30 3 ? * MON']);
  });
});
