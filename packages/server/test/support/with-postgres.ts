// Test helper: a fresh, empty PostgreSQL database — on TEST_DATABASE_URL, or in a throwaway local cluster.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { chown, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);
const DEBIAN_POSTGRES_ROOT = '/usr/lib/postgresql';
const UNPRIVILEGED_USER = 'postgres';

/** Where test databases come from, or why there are none. */
export type PostgresAvailability =
  | { readonly ok: true; readonly source: 'TEST_DATABASE_URL' }
  | { readonly ok: true; readonly source: 'throwaway cluster'; readonly binDir: string }
  | { readonly ok: false; readonly reason: string };

/** A running PostgreSQL for one test file. */
export interface TestPostgres {
  /** A fresh, empty database made for this handle. */
  readonly url: string;
  /** Creates another fresh, empty database and returns its URL; dropped (or discarded) by `stop`. */
  createDatabase(): Promise<string>;
  /** Drops what was created, stops the cluster and removes its files. Safe to call twice. */
  stop(): Promise<void>;
}

function hasServerBinaries(dir: string): boolean {
  return existsSync(path.join(dir, 'initdb')) && existsSync(path.join(dir, 'pg_ctl'));
}

/** Newest Debian `/usr/lib/postgresql/<version>/bin`, else a PATH directory with initdb and pg_ctl. */
function findBinDir(): string | undefined {
  const versions = existsSync(DEBIAN_POSTGRES_ROOT)
    ? readdirSync(DEBIAN_POSTGRES_ROOT).filter((name) => /^\d+(\.\d+)?$/.test(name)).sort((a, b) => Number(b) - Number(a))
    : [];
  const candidates = [
    ...versions.map((version) => path.join(DEBIAN_POSTGRES_ROOT, version, 'bin')),
    ...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean),
  ];
  return candidates.find(hasServerBinaries);
}

function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/** uid and gid of the unprivileged account the cluster runs as when we are root. */
function unprivilegedIds(): { uid: number; gid: number } | undefined {
  try {
    const uid = Number(execFileSync('id', ['-u', UNPRIVILEGED_USER], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', UNPRIVILEGED_USER], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    return undefined;
  }
}

/** Whether PostgreSQL tests can run here; when not, a reason fit for a skip message. Synchronous. */
export function postgresAvailability(env: NodeJS.ProcessEnv = process.env): PostgresAvailability {
  if (env.TEST_DATABASE_URL !== undefined && env.TEST_DATABASE_URL !== '') return { ok: true, source: 'TEST_DATABASE_URL' };
  const binDir = findBinDir();
  if (binDir === undefined) {
    return {
      ok: false,
      reason: `no PostgreSQL server binaries (initdb, pg_ctl) in ${DEBIAN_POSTGRES_ROOT}/*/bin or PATH, and TEST_DATABASE_URL is not set`,
    };
  }
  if (isRoot() && unprivilegedIds() === undefined) {
    return { ok: false, reason: `running as root and there is no '${UNPRIVILEGED_USER}' user to run initdb/pg_ctl as` };
  }
  return { ok: true, source: 'throwaway cluster', binDir };
}

function quoteForShell(argument: string): string {
  return `'${argument.replaceAll("'", `'\\''`)}'`;
}

/** The argv that runs a server binary, as the unprivileged user when we are root (initdb and postgres refuse root). */
function serverCommandArgv(command: string, args: readonly string[]): [string, string[]] {
  if (!isRoot()) return [command, [...args]];
  if (existsSync('/usr/sbin/runuser') || existsSync('/sbin/runuser')) return ['runuser', ['-u', UNPRIVILEGED_USER, '--', command, ...args]];
  return ['su', [UNPRIVILEGED_USER, '-s', '/bin/sh', '-c', [command, ...args].map(quoteForShell).join(' ')]];
}

async function runServerCommand(command: string, args: readonly string[]): Promise<void> {
  const [file, argv] = serverCommandArgv(command, args);
  await run(file, argv);
}

function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

let databaseCounter = 0;

function uniqueDatabaseName(): string {
  databaseCounter += 1;
  return `activator_test_${process.pid}_${databaseCounter}_${Math.random().toString(36).slice(2, 8)}`;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** Creates databases through one admin URL and remembers them so they can be dropped. */
function databaseFactory(adminUrl: string): { create(): Promise<string>; dropAll(): Promise<void> } {
  const created: string[] = [];
  async function onAdminConnection(action: (client: pg.Client) => Promise<void>): Promise<void> {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      await action(client);
    } finally {
      await client.end();
    }
  }
  return {
    async create() {
      const name = uniqueDatabaseName();
      await onAdminConnection((client) => client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`).then(() => undefined));
      created.push(name);
      return withDatabase(adminUrl, name);
    },
    async dropAll() {
      const names = created.splice(0);
      if (names.length === 0) return;
      await onAdminConnection(async (client) => {
        for (const name of names) await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
      });
    },
  };
}

