// Proof that connection secrets never leak (SPEC §2.7, §2.8): not in responses, logs, audit entries, nor in plain text in the database.
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  baseBodies, generateSshKeyBase64, secretNeedles, secretSet, SPEC_ID, specRef, targetBody, type SecretSet,
} from '../support/connection-bodies.js';
import { flowServiceClient, type FlowServiceClient, type ResponseLog } from '../support/flow-service-expectations.js';
import { describeOnEachStore } from '../support/on-each-store.js';
import { createTestApp, type TestApp, type TestCaller } from '../support/with-app.js';

const MASK = '********';
/** SPEC §2.8: `v1:<nonce b64>:<ciphertext+tag b64>`, the nonce 96 bits (16 Base64 characters). */
const CIPHERTEXT = /^v1:[A-Za-z0-9+/]{16}:[A-Za-z0-9+/]+=*$/;

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(path.join(dir, entry.name)) : [path.join(dir, entry.name)],
  );
}

/** The text of every row of every table of the public schema. */
async function postgresDump(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const tables = await client.query<{ table_name: string }>("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'");
    const rows: string[] = [];
    for (const { table_name: table } of tables.rows) {
      const result = await client.query<{ row: string }>(`SELECT t::text AS row FROM "${table.replaceAll('"', '""')}" t`);
      rows.push(...result.rows.map((r) => `${table}: ${r.row}`));
    }
    return rows.join('\n');
  } finally {
    await client.end();
  }
}

function expectNoSecret(haystack: string | Buffer, needles: readonly string[], where: string): void {
  for (const needle of needles) expect(haystack.includes(needle), `${where} contains the secret ${needle.slice(0, 12)}…`).toBe(false);
}

