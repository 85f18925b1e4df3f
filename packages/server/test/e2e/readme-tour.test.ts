// End-to-end: the README's tour, run by bash against a real `activator serve`, and the CLI's start-up contract.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repoRoot = path.resolve(import.meta.dirname, '../../../..');
const serverRoot = path.join(repoRoot, 'packages/server');
/** The same shim `npx activator` runs: dist/cli/main.js, or the sources through tsx when there is no build. */
const activatorBin = path.join(serverRoot, 'bin/activator.js');

/** Newest modification time of the server's non-test sources. */
function newestSourceMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSourceMtime(full));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

/** A build older than the sources would test yesterday's code: run the sources instead. */
function cliEnvironment(): Record<string, string> {
  const compiled = path.join(serverRoot, 'dist/cli/main.js');
  if (!existsSync(compiled)) return {};
  return statSync(compiled).mtimeMs < newestSourceMtime(path.join(serverRoot, 'src')) ? { ACTIVATOR_CLI_FROM_SOURCE: '1' } : {};
}

/** The inherited environment without any ACTIVATOR_* setting of the developer's shell. */
function baseEnvironment(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith('ACTIVATOR_')) env[name] = value;
  return { ...env, NO_COLOR: '1', ACTIVATOR_HOST: '127.0.0.1', ACTIVATOR_LOG_LEVEL: 'info', ...cliEnvironment(), ...extra };
}

/** The shell commands between `<!-- tour:start -->` and `<!-- tour:end -->` in README.md (its ```sh blocks). */
function readmeTourScript(): string {
  return documentedScript('README.md', 'tour');
}

