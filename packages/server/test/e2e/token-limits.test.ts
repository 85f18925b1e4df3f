// Client secrets as keyed digests, the token endpoint's wrong-secret limits (SPEC §2.5, §14) and bounded token requests.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenForm } from '../support/e2e-expectations.js';
import { createTestApp, testHasher, type TestApp } from '../support/with-app.js';

const SECOND_MS = 1000;

describe('client secrets and the token endpoint limits', () => {
  let t: TestApp;
  beforeAll(async () => { t = await createTestApp(); });
  afterAll(async () => { await t.close(); });

  const token = (clientId: string, clientSecret: string, remoteAddress = '127.0.0.1') =>
    t.inject({ ...tokenForm({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }), remoteAddress });

  it('stores a new secret as a keyed SHA-256 digest, never an argon2 hash, and accepts it', async () => {
    const created = await t.runtime.services.credentials.create({ name: 'digest', admin: false });
    const stored = await t.runtime.store.credentials.getByClientId(created.clientId);
    expect(stored?.secretHash).toMatch(/^hmac-sha256\$[A-Za-z0-9_-]{43}$/);
    expect(stored?.secretHash).not.toContain(created.clientSecret);
    expect((await token(created.clientId, created.clientSecret, '10.1.0.1')).statusCode).toBe(200);
    expect((await token(created.clientId, `${created.clientSecret.slice(0, -1)}x`, '10.1.0.1')).statusCode).toBe(401);
  });

  it('keeps a secret stored as argon2id working and replaces it by the digest at its first use', async () => {
    const created = await t.runtime.services.credentials.create({ name: 'legacy', admin: false });
    const secret = 'an-older-secret-stored-with-argon2id-before-digests';
    await t.runtime.store.credentials.update(created.id, { secretHash: await testHasher.hash(secret) });
    expect((await token(created.clientId, 'not the secret', '10.1.1.1')).statusCode).toBe(401);
    expect((await t.runtime.store.credentials.getById(created.id))?.secretHash).toMatch(/^\$argon2id\$/);
    expect((await token(created.clientId, secret, '10.1.1.1')).statusCode).toBe(200);
    expect((await t.runtime.store.credentials.getById(created.id))?.secretHash).toMatch(/^hmac-sha256\$/);
    expect((await token(created.clientId, secret, '10.1.1.1')).statusCode).toBe(200);
  });

  it('answers 429 with Retry-After in the OAuth envelope after 20 wrong secrets for a client id, even to the right secret, until the minute is over', async () => {
    const created = await t.runtime.services.credentials.create({ name: 'guessed', admin: false });
    for (let i = 0; i < 20; i += 1) expect((await token(created.clientId, `wrong-${i}`, `10.2.0.${i}`)).statusCode).toBe(401);
    const limited = await token(created.clientId, created.clientSecret, '10.2.1.1');
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBe('60');
    expect(limited.json()).toEqual({
      error: 'temporarily_unavailable', error_description: 'Too many token requests with a wrong secret for this client; try again in 60 seconds',
    });
    t.clock.advance(30 * SECOND_MS);
    expect((await token(created.clientId, created.clientSecret, '10.2.1.1')).headers['retry-after']).toBe('30');
    t.clock.advance(30 * SECOND_MS);
    expect((await token(created.clientId, created.clientSecret, '10.2.1.1')).statusCode).toBe(200);
  });

  it('limits wrong secrets per client address across client ids; other addresses and right secrets below the limit pass', async () => {
    const created = await t.runtime.services.credentials.create({ name: 'neighbour', admin: false });
    for (let i = 0; i < 50; i += 1) expect((await token(created.clientId, created.clientSecret, '10.3.0.1')).statusCode).toBe(200);
    for (let i = 0; i < 20; i += 1) expect((await token(`unknown-client-${i}`, 'guess', '10.3.0.2')).statusCode).toBe(401);
    const limited = await token(created.clientId, created.clientSecret, '10.3.0.2');
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error_description).toBe('Too many token requests with a wrong secret from this address; try again in 60 seconds');
    expect((await token(created.clientId, created.clientSecret, '10.3.0.3')).statusCode).toBe(200);
  });

  it('answers 100 concurrent wrong secrets with 401 or 429 only, and a right secret from elsewhere still works', async () => {
    const created = await t.runtime.services.credentials.create({ name: 'stormed', admin: false });
    const responses = await Promise.all(Array.from({ length: 100 }, (_, i) => token(created.clientId, `wrong-${i}`, `10.4.${Math.floor(i / 4)}.${i % 4}`)));
    const statuses = responses.map((r) => r.statusCode);
    expect(statuses.filter((s) => s !== 401 && s !== 429)).toEqual([]);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    const other = await t.runtime.services.credentials.create({ name: 'bystander', admin: false });
    expect((await token(other.clientId, other.clientSecret, '10.4.99.1')).statusCode).toBe(200);
  });
});
