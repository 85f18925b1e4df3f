// Web UI sessions of SPEC §2.4: login cookie, failure limit, current session, logout, password change, expiry, audit and logs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOXES, createUser, expectNative, login } from '../support/e2e-expectations.js';
import { createTestApp, type TestApp } from '../support/with-app.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

/** `Set-Cookie` of the session split into its value and attribute names/values (lower-cased names). */
function sessionCookie(setCookie: string | string[] | undefined): { value: string; attributes: Map<string, string> } {
  const line = [setCookie ?? []].flat().find((candidate) => candidate.startsWith('activator_session='));
  if (line === undefined) throw new Error('no activator_session cookie was set');
  const [pair = '', ...rest] = line.split(';').map((part) => part.trim());
  const attributes = new Map(rest.map((part) => {
    const [name = '', ...value] = part.split('=');
    return [name.toLowerCase(), value.join('=')] as const;
  }));
  return { value: pair.slice('activator_session='.length), attributes };
}

/** A login from `remoteAddress` (failures also count per client address, SPEC §14). */
function attempt(t: TestApp, email: string, password: string, remoteAddress = '127.0.0.1') {
  return t.inject({ method: 'POST', url: '/api/v1/session', payload: { email, password }, remoteAddress });
}

function currentSession(t: TestApp, cookie: string) {
  return t.inject({ method: 'GET', url: '/api/v1/session', headers: { cookie: `activator_session=${cookie}` } });
}

describe('login cookie (SPEC §2.4 POST /api/v1/session)', () => {
  it('sets an HttpOnly, SameSite=Lax, Path=/ cookie, not Secure over plain HTTP, expiring 12 hours after login', async () => {
    const t = await createTestApp();
    try {
      const user = await createUser(t, { email: 'ada@example.com', password: 'analytical engine', roles: ['Read only'] });
      const res = await attempt(t, 'ada@example.com', 'analytical engine');
      expect(res.statusCode).toBe(200);
      const cookie = sessionCookie(res.headers['set-cookie']);
      expect(cookie.value.length).toBeGreaterThanOrEqual(32);
      expect(cookie.attributes.has('httponly')).toBe(true);
      expect(cookie.attributes.get('samesite')).toBe('Lax');
      expect(cookie.attributes.get('path')).toBe('/');
      expect(cookie.attributes.has('secure')).toBe(false);
      // The fake clock starts at 2026-01-15T09:00:00Z.
      expect(cookie.attributes.get('expires')).toBe('Thu, 15 Jan 2026 21:00:00 GMT');
      expect(res.json()).toEqual({
        user: {
          id: user.id, email: 'ada@example.com', name: 'ada@example.com', admin: false, roleIds: [expect.any(String)], disabled: false,
          createdAt: '2026-01-15T09:00:00.000Z', lastLoginAt: '2026-01-15T09:00:00.000Z',
        },
        csrfToken: expect.stringMatching(/^\S{20,}$/),
      });
      expect(res.json().csrfToken).not.toBe(cookie.value);
    } finally {
      await t.close();
    }
  });

  it('marks the cookie Secure when ACTIVATOR_COOKIE_SECURE=true', async () => {
    const t = await createTestApp({ ACTIVATOR_COOKIE_SECURE: 'true' });
    try {
      await createUser(t, { email: 'ada@example.com', password: 'analytical engine' });
      const cookie = sessionCookie((await attempt(t, 'ada@example.com', 'analytical engine')).headers['set-cookie']);
      expect(cookie.attributes.has('secure')).toBe(true);
      expect(cookie.attributes.has('httponly')).toBe(true);
    } finally {
      await t.close();
    }
  });

  it('marks the cookie Secure when the request arrived over HTTPS behind a trusted proxy', async () => {
    const t = await createTestApp({ ACTIVATOR_TRUST_PROXY: 'true' });
    try {
      await createUser(t, { email: 'ada@example.com', password: 'analytical engine' });
      const viaHttps = await t.inject({
        method: 'POST', url: '/api/v1/session', headers: { 'x-forwarded-proto': 'https' }, payload: { email: 'ada@example.com', password: 'analytical engine' },
      });
      expect(sessionCookie(viaHttps.headers['set-cookie']).attributes.has('secure')).toBe(true);
      const viaHttp = await attempt(t, 'ada@example.com', 'analytical engine');
      expect(sessionCookie(viaHttp.headers['set-cookie']).attributes.has('secure')).toBe(false);
    } finally {
      await t.close();
    }
  });
});