/** The ```sh blocks between `<!-- <marker>:start -->` and `<!-- <marker>:end -->` of a Markdown file. */
function documentedScript(file: string, marker: string): string {
  const text = readFileSync(path.join(repoRoot, file), 'utf8');
  const section = new RegExp(`<!-- ${marker}:start -->([\\s\\S]*?)<!-- ${marker}:end -->`).exec(text)?.[1];
  if (section === undefined) throw new Error(`${file} has no <!-- ${marker}:start --> … <!-- ${marker}:end --> section`);
  const blocks = [...section.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((match) => match[1] ?? '');
  if (blocks.length === 0) throw new Error(`the ${marker} section of ${file} has no \`\`\`sh block`);
  return blocks.join('\n');
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

interface Finished {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A child process we started; every one is stopped in afterAll (and on exit, as a last resort). */
interface Started {
  readonly child: ChildProcess;
  readonly finished: Promise<Finished>;
  output(): string;
}

const children = new Set<ChildProcess>();
const killAllOnExit = () => {
  for (const child of children) child.kill('SIGKILL');
};
process.once('exit', killAllOnExit);

function start(command: string, args: readonly string[], env: NodeJS.ProcessEnv): Started {
  const child = spawn(command, args, { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const finished = new Promise<Finished>((resolve) => {
    child.once('error', (error) => {
      stderr += String(error);
      children.delete(child);
      resolve({ code: null, stdout, stderr });
    });
    child.once('close', (code) => {
      children.delete(child);
      resolve({ code, stdout, stderr });
    });
  });
  return { child, finished, output: () => `--- stdout\n${stdout}\n--- stderr\n${stderr}` };
}

/** Runs to completion, killed after `timeoutMs`. */
async function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs = 20_000): Promise<Finished> {
  const started = start(command, args, env);
  const timer = setTimeout(() => started.child.kill('SIGKILL'), timeoutMs);
  try {
    return await started.finished;
  } finally {
    clearTimeout(timer);
  }
}

const activator = (args: readonly string[], env: Record<string, string>) => run(process.execPath, [activatorBin, ...args], baseEnvironment(env));

async function stop(started: Started): Promise<Finished> {
  if (started.child.exitCode === null && started.child.signalCode === null) {
    started.child.kill('SIGTERM');
    const timer = setTimeout(() => started.child.kill('SIGKILL'), 5_000);
    try {
      return await started.finished;
    } finally {
      clearTimeout(timer);
    }
  }
  return started.finished;
}

interface RunningServe extends Started {
  readonly url: string;
}

/** Waits for GET /healthz to answer 200; throws with the process output when it exits or times out. */
async function waitForHealthy(started: Started, url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void started.finished.then(() => (exited = true));
  while (Date.now() < deadline) {
    if (exited) throw new Error(`activator serve exited before it was healthy\n${started.output()}`);
    try {
      if ((await fetch(`${url}/healthz`)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`activator serve was not healthy within ${timeoutMs} ms\n${started.output()}`);
}

/**
 * Starts `activator serve` on a free loopback port chosen here; `invocation(port)` gives the
 * arguments and environment. Retries when another process took the port in between.
 */
async function startServe(invocation: (port: number) => { args: readonly string[]; env: Record<string, string> }): Promise<RunningServe> {
  for (let attempt = 1; ; attempt += 1) {
    const port = await freeLoopbackPort();
    const { args, env } = invocation(port);
    const started = start(process.execPath, [activatorBin, 'serve', ...args], baseEnvironment(env));
    const url = `http://127.0.0.1:${port}`;
    try {
      await waitForHealthy(started, url);
      return { ...started, url };
    } catch (error) {
      await stop(started);
      if (attempt >= 3 || !started.output().includes('EADDRINUSE')) throw error;
    }
  }
}

describe('the README tour and the activator command line', () => {
  let root = '';
  let dataDir = '';
  let server: RunningServe | undefined;

  async function cleanUp(): Promise<void> {
    await Promise.all([...children].map((child) => stop({ child, finished: new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout: '', stderr: '' }))), output: () => '' })));
    if (root !== '') rmSync(root, { recursive: true, force: true });
  }

  beforeAll(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'activator-readme-'));
    dataDir = path.join(root, 'data');
    try {
      server = await startServe((port) => ({ args: [], env: { ACTIVATOR_PORT: String(port), ACTIVATOR_DATA_DIR: dataDir } }));
    } catch (error) {
      await cleanUp();
      throw error;
    }
  }, 60_000);

  afterAll(async () => {
    await cleanUp();
    process.removeListener('exit', killAllOnExit);
  }, 30_000);

  it('prints the generated bootstrap admin password once, in a warn log line, at first start', async () => {
    const bootstrapLines = () => (server?.output().split('\n').slice(0, -1).filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>) ?? [])
      .filter((line) => line['level'] === 'warn' && typeof line['initialPassword'] === 'string');
    // The line is written before the first request is answered, but the pipe may deliver it after the health check's answer.
    for (let waited = 0; bootstrapLines().length === 0 && waited < 5_000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
    const bootstrap = bootstrapLines();
    expect(bootstrap).toHaveLength(1);
    expect(bootstrap[0]?.['email']).toBe('admin@localhost');
  });

  it('runs the README tour with bash: it exits 0 and prints the sandbox list (with prod) and the audit log', async () => {
    if (server === undefined) throw new Error('server did not start');
    const result = await run('bash', ['-euo', 'pipefail', '-c', readmeTourScript()], baseEnvironment({ ACTIVATOR_URL: server.url, ACTIVATOR_DATA_DIR: dataDir }), 60_000);
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    const documents = result.stdout.split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as Record<string, unknown>);
    const sandboxes = documents.find((document) => 'sandboxes' in document)?.['sandboxes'] as { name: string; isDefault: boolean }[] | undefined;
    expect(sandboxes?.map((sandbox) => sandbox.name)).toContain('prod');
    const audit = documents.find((document) => 'items' in document)?.['items'] as { action: string; actor: { name: string } }[] | undefined;
    expect(audit).toContainEqual(expect.objectContaining({ action: 'auth.token', actor: expect.objectContaining({ name: 'tour' }) }));
  }, 60_000);

  it('runs the dataflow walkthrough of docs/destinations-and-dataflows.md: SFTP connection, two audiences, PATCH with etag, disable', async () => {
    if (server === undefined) throw new Error('server did not start');
    const script = documentedScript('docs/destinations-and-dataflows.md', 'walkthrough');
    const result = await run('bash', ['-euo', 'pipefail', '-c', script], baseEnvironment({ ACTIVATOR_URL: server.url, ACTIVATOR_DATA_DIR: dataDir }), 90_000);
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    expect(result.stdout).toContain('disabled 07:30');
    expect(result.stdout).toContain('test true connect:ok write:ok delete:ok');
    const flowId = /^flow ([0-9a-f-]{36})$/m.exec(result.stdout)?.[1];
    expect(flowId).toBeDefined();
    for (const text of ['Flash sale VIP', 'Lapsed buyers', 'EVERY_6_HOURS', '07:30', 'person_name_firstName', 'personalEmail_address']) expect(result.stdout).toContain(text);
    expect(result.stdout).not.toContain('change-me-123');
  }, 90_000);

  it('runs the profiles walkthrough of docs/profiles-and-ingestion.md: two datasets, two batches, lookup before and after a pdg default', async () => {
    if (server === undefined) throw new Error('server did not start');
    const script = documentedScript('docs/profiles-and-ingestion.md', 'profiles');
    const result = await run('bash', ['-euo', 'pipefail', '-c', script], baseEnvironment({ ACTIVATOR_URL: server.url, ACTIVATOR_DATA_DIR: dataDir }), 90_000);
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    expect(result.stdout.match(/^batch [0-9A-Z]{26}: success$/gm)).toHaveLength(2);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toContain('ECID:E-9');
    expect(lines.at(-1)).toBe('CRMID:C-1 Jane 120');
  }, 90_000);

  it('runs the segmentation walkthrough of docs/audiences-and-segmentation.md: check, two audiences, preview, job, memberships, schedule', async () => {
    if (server === undefined) throw new Error('server did not start');
    const script = documentedScript('docs/audiences-and-segmentation.md', 'segmentation');
    const result = await run('bash', ['-euo', 'pipefail', '-c', script], baseEnvironment({ ACTIVATOR_URL: server.url, ACTIVATOR_DATA_DIR: dataDir }), 120_000);
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines).toContain('batch customers.csv: success');
    expect(lines).toContain('batch orders.csv: success');
    expect(result.stdout).toContain('loyalty.pionts');
    expect(result.stdout).toContain('loyalty.points');
    expect(result.stdout).toContain('segment check exited with 2');
    // Points >= 1000: S-1 (1,200) and S-3 (5,000); sums of orders: S-1 150, S-2 20, S-3 400, S-4 none.
    expect(lines).toContain('preview: ShopId:S-1 ShopId:S-3');
    expect(lines).toContain('estimate: 2');
    expect(lines).toContain('S-1: realized realized');
    expect(lines).toContain('schedule 0 30 2 * * ? active');
  }, 120_000);

  it('serve --demo ingests the demo set into an empty prod and serves a demo profile through the lookup API', async () => {
    const demoDir = path.join(root, 'demo-data-dir');
    const demo = await startServe((port) => ({ args: ['--demo'], env: { ACTIVATOR_PORT: String(port), ACTIVATOR_DATA_DIR: demoDir } }));
    try {
      const deadline = Date.now() + 120_000;
      while (!demo.output().includes('Look up a demo profile') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 250));
      const output = demo.output();
      expect(output).toMatch(/dataset Demo CRM profiles \([0-9a-f]{24}\): 10000 rows, batch success/);
      expect(output).toMatch(/dataset Demo web events \([0-9a-f]{24}\): 100000 rows, batch success/);
      const clientId = /client id ([0-9a-f]{32})/.exec(output)?.[1] ?? '';
      const clientSecret = /client secret ([A-Za-z0-9_-]{43})/.exec(output)?.[1] ?? '';
      const token = ((await (await fetch(`${demo.url}/ims/token/v3`, { method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }) })).json()) as { access_token: string }).access_token;
      const headers = { authorization: `Bearer ${token}`, 'x-api-key': clientId, 'x-gw-ims-org-id': 'ACTIVATOR@Org' };
      const lookup = await fetch(`${demo.url}/data/core/ups/access/entities?schema.name=_xdm.context.profile&entityIdNS=CRMID&entityId=CRM-00000000`, { headers });
      expect(lookup.status).toBe(200);
      const profile = ((await lookup.json()) as Record<string, { entity: { crmId: string; identities: unknown[] } }>)['CRMID:CRM-00000000'];
      expect(profile?.entity.crmId).toBe('CRM-00000000');
      expect(profile?.entity.identities.length).toBeGreaterThanOrEqual(2);
    } finally {
      await stop(demo);
    }
  }, 180_000);

  it('refuses a second serve on the same data directory, exiting non-zero with a message about the data directory', async () => {
    const result = await activator(['serve', '--port', '0'], { ACTIVATOR_DATA_DIR: dataDir });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/data directory/);
    expect((await fetch(`${server?.url ?? ''}/healthz`)).status).toBe(200);
  });

  it('lets serve --port and --data-dir override ACTIVATOR_PORT and ACTIVATOR_DATA_DIR', async () => {
    const envPort = await freeLoopbackPort();
    const envDir = path.join(root, 'from-env');
    const cliDir = path.join(root, 'from-cli');
    const overridden = await startServe((port) => ({
      args: ['--port', String(port), '--data-dir', cliDir],
      env: { ACTIVATOR_PORT: String(envPort), ACTIVATOR_DATA_DIR: envDir },
    }));
    try {
      expect(existsSync(path.join(cliDir, 'activator.db'))).toBe(true);
      expect(existsSync(envDir)).toBe(false);
      await expect(fetch(`http://127.0.0.1:${envPort}/healthz`)).rejects.toThrow();
    } finally {
      expect((await stop(overridden)).code).toBe(0);
    }
  }, 60_000);

  it('stops start-up on an invalid environment value, naming the variable', async () => {
    const badDir = path.join(root, 'never-created');
    const result = await activator(['serve'], { ACTIVATOR_PORT: 'abc', ACTIVATOR_DATA_DIR: badDir });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('ACTIVATOR_PORT');
    expect(existsSync(badDir)).toBe(false);
  });

  it('lists serve, migrate and admin in --help', async () => {
    const result = await activator(['--help'], {});
    expect(result.code).toBe(0);
    for (const command of ['serve', 'migrate', 'admin']) expect(result.stdout).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));
  });

  it('shows migration 0001 as pending on a fresh data directory, and as applied after migrate', async () => {
    const env = { ACTIVATOR_DATA_DIR: path.join(root, 'migrate') };
    const line0001 = (output: string) => output.split('\n').find((line) => line.includes('0001')) ?? '(no line mentions 0001)';

    const before = await activator(['migrate', '--status'], env);
    expect(before.code, before.stderr).toBe(0);
    expect(line0001(before.stdout)).toMatch(/pending/);

    const migrated = await activator(['migrate'], env);
    expect(migrated.code, migrated.stderr).toBe(0);
    expect(migrated.stdout).toMatch(/0001/);

    const after = await activator(['migrate', '--status'], env);
    expect(after.code, after.stderr).toBe(0);
    expect(line0001(after.stdout)).not.toMatch(/pending/);
    expect(line0001(after.stdout)).toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/);
  });
});