async function startOnExistingServer(adminUrl: string): Promise<TestPostgres> {
  const databases = databaseFactory(adminUrl);
  const url = await databases.create();
  return { url, createDatabase: () => databases.create(), stop: () => databases.dropAll() };
}

/** initdb + pg_ctl start on a free loopback port, retried when another process grabbed the port first. */
async function startCluster(binDir: string, root: string): Promise<number> {
  const dataDir = path.join(root, 'data');
  await runServerCommand(path.join(binDir, 'initdb'), ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-locale', '--no-sync']);
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const port = await freeLoopbackPort();
    // pg_ctl hands these to the server through a shell, hence the quoted socket directory.
    const serverOptions = `-c listen_addresses=127.0.0.1 -p ${port} -k ${quoteForShell(root)} -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
    try {
      await runServerCommand(path.join(binDir, 'pg_ctl'), ['-D', dataDir, '-l', path.join(root, 'server.log'), '-w', '-t', '60', '-o', serverOptions, 'start']);
      return port;
    } catch (error) {
      lastError = error;
    }
  }
  const log = await readFile(path.join(root, 'server.log'), 'utf8').catch(() => '(no server log)');
  throw new Error(`PostgreSQL did not start:\n${log}`, { cause: lastError });
}

async function startThrowawayCluster(binDir: string): Promise<TestPostgres> {
  const root = await mkdtemp(path.join(tmpdir(), 'activator-pg-'));
  const ids = isRoot() ? unprivilegedIds() : undefined;
  if (ids !== undefined) await chown(root, ids.uid, ids.gid);
  const pgCtl = path.join(binDir, 'pg_ctl');
  const stopArgs = ['-D', path.join(root, 'data'), '-m', 'immediate', '-w', 'stop'];
  // Safety net: a test process that exits without calling stop() still takes its cluster down.
  const stopOnExit = (): void => {
    try {
      execFileSync(...serverCommandArgv(pgCtl, stopArgs), { stdio: 'ignore' });
    } catch {
      // never started, or already stopped
    }
    rmSync(root, { recursive: true, force: true });
  };
  let port: number;
  try {
    port = await startCluster(binDir, root);
  } catch (error) {
    stopOnExit();
    throw error;
  }
  process.once('exit', stopOnExit);
  const databases = databaseFactory(`postgres://postgres@127.0.0.1:${port}/postgres`);
  let stopped = false;
  return {
    url: await databases.create(),
    createDatabase: () => databases.create(),
    async stop() {
      if (stopped) return;
      stopped = true;
      process.removeListener('exit', stopOnExit);
      await runServerCommand(pgCtl, stopArgs);
      await rm(root, { recursive: true, force: true });
    },
  };
}

/**
 * Starts PostgreSQL for one test file (call it in `beforeAll`, `stop()` in `afterAll`).
 * @throws when {@link postgresAvailability} says no; check it first to skip with its reason.
 */
export async function startPostgres(env: NodeJS.ProcessEnv = process.env): Promise<TestPostgres> {
  const availability = postgresAvailability(env);
  if (!availability.ok) throw new Error(`PostgreSQL is not available: ${availability.reason}`);
  if (availability.source === 'TEST_DATABASE_URL') return startOnExistingServer(env.TEST_DATABASE_URL ?? '');
  return startThrowawayCluster(availability.binDir);
}

/** Runs `use` with a started PostgreSQL and always stops it afterwards. */
export async function withPostgres<T>(use: (postgres: TestPostgres) => Promise<T>, env: NodeJS.ProcessEnv = process.env): Promise<T> {
  const postgres = await startPostgres(env);
  try {
    return await use(postgres);
  } finally {
    await postgres.stop();
  }
}
