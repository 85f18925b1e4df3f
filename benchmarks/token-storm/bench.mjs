// Token storm: authenticated request latency while 100 concurrent clients send wrong client secrets to /ims/token/v3.
// Runs a real `activator serve` (from source) in a child process; ACTIVATOR_BENCH_REPO points at another checkout to
// measure an older version. Extra server settings come from ACTIVATOR_BENCH_SERVER_ENV (JSON).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

const repo = process.env.ACTIVATOR_BENCH_REPO ?? path.resolve(import.meta.dirname, '../..');
const extraEnv = JSON.parse(process.env.ACTIVATOR_BENCH_SERVER_ENV ?? '{}');
const PORT = 18_000 + Math.floor(Math.random() * 1000);
const BASE = `http://127.0.0.1:${PORT}`;
const STORM = 100;
const AUTHENTICATED_CLIENTS = 4;
const SECONDS = 10;
const ADMIN = { email: 'bench@example.com', password: 'bench password 123' };

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
function request(method, url, { headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const target = new URL(url, BASE);
    const req = http.request({ agent, method, host: target.hostname, port: target.port, path: target.pathname + target.search, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function waitUntilUp() {
  for (let i = 0; i < 300; i += 1) {
    try {
      if ((await request('GET', '/healthz')).status === 200) return;
    } catch { /* not yet */ }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error('server did not start');
}

async function credential() {
  const login = await request('POST', '/api/v1/session', { headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) });
  const cookie = String(login.headers['set-cookie']).split(';')[0];
  const { csrfToken } = JSON.parse(login.text);
  const created = await request('POST', '/api/v1/admin/credentials', {
    headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken }, body: JSON.stringify({ name: 'bench', admin: true, roleIds: [] }),
  });
  const { clientId, clientSecret } = JSON.parse(created.text);
  const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }).toString();
  const token = JSON.parse((await request('POST', '/ims/token/v3', { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form })).text).access_token;
  return { clientId, headers: { authorization: `Bearer ${token}`, 'x-api-key': clientId, 'x-gw-ims-org-id': 'ACTIVATOR@Org' } };
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

/** Authenticated GETs for SECONDS; with `storm`, STORM clients send wrong secrets meanwhile. */
async function measure(caller, storm) {
  const deadline = performance.now() + SECONDS * 1000;
  const latencies = [];
  const stormStatuses = new Map();
  const authenticated = async () => {
    while (performance.now() < deadline) {
      const started = performance.now();
      const res = await request('GET', '/data/foundation/sandbox-management/sandboxes', { headers: caller.headers });
      if (res.status !== 200) throw new Error(`authenticated request answered ${res.status}`);
      latencies.push(performance.now() - started);
    }
  };
  const attacker = async (i) => {
    while (performance.now() < deadline) {
      const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: caller.clientId, client_secret: `wrong-${i}-${Math.random()}` }).toString();
      const res = await request('POST', '/ims/token/v3', { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form });
      stormStatuses.set(res.status, (stormStatuses.get(res.status) ?? 0) + 1);
    }
  };
  await Promise.all([
    ...Array.from({ length: AUTHENTICATED_CLIENTS }, authenticated),
    ...(storm ? Array.from({ length: STORM }, (_, i) => attacker(i)) : []),
  ]);
  const sorted = latencies.sort((a, b) => a - b);
  return { requests: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1), storm: Object.fromEntries(stormStatuses) };
}

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'activator-token-storm-'));
const server = spawn(process.execPath, [path.join(repo, 'packages/server/bin/activator.js'), 'serve'], {
  env: {
    PATH: process.env.PATH, ACTIVATOR_CLI_FROM_SOURCE: '1', ACTIVATOR_DATA_DIR: dataDir, ACTIVATOR_PORT: String(PORT), ACTIVATOR_HOST: '127.0.0.1',
    ACTIVATOR_ADMIN_EMAIL: ADMIN.email, ACTIVATOR_ADMIN_PASSWORD: ADMIN.password, ACTIVATOR_LOG_LEVEL: 'error', ...extraEnv,
  },
  stdio: ['ignore', 'ignore', 'inherit'],
});
try {
  await waitUntilUp();
  const caller = await credential();
  const quiet = await measure(caller, false);
  const stormy = await measure(caller, true);
  const ms = (v) => Math.round(v * 10) / 10;
  console.error(`quiet:  ${quiet.requests} requests, p50 ${ms(quiet.p50)} ms, p99 ${ms(quiet.p99)} ms, max ${ms(quiet.max)} ms`);
  console.error(`storm:  ${stormy.requests} requests, p50 ${ms(stormy.p50)} ms, p99 ${ms(stormy.p99)} ms, max ${ms(stormy.max)} ms; token answers ${JSON.stringify(stormy.storm)}`);
  console.log(JSON.stringify({
    rows: [
      { measurement: 'authenticated p50, quiet', value: quiet.p50, unit: 'ms' },
      { measurement: 'authenticated p99, quiet', value: quiet.p99, unit: 'ms' },
      { measurement: `authenticated p50, ${STORM} wrong-secret clients`, value: stormy.p50, unit: 'ms' },
      { measurement: `authenticated p99, ${STORM} wrong-secret clients`, value: stormy.p99, unit: 'ms' },
    ],
    notes: [`token answers during the storm: ${JSON.stringify(stormy.storm)}`],
  }));
} finally {
  server.kill('SIGTERM');
  await new Promise((resolve) => server.once('exit', resolve));
  agent.destroy();
  rmSync(dataDir, { recursive: true, force: true });
}
