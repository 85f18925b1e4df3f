// The token endpoint of SPEC §2.4: client-credentials grant, OAuth errors, expiry, revocation, hashing at rest, audit.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOXES, expectGateway, tokenForm } from '../support/e2e-expectations.js';
import { createTestApp, type TestApp, type TestCaller } from '../support/with-app.js';

const HOUR_MS = 3_600_000;

/** Asks for a token and returns the response. */
function requestToken(t: TestApp, clientId: string, clientSecret: string) {
  return t.inject(tokenForm({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }));
}

/** Calls a gateway-protected endpoint with `token` and the caller's API key. */
function callWith(t: TestApp, caller: TestCaller, token: string) {
  return t.inject({ method: 'GET', url: SANDBOXES, headers: caller.headers({ authorization: `Bearer ${token}` }) });
}

const INVALID_CLIENT = { error: 'invalid_client', error_description: 'invalid client_id or client_secret' };

describe('POST /ims/token/v3 (SPEC §2.4)', () => {
  let t: TestApp;
  let admin: TestCaller;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await t.caller({ admin: true, name: 'token-admin' });
  });
  afterAll(async () => { await t.close(); });

  it('issues an opaque act_ token of 43 URL-safe base64 characters, type bearer, valid 86400 seconds', async () => {
    const caller = await t.caller({ roles: ['Read only'], name: 'shape' });
    const res = await requestToken(t, caller.clientId, caller.clientSecret);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    const body = res.json();
    expect(Object.keys(body).sort()).toEqual(['access_token', 'expires_in', 'token_type']);
    expect(body.access_token).toMatch(/^act_[A-Za-z0-9_-]{43}$/);
    expect(body.token_type).toBe('bearer');
    expect(body.expires_in).toBe(86400);
    expect((await callWith(t, caller, body.access_token)).statusCode).toBe(200);
  });

  it('accepts and ignores a scope field', async () => {
    const caller = await t.caller({ name: 'scoped' });
    const res = await t.inject(tokenForm({ grant_type: 'client_credentials', client_id: caller.clientId, client_secret: caller.clientSecret, scope: 'openid,AdobeID' }));
    expect(res.statusCode).toBe(200);
  });

  it('answers invalid_request <field> is required for each missing field', async () => {
    const caller = await t.caller({ name: 'missing-fields' });
    const full = { grant_type: 'client_credentials', client_id: caller.clientId, client_secret: caller.clientSecret };
    for (const field of ['grant_type', 'client_id', 'client_secret'] as const) {
      const { [field]: _omitted, ...rest } = full;
      const res = await t.inject(tokenForm(rest));
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ error: 'invalid_request', error_description: `${field} is required` });
      const empty = await t.inject(tokenForm({ ...full, [field]: '' }));
      expect(empty.json()).toEqual({ error: 'invalid_request', error_description: `${field} is required` });
    }
  });

  it('answers invalid_request when the body is not form-encoded', async () => {
    const caller = await t.caller({ name: 'json-body' });
    const fields = { grant_type: 'client_credentials', client_id: caller.clientId, client_secret: caller.clientSecret };
    const bodies: [string, string][] = [['application/json', JSON.stringify(fields)], ['text/plain', new URLSearchParams(fields).toString()]];
    for (const [contentType, payload] of bodies) {
      const res = await t.inject({ method: 'POST', url: '/ims/token/v3', headers: { 'content-type': contentType }, payload });
      expect(res.statusCode, contentType).toBe(400);
      expect(res.json()).toEqual({ error: 'invalid_request', error_description: 'grant_type is required' });
    }
    const none = await t.inject({ method: 'POST', url: '/ims/token/v3' });
    expect(none.json()).toEqual({ error: 'invalid_request', error_description: 'grant_type is required' });
  });

  it('answers unsupported_grant_type to any grant other than client_credentials', async () => {
    const caller = await t.caller({ name: 'grants' });
    for (const grant of ['password', 'authorization_code', 'refresh_token', 'CLIENT_CREDENTIALS']) {
      const res = await t.inject(tokenForm({ grant_type: grant, client_id: caller.clientId, client_secret: caller.clientSecret }));
      expect(res.statusCode, grant).toBe(400);
      expect(res.json()).toEqual({ error: 'unsupported_grant_type', error_description: 'only client_credentials is supported' });
    }
  });

  it('answers invalid_client 401 to an unknown client id and to a wrong secret', async () => {
    const caller = await t.caller({ name: 'wrong-secret' });
    const unknown = await requestToken(t, '0123456789abcdef0123456789abcdef', caller.clientSecret);
    expect(unknown.statusCode).toBe(401);
    expect(unknown.json()).toEqual(INVALID_CLIENT);
    const wrong = await requestToken(t, caller.clientId, `${caller.clientSecret.slice(0, -1)}${caller.clientSecret.endsWith('A') ? 'B' : 'A'}`);
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json()).toEqual(INVALID_CLIENT);
  });

  it('answers invalid_client to a disabled credential and revokes the tokens it already had', async () => {
    const caller = await t.caller({ roles: ['Read only'], name: 'to-disable' });
    const disable = await t.inject({ method: 'PATCH', url: `/api/v1/admin/credentials/${caller.id}`, headers: admin.headers(), payload: { disabled: true } });
    expect(disable.statusCode).toBe(200);
    expectGateway(await callWith(t, caller, caller.token), '401013', 'Oauth token is not valid');
    const refused = await requestToken(t, caller.clientId, caller.clientSecret);
    expect(refused.statusCode).toBe(401);
    expect(refused.json()).toEqual(INVALID_CLIENT);
    await t.inject({ method: 'PATCH', url: `/api/v1/admin/credentials/${caller.id}`, headers: admin.headers(), payload: { disabled: false } });
    expectGateway(await callWith(t, caller, caller.token), '401013', 'Oauth token is not valid');
    expect((await requestToken(t, caller.clientId, caller.clientSecret)).statusCode).toBe(200);
  });

  it('revokes the tokens of a deleted credential and refuses its secret', async () => {
    const caller = await t.caller({ roles: ['Read only'], name: 'to-delete' });
    const removed = await t.inject({ method: 'DELETE', url: `/api/v1/admin/credentials/${caller.id}`, headers: admin.headers() });
    expect(removed.statusCode).toBe(204);
    expectGateway(await callWith(t, caller, caller.token), '401013', 'Oauth token is not valid');
    expect((await requestToken(t, caller.clientId, caller.clientSecret)).json()).toEqual(INVALID_CLIENT);
  });

  it('revokes old tokens and the old secret when the secret is rotated, and issues tokens for the new one', async () => {
    const caller = await t.caller({ roles: ['Read only'], name: 'to-rotate' });
    const rotated = await t.inject({ method: 'POST', url: `/api/v1/admin/credentials/${caller.id}/rotate-secret`, headers: admin.headers() });
    expect(rotated.statusCode).toBe(200);
    const newSecret = rotated.json().clientSecret as string;
    expect(newSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(newSecret).not.toBe(caller.clientSecret);
    expectGateway(await callWith(t, caller, caller.token), '401013', 'Oauth token is not valid');
    const old = await requestToken(t, caller.clientId, caller.clientSecret);
    expect(old.statusCode).toBe(401);
    expect(old.json()).toEqual(INVALID_CLIENT);
    const fresh = await requestToken(t, caller.clientId, newSecret);
    expect(fresh.statusCode).toBe(200);
    expect((await callWith(t, caller, fresh.json().access_token)).statusCode).toBe(200);
  });

  it('stores neither the raw token nor the raw client secret, only the token SHA-256', async () => {
    const caller = await t.caller({ name: 'at-rest' });
    const issued = (await requestToken(t, caller.clientId, caller.clientSecret)).json().access_token as string;
    const database = path.join(t.dataDir, 'activator.db');
    const files = [database, `${database}-wal`].filter((file) => existsSync(file));
    const bytes = Buffer.concat(files.map((file) => readFileSync(file)));
    for (const secret of [issued, caller.token, caller.clientSecret]) {
      expect(bytes.includes(Buffer.from(secret)), 'raw secret found on disk').toBe(false);
      expect(bytes.includes(Buffer.from(secret.slice(4, 30))), 'a raw fragment found on disk').toBe(false);
    }
    const hash = createHash('sha256').update(issued).digest('hex');
    expect(bytes.includes(Buffer.from(hash)) || bytes.includes(Buffer.from(hash, 'hex'))).toBe(true);
  });

  it('audits token issuance as auth.token with outcome success, and a refused secret as rejected, without secrets', async () => {
    const caller = await t.caller({ name: 'audited' });
    await requestToken(t, caller.clientId, 'definitely-not-the-secret');
    const res = await t.inject({ method: 'GET', url: '/api/v1/admin/audit?action=auth.token&limit=200', headers: admin.headers() });
    expect(res.statusCode).toBe(200);
    const entries = (res.json().items as { details: { clientId?: string }; outcome: string }[]).filter((entry) => entry.details.clientId === caller.clientId);
    const success = entries.find((entry) => entry.outcome === 'success');
    const rejected = entries.find((entry) => entry.outcome === 'rejected');
    expect(success).toMatchObject({
      action: 'auth.token', outcome: 'success', httpStatus: 200, sandbox: null, objectId: caller.id,
      actor: { type: 'credential', id: caller.id, name: 'audited' },
    });
    expect(rejected).toMatchObject({ action: 'auth.token', outcome: 'rejected', httpStatus: 401 });
    const text = JSON.stringify(entries);
    expect(text).not.toContain(caller.clientSecret);
    expect(text).not.toContain('definitely-not-the-secret');
    expect(text).not.toContain(caller.token);
  });
});

