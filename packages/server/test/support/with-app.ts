// Test helper: a fully wired app on a throwaway data directory (SQLite), with helpers to get credentials and tokens.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { loadConfig, type Config } from '../../src/config.js';
import type { Clock } from '../../src/domain/runtime.js';
import type { RouteCatalog } from '../../src/http/route-catalog.js';
import { buildRuntimeApp, createLogger, openRuntime, type Runtime } from '../../src/main.js';
import { createArgon2PasswordHasher } from '../../src/security/argon2-password-hasher.js';

/** A clock tests move by hand. */
export class FakeClock implements Clock {
  constructor(private current = Date.UTC(2026, 0, 15, 9, 0, 0)) {}
  now(): number {
    return this.current;
  }
  advance(ms: number): void {
    this.current += ms;
  }
}

/** A credential with a live token, and the headers a gateway-protected request needs. */
export interface TestCaller {
  readonly id: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly token: string;
  headers(extra?: Record<string, string>): Record<string, string>;
}

export interface TestApp {
  readonly app: FastifyInstance;
  readonly routes: RouteCatalog;
  readonly runtime: Runtime;
  readonly config: Config;
  readonly clock: FakeClock;
  readonly dataDir: string;
  /** Log lines written by the app (JSON strings). */
  readonly logLines: string[];
  inject(options: InjectOptions): Promise<LightMyRequestResponse>;
  /** Creates a credential (admin, or with the named roles) and obtains a token through the token endpoint. */
  caller(options: { admin?: boolean; roles?: string[]; name?: string }): Promise<TestCaller>;
  close(): Promise<void>;
}

/** A fast argon2id setting: real hashing, cheap enough for hundreds of tests. */
export const testHasher = createArgon2PasswordHasher({ memoryCost: 1024, timeCost: 1 });

export async function createTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'activator-test-'));
  const config = loadConfig({ ACTIVATOR_DATA_DIR: dataDir, ACTIVATOR_LOG_LEVEL: 'info', ...env });
  const clock = new FakeClock();
  const logLines: string[] = [];
  const logger = createLogger(config, { write: (line: string) => void logLines.push(line) });
  const runtime = await openRuntime(config, { clock, hasher: testHasher, migrate: true, logger });
  const { app, routes } = await buildRuntimeApp(runtime, logger);
  await app.ready();
  const inject = (options: InjectOptions) => app.inject(options);
  return {
    app, routes, runtime, config, clock, dataDir, logLines, inject,
    async caller({ admin = false, roles = [], name = 'test' }) {
      const roleIds: string[] = [];
      for (const roleName of roles) {
        const role = await runtime.services.roles.find(roleName);
        if (role === undefined) throw new Error(`no role ${roleName}`);
        roleIds.push(role.id);
      }
      const created = await runtime.services.credentials.create({ name, admin, roleIds });
      const response = await inject({
        method: 'POST', url: '/ims/token/v3',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ grant_type: 'client_credentials', client_id: created.clientId, client_secret: created.clientSecret }).toString(),
      });
      if (response.statusCode !== 200) throw new Error(`token request failed: ${response.body}`);
      const token = response.json<{ access_token: string }>().access_token;
      return {
        id: created.id, clientId: created.clientId, clientSecret: created.clientSecret, token,
        headers: (extra = {}) => ({ authorization: `Bearer ${token}`, 'x-api-key': created.clientId, 'x-gw-ims-org-id': config.orgId, ...extra }),
      };
    },
    async close() {
      await app.close();
      await runtime.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
