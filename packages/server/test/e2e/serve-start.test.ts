// `serve` start-up (SPEC §13.5, §2.7): an owner-only data directory, an audited bootstrap admin, and no lost password on a busy port.
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../src/config.js';
import { createLogger, startServer, type RunningServer } from '../../src/main.js';
import { openStore } from '../../src/storage/open-store.js';

const roots: string[] = [];
function newDataDir(): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'activator-serve-'));
  roots.push(root);
  return path.join(root, 'data');
}

function serveConfig(dataDir: string, port: number, env: Record<string, string> = {}): Config {
  return loadConfig({ ACTIVATOR_DATA_DIR: dataDir, ACTIVATOR_HOST: '127.0.0.1', ACTIVATOR_PORT: String(port), ACTIVATOR_LOG_LEVEL: 'info', ...env });
}

async function start(config: Config): Promise<{ server: RunningServer; lines: Record<string, unknown>[] }> {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger(config, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { server: await startServer(config, logger), lines };
}

/** Every path under `dir` (itself included) with its permission bits. */
function modes(dir: string): { path: string; mode: number; directory: boolean }[] {
  const found = [{ path: dir, mode: statSync(dir).mode & 0o777, directory: true }];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...modes(full));
    else found.push({ path: full, mode: statSync(full).mode & 0o777, directory: false });
  }
  return found;
}

async function occupiedPort(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { port: address.port, server };
}

describe('activator serve start-up', () => {
  afterAll(() => {
    for (const root of roots) rmSync(root, { recursive: true, force: true });
  });

  it('keeps the data directory and everything written in it owner-only (0700 directories, 0600 files)', async () => {
    const dataDir = newDataDir();
    mkdirSync(dataDir, { recursive: true });
    // What an older version left: a world-readable directory and report.
    chmodSync(dataDir, 0o755);
    mkdirSync(path.join(dataDir, 'errors', 'old-batch'), { recursive: true, mode: 0o755 });
    writeFileSync(path.join(dataDir, 'errors', 'old-batch', 'errors.ndjson'), '{}\n', { mode: 0o644 });
    chmodSync(path.join(dataDir, 'errors', 'old-batch', 'errors.ndjson'), 0o644);
    const previousUmask = process.umask(0o022);
    const { server } = await start(serveConfig(dataDir, 0, { ACTIVATOR_ADMIN_PASSWORD: 'a long enough password' }));
    try {
      const { services } = server.runtime;
      const credential = await services.credentials.create({ name: 'perm', admin: true });
      const tokenResponse = await fetch(`${server.url}/ims/token/v3`, {
        method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: credential.clientId, client_secret: credential.clientSecret }),
      });
      const token = ((await tokenResponse.json()) as { access_token: string }).access_token;
      const headers = { authorization: `Bearer ${token}`, 'x-api-key': credential.clientId, 'x-gw-ims-org-id': server.runtime.config.orgId };
      const call = (method: string, url: string, body?: string, type = 'application/json') =>
        fetch(`${server.url}${url}`, { method, headers: { ...headers, ...(body === undefined ? {} : { 'content-type': type }) }, ...(body === undefined ? {} : { body }) });
      const schema = { class: 'profile', fields: [{ path: 'crmId', type: 'string', required: true }, { path: 'points', type: 'integer' }], identities: [{ path: 'crmId', namespace: 'CRM', primary: true }] };
      const dataset = (await (await call('POST', '/data/foundation/catalog/dataSets', JSON.stringify({ name: 'Perm', schema }))).json()) as string[];
      const datasetId = dataset[0]?.replace('@/dataSets/', '') ?? '';
      const batch = (await (await call('POST', '/data/foundation/import/batches', JSON.stringify({ datasetId, inputFormat: { format: 'csv' }, partialIngestion: { errorThreshold: 50 } }))).json()) as { id: string };
      expect((await call('PUT', `/data/foundation/import/batches/${batch.id}/datasets/${datasetId}/files/a.csv`, 'crmId,points\nP-1,1\nP-2,two\n', 'text/csv')).status).toBe(200);
      await call('POST', `/data/foundation/import/batches/${batch.id}?action=COMPLETE`);
      await services.profilesModule.batches.whenIdle();
      const lookup = await call('GET', '/data/core/ups/access/entities?schema.name=_xdm.context.profile&entityIdNS=CRM&entityId=P-1');
      expect(lookup.status).toBe(200);

      const all = modes(dataDir);
      for (const expected of ['activator.db', 'master.key', 'lake', 'errors', 'tmp']) {
        expect(all.some((entry) => path.relative(dataDir, entry.path).split(path.sep)[0] === expected), expected).toBe(true);
      }
      expect(all.filter((entry) => entry.path.endsWith('.parquet')).length).toBeGreaterThan(0);
      const open = all.filter((entry) => entry.mode !== (entry.directory ? 0o700 : 0o600)).map((entry) => `${path.relative(dataDir, entry.path)} ${entry.mode.toString(8)}`);
      expect(open).toEqual([]);
    } finally {
      await server.stop();
      process.umask(previousUmask);
    }
  }, 60_000);

  it('refuses a busy port before creating the bootstrap admin, so the next start still shows its one-time password', async () => {
    const dataDir = newDataDir();
    const busy = await occupiedPort();
    try {
      await expect(start(serveConfig(dataDir, busy.port))).rejects.toThrow(/EADDRINUSE|address already in use/);
    } finally {
      busy.server.close();
    }
    const store = await openStore({ databaseUrl: undefined, dataDir });
    try {
      expect(await store.users.count()).toBe(0);
    } finally {
      await store.close();
    }

    const { server, lines } = await start(serveConfig(dataDir, 0));
    try {
      const announced = lines.find((line) => line['msg'] === 'created the bootstrap admin user; this password is shown once');
      const password = String(announced?.['initialPassword']);
      const login = await fetch(`${server.url}/api/v1/session`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'admin@localhost', password }),
      });
      expect(login.status).toBe(200);
    } finally {
      await server.stop();
    }
  }, 60_000);

  it('records the bootstrap admin\'s creation in the audit log, without its password', async () => {
    const dataDir = newDataDir();
    const { server } = await start(serveConfig(dataDir, 0, { ACTIVATOR_ADMIN_EMAIL: 'root@example.com' }));
    try {
      const user = await server.runtime.services.users.find('root@example.com');
      const entries = (await server.runtime.store.audit.list({ limit: 100, action: 'user.create' })).items;
      expect(entries).toEqual([expect.objectContaining({
        actor: { type: 'system', id: null, name: 'system' }, sandbox: null, action: 'user.create', objectType: 'user', objectId: user?.id,
        outcome: 'success', details: { email: 'root@example.com', admin: true, bootstrap: true },
      })]);
      expect(JSON.stringify(entries)).not.toMatch(/initialPassword|passwordHash/);
    } finally {
      await server.stop();
    }
  }, 60_000);
});