describe('failed logins (SPEC §2.4)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
    await createUser(t, { email: 'grace@example.com', password: 'compiler pioneer' });
    await createUser(t, { email: 'linus@example.com', password: 'kernel hacker 1' });
  });
  afterAll(async () => { await t.close(); });

  it('answers 401 UNAUTHORIZED Invalid email or password to a wrong password and to an unknown e-mail, with no cookie', async () => {
    for (const [email, password] of [['grace@example.com', 'wrong password!'], ['nobody@example.com', 'compiler pioneer']] as const) {
      const res = await attempt(t, email, password);
      expectNative(res, 401, 'UNAUTHORIZED', 'Invalid email or password');
      expect(res.headers['set-cookie']).toBeUndefined();
    }
  });

  it('answers 429 RATE_LIMITED after 5 failures for an e-mail, even to the right password, and allows it again after 15 minutes', async () => {
    const email = 'linus@example.com';
    // Each guess from its own address: this is the per-e-mail limit.
    for (let i = 0; i < 5; i += 1) expectNative(await attempt(t, email, `wrong ${i}`, `10.0.1.${i}`), 401, 'UNAUTHORIZED', 'Invalid email or password');
    const limited = await attempt(t, email, 'kernel hacker 1', '10.0.1.9');
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error.code).toBe('RATE_LIMITED');
    expect(limited.json().error.message).toBe('Too many failed logins for this e-mail; try again in 15 minutes');
    expect(limited.headers['retry-after']).toBe('900');
    expect(limited.headers['set-cookie']).toBeUndefined();
    expect((await attempt(t, 'grace@example.com', 'compiler pioneer', '10.0.1.9')).statusCode).toBe(200);
    t.clock.advance(14 * MINUTE_MS);
    const stillLimited = await attempt(t, email, 'kernel hacker 1', '10.0.1.9');
    expect(stillLimited.statusCode).toBe(429);
    expect(stillLimited.headers['retry-after']).toBe('60');
    t.clock.advance(MINUTE_MS + 1000);
    expect((await attempt(t, email, 'kernel hacker 1', '10.0.1.9')).statusCode).toBe(200);
  });

  it('answers 429 with Retry-After after 5 failures from one client address, whatever the e-mail; other addresses are not affected', async () => {
    const address = '10.0.2.1';
    for (let i = 0; i < 5; i += 1) expectNative(await attempt(t, `unknown-${i}@example.com`, 'guess', address), 401, 'UNAUTHORIZED', 'Invalid email or password');
    const limited = await attempt(t, 'grace@example.com', 'compiler pioneer', address);
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error.message).toBe('Too many failed logins from this address; try again in 15 minutes');
    expect(Number(limited.headers['retry-after'])).toBe(900);
    expect((await attempt(t, 'grace@example.com', 'compiler pioneer', '10.0.2.2')).statusCode).toBe(200);
  });

  it('refuses a disabled user with the same message as a wrong password', async () => {
    const user = await createUser(t, { email: 'gone@example.com', password: 'soon disabled 1' });
    await t.runtime.services.users.update(user.id, { disabled: true });
    expectNative(await attempt(t, 'gone@example.com', 'soon disabled 1', '10.0.3.1'), 401, 'UNAUTHORIZED', 'Invalid email or password');
  });
});