describeOnEachStore('Flow Service connection secrets', (storeEnv) => {
  let t: TestApp;
  let env: Record<string, string>;
  let admin: TestCaller;
  let fs: FlowServiceClient;
  let secrets: SecretSet;
  let needles: string[];
  const responses: ResponseLog = [];
  const ids: Record<string, string> = {};
  const label = () => `Leak check ${secrets.marker}`;

  const ok = async (promise: Promise<LightMyRequestResponse>, status: number) => {
    const res = await promise;
    expect(res.statusCode, res.body).toBe(status);
    return res;
  };
  const etagOf = async (id: string) => (await ok(fs.get(`/connections/${id}`), 200)).json<{ items: { etag: string }[] }>().items[0]?.etag ?? '';

  beforeAll(async () => {
    env = await storeEnv();
    t = await createTestApp(env);
    admin = await t.caller({ admin: true });
    fs = flowServiceClient(t, admin, { log: responses });
    secrets = secretSet(randomBytes(8).toString('hex'), generateSshKeyBase64());
    needles = secretNeedles(secrets);

    // Create one connection per secret kind, read them, list them, patch secrets, and provoke errors with secrets in the body.
    for (const [key, body] of Object.entries({
      s3: baseBodies.s3(secrets, label()), sftp: baseBodies.sftpPassword(secrets, label()), ssh: baseBodies.sftpSshKey(secrets, label()),
      azure: baseBodies.azureBlob(secrets, label()), gcs: baseBodies.gcs(secrets, label()),
      campaign: { name: label(), auth: { specName: 'S3', params: { s3AccessKey: 'AKIA', s3SecretKey: secrets.s3SecretKey } }, connectionSpec: specRef(SPEC_ID.campaign) },
    })) {
      ids[key] = (await ok(fs.post('/connections', body), 201)).json<{ id: string }>().id;
      await ok(fs.get(`/connections/${ids[key] ?? ''}`), 200);
    }
    await ok(fs.get('/connections'), 200);
    await ok(fs.get('/connections?limit=2'), 200);
    const sftp = ids.sftp ?? '';
    await ok(fs.patch(`/connections/${sftp}`, [{ op: 'replace', path: '/auth/params/password', value: `${secrets.sftpPassword}-rotated` }], { 'if-match': await etagOf(sftp) }), 200);
    await ok(fs.patch(`/connections/${sftp}`, [{ op: 'replace', path: '/auth/params', value: { domain: 'sftp2.example.com', username: 'acme', password: MASK } }], { 'if-match': await etagOf(sftp) }), 200);
    await ok(fs.patch(`/connections/${sftp}`, [
      { op: 'replace', path: '/auth/specName', value: 'SSH PublicKey Authentication for sftp' },
      { op: 'replace', path: '/auth/params', value: { domain: 'sftp.example.com', username: 'acme', sshKey: secrets.sshKeyBase64 } },
    ], { 'if-match': await etagOf(sftp) }), 200);
    await ok(fs.patch(`/connections/${ids.azure ?? ''}`, [{ op: 'replace', path: '/auth/params/connectionString', value: `${secrets.azureConnectionString};BlobEndpoint=https://acme.blob.core.windows.net` }], { 'if-match': '*' }), 200);
    await ok(fs.post('/targetConnections', targetBody(ids.s3 ?? '', SPEC_ID.s3, { bucketName: 'acme-crm-exports', path: 'x' })), 201);
    // Refused requests carrying secrets: the error messages must not echo them.
    await ok(fs.post('/connections', { ...baseBodies.sftpPassword(secrets), auth: { specName: 'Basic Authentication for sftp', params: { domain: 'bad host!', port: 0, username: 'acme', password: secrets.sftpPassword } } }), 400);
    await ok(fs.post('/connections', { ...baseBodies.azureBlob(secrets), auth: { specName: 'ConnectionString', params: { connectionString: `S3CR3T-${secrets.marker}-not-a-connection-string` } } }), 400);
    await ok(fs.post('/connections', { ...baseBodies.sftpSshKey(secrets), auth: { specName: 'SSH PublicKey Authentication for sftp', params: { domain: 'h', username: 'u', sshKey: `S3CR3T-${secrets.marker}` } } }), 400);
    await ok(fs.post('/connections', { ...baseBodies.s3(secrets), connectionSpec: specRef('4890fc95-5a1f-4983-94bb-e060c08e3f81') }), 400);
    await ok(fs.patch(`/connections/${ids.s3 ?? ''}`, [{ op: 'replace', path: '/auth/params/s3SecretKey', value: `${secrets.s3SecretKey}-stale` }], { 'if-match': '"stale"' }), 412);
    await ok(fs.patch(`/connections/${ids.s3 ?? ''}`, [{ op: 'replace', path: '/auth/params/s3SecretKey', value: `${secrets.s3SecretKey}-bad` }, { op: 'replace', path: '/auth/params/port', value: 1 }], { 'if-match': '*' }), 400);
  });
  afterAll(async () => t.close());

  it('stores each secret as v1:<nonce>:<ciphertext> and decrypts it back to the value sent', async () => {
    const module = t.runtime.services.flowService;
    const sandboxId = (await fs.get(`/connections/${ids.s3 ?? ''}`)).json<{ items: { sandboxId: string }[] }>().items[0]?.sandboxId ?? '';
    const document = await t.runtime.store.sandbox(sandboxId).documents.get('connections', ids.s3 ?? '');
    const storedParams = (document?.data as { authParams: Record<string, unknown> }).authParams;
    expect(storedParams.s3SecretKey).toMatch(CIPHERTEXT);
    expect(storedParams.s3AccessKey).toBe('AKIAIOSFODNN7EXAMPLE');
    const scope = module.sandboxStore(sandboxId);
    expect((await module.bases.get(scope, ids.s3 ?? '')).authParams.s3SecretKey).toBe(secrets.s3SecretKey);
    expect((await module.bases.get(scope, ids.sftp ?? '')).authParams.sshKey).toBe(secrets.sshKeyBase64);
    expect((await module.bases.get(scope, ids.gcs ?? '')).authParams.secretAccessKey).toBe(secrets.gcsSecret);
  });

  it('never returns a secret in any response body of this suite', () => {
    expect(responses.length).toBeGreaterThan(15);
    expect(responses.join('\n')).toContain(label());
    expect(responses.join('\n')).toContain(MASK);
    expectNoSecret(responses.join('\n'), needles, 'a response');
  });

  it('never writes a secret to the log', () => {
    expect(t.logLines.length).toBeGreaterThan(0);
    expectNoSecret(t.logLines.join('\n'), needles, 'the log');
  });

  it('records connection changes in the audit log with every secret replaced by ********', async () => {
    const res = await t.inject({ method: 'GET', url: '/api/v1/admin/audit?limit=200', headers: admin.headers() });
    expect(res.statusCode, res.body).toBe(200);
    responses.push(res.body);
    expectNoSecret(res.body, needles, 'the audit log');
    const entries = res.json<{ items: { action: string; objectId: string; details: Record<string, unknown> }[] }>().items;
    const created = entries.find((entry) => entry.action === 'connection.create' && entry.objectId === ids.s3);
    expect(created?.details).toMatchObject({ name: label(), auth: { specName: 'Access Key', params: { s3SecretKey: MASK } } });
    const patches = entries.filter((entry) => entry.action === 'connection.patch' && entry.objectId === ids.sftp);
    expect(patches).toHaveLength(3);
    expect(JSON.stringify(patches.map((entry) => entry.details))).toContain('"value":"********"');
  });

  it('keeps no secret in plain text in any file of the data directory (the SQLite database and its WAL included)', () => {
    const files = filesUnder(t.dataDir);
    const sqlite = env.ACTIVATOR_DATABASE_URL === undefined;
    if (sqlite) expect(files.map((file) => path.basename(file))).toContain('activator.db');
    const bytes = Buffer.concat(files.map((file) => readFileSync(file)));
    // The search works: the connection names are there in clear (in the database file or its WAL).
    if (sqlite) expect(bytes.includes(label())).toBe(true);
    expectNoSecret(bytes, needles, t.dataDir);
  });

  it('keeps no secret in plain text in any PostgreSQL table', async (context) => {
    const url = env.ACTIVATOR_DATABASE_URL;
    if (url === undefined) {
      context.skip('this run uses SQLite (checked by the data directory test)');
      return;
    }
    const dump = await postgresDump(url);
    expect(dump).toContain(label());
    expect(dump).toMatch(/scoped_documents: .*v1:/);
    expectNoSecret(dump, needles, 'PostgreSQL');
  });
});
