// The login limit under parallel guessing (SPEC §14): real HTTP, both stores, verifications counted at the hasher.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { PasswordHasher } from '../../src/domain/runtime.js';
import { buildRuntimeApp, createLogger, openRuntime, type Runtime } from '../../src/main.js';
import { describeOnEachStore } from '../support/on-each-store.js';
import { testHasher } from '../support/with-app.js';

const PASSWORD = 'the right password';
const GUESSES = 100;
/** SPEC §14's default: 5 failed logins per e-mail (and per client address) per 15 minutes. */
const LIMIT = 5;

/** The test hasher, counting every verification it performs. */
function countingHasher(): PasswordHasher & { verifications: number } {
  const counting = {
    verifications: 0,
    hash: (secret: string) => testHasher.hash(secret),
    verify: (hash: string, secret: string) => {
      counting.verifications += 1;
      return testHasher.verify(hash, secret);
    },
  };
  return counting;
}

describeOnEachStore('login limit under parallel guesses', (storeEnv) => {
  let dataDir: string;
  let runtime: Runtime;
  let close: () => Promise<void>;
  let url: string;
  const hasher = countingHasher();

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'activator-login-limit-'));
    const config = loadConfig({ ACTIVATOR_DATA_DIR: dataDir, ACTIVATOR_LOG_LEVEL: 'warn', ...(await storeEnv()) });
    runtime = await openRuntime(config, { hasher, migrate: true });
    const { app } = await buildRuntimeApp(runtime, createLogger(config));
    url = await app.listen({ host: '127.0.0.1', port: 0 });
    close = async () => {
      await app.close();
      await runtime.close();
    };
    await runtime.services.users.create({ email: 'victim@example.com', password: PASSWORD, admin: false, roleIds: [] });
  });
  afterAll(async () => {
    await close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const login = (email: string, password: string) =>
    fetch(`${url}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });

  it('verifies at most the allowed number of 100 concurrent guesses, answers the rest 429 with Retry-After, and then refuses the right password', async () => {
    hasher.verifications = 0;
    const responses = await Promise.all(Array.from({ length: GUESSES }, (_, i) => login('victim@example.com', `wrong guess ${i}`)));
    const statuses = responses.map((r) => r.status);
    expect(hasher.verifications).toBeLessThanOrEqual(LIMIT);
    expect(statuses.filter((s) => s === 401).length).toBe(hasher.verifications);
    expect(statuses.filter((s) => s === 429).length).toBe(GUESSES - hasher.verifications);
    for (const response of responses.filter((r) => r.status === 429)) {
      const retryAfter = Number(response.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(15 * 60);
      expect((await response.json() as { error: { code: string } }).error.code).toBe('RATE_LIMITED');
    }

    const right = await login('victim@example.com', PASSWORD);
    expect(right.status).toBe(429);
    expect(right.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(right.headers.get('set-cookie')).toBeNull();
    expect(hasher.verifications).toBeLessThanOrEqual(LIMIT);
    expect(await runtime.store.users.getByEmail('victim@example.com')).toMatchObject({ lastLoginAt: null });
  });

  it('limits the client address too: guesses spread over many e-mails stop at the limit', async () => {
    hasher.verifications = 0;
    const emails = Array.from({ length: 20 }, (_, i) => `sprayed-${i}@example.com`);
    for (const email of emails) await runtime.services.users.create({ email, password: PASSWORD, admin: false, roleIds: [] });
    const responses = await Promise.all(emails.map((email) => login(email, 'a common password')));
    expect(hasher.verifications).toBe(0);
    expect(responses.every((r) => r.status === 429)).toBe(true);
  });
});