describe('GET and DELETE /api/v1/session (SPEC §2.4)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
    const admin = await t.caller({ admin: true });
    const dev = await t.inject({ method: 'POST', url: SANDBOXES, headers: admin.headers(), payload: { name: 'dev', title: 'Development' } });
    expect(dev.statusCode).toBe(201);
  });
  afterAll(async () => { await t.close(); });

  it('shows the user, the CSRF token and the effective permissions per visible sandbox', async () => {
    await createUser(t, { email: 'ops@example.com', password: 'operations team', roles: ['Default production all access', 'Sandbox Administrators'] });
    const session = await login(t, 'ops@example.com', 'operations team');
    const res = await currentSession(t, session.cookie);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(Object.keys(body).sort()).toEqual(['admin', 'csrfToken', 'sandboxes', 'user']);
    expect(body.user).toEqual(session.response.json().user);
    expect(body.csrfToken).toBe(session.csrfToken);
    expect(body.admin).toBe(false);
    const bySandbox = Object.fromEntries((body.sandboxes as { name: string; title: string; permissions: string[] }[]).map((s) => [s.name, s]));
    expect(Object.keys(bySandbox).sort()).toEqual(['dev', 'prod']);
    expect(bySandbox['prod']?.title).toBe('Production');
    expect(bySandbox['dev']?.title).toBe('Development');
    expect([...(bySandbox['prod']?.permissions ?? [])].sort()).toEqual([
      'Activate Destinations', 'Activate Segment without Mapping', 'Evaluate Segment to Audience', 'Manage Datasets', 'Manage Destinations',
      'Manage Merge Policies', 'Manage Profiles', 'Manage Sandboxes', 'Manage Segments', 'View Destinations', 'View Identity Graph',
      'View Merge Policies', 'View Profiles', 'View Sandboxes', 'View Segments',
    ]);
    expect([...(bySandbox['dev']?.permissions ?? [])].sort()).toEqual(['Manage Sandboxes', 'View Sandboxes']);
  });

  it('lists only the sandboxes the user has a role in, and all of them with admin true for an admin', async () => {
    await createUser(t, { email: 'prod-only@example.com', password: 'production only', roles: ['Default production all access'] });
    const prodOnly = (await currentSession(t, (await login(t, 'prod-only@example.com', 'production only')).cookie)).json();
    expect(prodOnly.sandboxes.map((s: { name: string }) => s.name)).toEqual(['prod']);
    await createUser(t, { email: 'boss@example.com', password: 'administrator 1', admin: true });
    const boss = (await currentSession(t, (await login(t, 'boss@example.com', 'administrator 1')).cookie)).json();
    expect(boss.admin).toBe(true);
    expect(boss.sandboxes.map((s: { name: string }) => s.name).sort()).toEqual(['dev', 'prod']);
    for (const sandbox of boss.sandboxes as { permissions: string[] }[]) expect(sandbox.permissions).toHaveLength(15);
  });

  it('answers 401 UNAUTHORIZED without a session or with an unknown cookie', async () => {
    const none = await t.inject({ method: 'GET', url: '/api/v1/session' });
    expect(none.statusCode).toBe(401);
    expect(none.json().error.code).toBe('UNAUTHORIZED');
    expect((await currentSession(t, 'forged-session-value')).statusCode).toBe(401);
  });

  it('logs out with 204 only when x-csrf-token is sent, and the cookie stops working', async () => {
    await createUser(t, { email: 'leaver@example.com', password: 'logging out now' });
    const session = await login(t, 'leaver@example.com', 'logging out now');
    expectNative(await t.inject({ method: 'DELETE', url: '/api/v1/session', headers: session.headers() }), 403, 'FORBIDDEN', 'Invalid CSRF token');
    expect((await currentSession(t, session.cookie)).statusCode).toBe(200);
    const out = await t.inject({ method: 'DELETE', url: '/api/v1/session', headers: session.headers(true) });
    expect(out.statusCode).toBe(204);
    expect(sessionCookie(out.headers['set-cookie']).value).toBe('');
    expect((await currentSession(t, session.cookie)).statusCode).toBe(401);
    const gateway = await t.inject({ method: 'GET', url: SANDBOXES, headers: session.headers() });
    expect(gateway.json()).toEqual({ error_code: '403010', message: 'Oauth token is missing.' });
  });

  it('ends the sessions of a user an admin disables', async () => {
    const user = await createUser(t, { email: 'fired@example.com', password: 'about to go 12', roles: ['Read only'] });
    const session = await login(t, 'fired@example.com', 'about to go 12');
    expect((await t.inject({ method: 'GET', url: SANDBOXES, headers: session.headers() })).statusCode).toBe(200);
    const admin = await t.caller({ admin: true, name: 'disabler' });
    const patched = await t.inject({ method: 'PATCH', url: `/api/v1/admin/users/${user.id}`, headers: admin.headers(), payload: { disabled: true } });
    expect(patched.statusCode).toBe(200);
    expect((await currentSession(t, session.cookie)).statusCode).toBe(401);
    expect((await t.inject({ method: 'GET', url: SANDBOXES, headers: session.headers() })).statusCode).toBe(403);
  });
});

describe('session lifetime (SPEC §2.4 ACTIVATOR_SESSION_TTL_HOURS)', () => {
  it('keeps a session until just before 12 hours by default and ends it at 12 hours', async () => {
    const t = await createTestApp();
    try {
      await createUser(t, { email: 'ada@example.com', password: 'analytical engine' });
      const session = await login(t, 'ada@example.com', 'analytical engine');
      t.clock.advance(12 * HOUR_MS - 1000);
      expect((await currentSession(t, session.cookie)).statusCode).toBe(200);
      t.clock.advance(1000);
      expect((await currentSession(t, session.cookie)).statusCode).toBe(401);
    } finally {
      await t.close();
    }
  });

  it('honours ACTIVATOR_SESSION_TTL_HOURS', async () => {
    const t = await createTestApp({ ACTIVATOR_SESSION_TTL_HOURS: '2' });
    try {
      await createUser(t, { email: 'ada@example.com', password: 'analytical engine', admin: true });
      const session = await login(t, 'ada@example.com', 'analytical engine');
      expect(sessionCookie(session.response.headers['set-cookie']).attributes.get('expires')).toBe('Thu, 15 Jan 2026 11:00:00 GMT');
      t.clock.advance(2 * HOUR_MS - 1000);
      expect((await t.inject({ method: 'GET', url: SANDBOXES, headers: session.headers() })).statusCode).toBe(200);
      t.clock.advance(1000);
      expect((await currentSession(t, session.cookie)).statusCode).toBe(401);
      expect((await t.inject({ method: 'GET', url: SANDBOXES, headers: session.headers() })).statusCode).toBe(403);
    } finally {
      await t.close();
    }
  });
});