describe('token lifetime (SPEC §2.4 ACTIVATOR_TOKEN_TTL_SECONDS)', () => {
  it('accepts a token until just before 24 hours and refuses it with 401013 from 24 hours on', async () => {
    const t = await createTestApp();
    try {
      const caller = await t.caller({ roles: ['Read only'] });
      t.clock.advance(24 * HOUR_MS - 1000);
      expect((await callWith(t, caller, caller.token)).statusCode).toBe(200);
      t.clock.advance(1000);
      expectGateway(await callWith(t, caller, caller.token), '401013', 'Oauth token is not valid');
    } finally {
      await t.close();
    }
  });

  it('honours ACTIVATOR_TOKEN_TTL_SECONDS in expires_in and in the check', async () => {
    const t = await createTestApp({ ACTIVATOR_TOKEN_TTL_SECONDS: '600' });
    try {
      const caller = await t.caller({ roles: ['Read only'] });
      const issued = await requestToken(t, caller.clientId, caller.clientSecret);
      expect(issued.json().expires_in).toBe(600);
      t.clock.advance(599_000);
      expect((await callWith(t, caller, issued.json().access_token)).statusCode).toBe(200);
      t.clock.advance(1000);
      expectGateway(await callWith(t, caller, issued.json().access_token), '401013', 'Oauth token is not valid');
      const renewed = await requestToken(t, caller.clientId, caller.clientSecret);
      expect((await callWith(t, caller, renewed.json().access_token)).statusCode).toBe(200);
    } finally {
      await t.close();
    }
  });
});