describe('POST /api/v1/session/password (SPEC §2.4)', () => {
  let t: TestApp;

  beforeAll(async () => { t = await createTestApp(); });
  afterAll(async () => { await t.close(); });

  function changePassword(headers: Record<string, string>, currentPassword: string, newPassword: string) {
    return t.inject({ method: 'POST', url: '/api/v1/session/password', headers, payload: { currentPassword, newPassword } });
  }

  it('changes the password with 204: the old password is refused afterwards and the new one works', async () => {
    await createUser(t, { email: 'mover@example.com', password: 'old password 123' });
    const session = await login(t, 'mover@example.com', 'old password 123');
    expect((await changePassword(session.headers(true), 'old password 123', 'new password 456')).statusCode).toBe(204);
    expectNative(await attempt(t, 'mover@example.com', 'old password 123'), 401, 'UNAUTHORIZED', 'Invalid email or password');
    expect((await attempt(t, 'mover@example.com', 'new password 456')).statusCode).toBe(200);
    expect((await currentSession(t, session.cookie)).statusCode).toBe(200);
  });

  it('refuses a new password shorter than 12 characters with 400 naming the field, and keeps the old one', async () => {
    await createUser(t, { email: 'short@example.com', password: 'long enough 123' });
    const session = await login(t, 'short@example.com', 'long enough 123');
    const res = await changePassword(session.headers(true), 'long enough 123', 'elevenchars');
    expectNative(res, 400, 'BAD_REQUEST', expect.stringMatching(/newPassword.*12 characters/));
    expect((await attempt(t, 'short@example.com', 'long enough 123')).statusCode).toBe(200);
  });

  it('refuses a change without x-csrf-token, without a session, or with a wrong current password', async () => {
    await createUser(t, { email: 'guarded@example.com', password: 'guarded secret 1' });
    const session = await login(t, 'guarded@example.com', 'guarded secret 1');
    expectNative(await changePassword(session.headers(), 'guarded secret 1', 'replacement 12345'), 403, 'FORBIDDEN', 'Invalid CSRF token');
    expect((await changePassword({}, 'guarded secret 1', 'replacement 12345')).statusCode).toBe(401);
    const wrong = await changePassword(session.headers(true), 'not the password', 'replacement 12345');
    expectNative(wrong, 400, 'BAD_REQUEST', 'currentPassword is wrong');
    expect((await attempt(t, 'guarded@example.com', 'guarded secret 1')).statusCode).toBe(200);
  });
});

describe('audit and logs of logins (SPEC §2.7, §2.8)', () => {
  it('audits auth.login success and rejected, and never logs the password or the cookie', async () => {
    const t = await createTestApp({ ACTIVATOR_LOG_LEVEL: 'debug' });
    try {
      const user = await createUser(t, { email: 'watched@example.com', password: 'watched password' });
      expect((await attempt(t, 'watched@example.com', 'a wrong guess!!')).statusCode).toBe(401);
      const session = await login(t, 'watched@example.com', 'watched password');
      await t.inject({ method: 'GET', url: '/api/v1/session', headers: session.headers() });
      await t.inject({ method: 'POST', url: SANDBOXES, headers: session.headers(), payload: { name: 'x' } });
      await t.inject({
        method: 'POST', url: '/api/v1/session/password', headers: session.headers(true),
        payload: { currentPassword: 'watched password', newPassword: 'changed password 2' },
      });
      const admin = await t.caller({ admin: true });
      const audit = await t.inject({ method: 'GET', url: '/api/v1/admin/audit?action=auth.login', headers: admin.headers() });
      const entries = audit.json().items as Record<string, unknown>[];
      expect(entries).toHaveLength(2);
      expect(entries).toContainEqual(expect.objectContaining({
        action: 'auth.login', outcome: 'success', httpStatus: 200, sandbox: null,
        actor: { type: 'user', id: user.id, name: 'watched@example.com' },
      }));
      expect(entries).toContainEqual(expect.objectContaining({
        action: 'auth.login', outcome: 'rejected', httpStatus: 401, actor: { type: 'user', id: user.id, name: 'watched@example.com' },
      }));
      const everything = `${t.logLines.join('\n')}\n${JSON.stringify(entries)}`;
      for (const secret of ['watched password', 'a wrong guess!!', 'changed password 2', session.cookie, session.csrfToken]) {
        expect(everything.includes(secret), `found ${secret.slice(0, 4)}… in logs or audit`).toBe(false);
      }
      expect(t.logLines.length).toBeGreaterThan(0);
    } finally {
      await t.close();
    }
  });
});
