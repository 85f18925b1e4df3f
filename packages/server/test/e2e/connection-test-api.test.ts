// POST/GET /data/foundation/flowservice/connections/{id}/test (SPEC §6.7) end to end, against the real landing zone,
// OpenSSH sshd, s3rver (behind its signature-checking front) and Azurite (behind its Shared Key front) on loopback.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { specRef, SPEC_ID, targetBody } from '../support/connection-bodies.js';
import { PERMISSION_MESSAGE, SANDBOXES } from '../support/e2e-expectations.js';
import { expectFlowError, expectFlowNotFound, FLOW_SERVICE, flowServiceClient, type FlowServiceClient } from '../support/flow-service-expectations.js';
import { startAzurite, type AzuriteServer } from '../support/with-azurite.js';
import { closedLoopbackPort, startS3Server, type S3Server } from '../support/with-s3-server.js';
import { sftpServerUnavailable, startSftpServer, type TestSftpServer } from '../support/with-sftp-server.js';
import { createTestApp, type TestApp, type TestCaller } from '../support/with-app.js';

interface Report {
  result: boolean;
  steps: Array<{ step: string; status: string; durationMs: number }>;
  location: string;
  error?: { code: string; message: string };
  hostKeyFingerprint?: string;
}

const ALL_OK = ['connect ok', 'write ok', 'delete ok'];
/** The e-mail destinations of SPEC §6.1 that connection-bodies.ts does not name. */
const RESPONSYS = 'a5e28ddf-e265-426e-83a1-9d03a3a6822b';
const SFMC = 'f599a5b3-60a7-4951-950a-cc4115c7ea27';
const stepsOf = (report: Report) => report.steps.map(({ step, status }) => `${step} ${status}`);

describe('connection test API', () => {
  let t: TestApp;
  let admin: TestCaller;
  let client: FlowServiceClient;
  /** Every response body, and every secret sent, searched for each other at the end. */
  const bodies: string[] = [];
  const secrets: string[] = ['S3CR3T'];

  const created = async (pathName: string, body: unknown): Promise<string> => {
    const res = await client.post(pathName, body);
    expect(res.statusCode, res.body).toBe(201);
    return res.json<{ id: string }>().id;
  };
  const baseConnection = (name: string, specId: string, auth?: { specName: string; params: Record<string, unknown> }) =>
    created('/connections', { name, connectionSpec: specRef(specId), ...(auth === undefined ? {} : { auth }) });
  const targetConnection = (baseId: string, specId: string, params: Record<string, unknown>) => created('/targetConnections', targetBody(baseId, specId, params));
  /** POSTs a test and returns the 200 report. */
  const testReport = async (baseId: string, body?: unknown): Promise<Report> => {
    const res = await client.post(`/connections/${baseId}/test`, body);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<Report>();
  };

  beforeAll(async () => {
    t = await createTestApp();
    admin = await t.caller({ admin: true });
    client = flowServiceClient(t, admin, { log: bodies });
  });
  afterAll(async () => t.close());

  describe('on the Data Landing Zone', () => {
    let dlzBase: string;
    const prodRoot = () => path.join(t.dataDir, 'dlz', 'prod');

    beforeAll(async () => {
      dlzBase = await baseConnection('Landing zone', SPEC_ID.dlz);
      await targetConnection(dlzBase, SPEC_ID.dlz, { path: 'exports/%SEGMENT_NAME%/%SEGMENT_ID%' });
    });

    it('tests the only target connection without a body: every step ok, the probe removed afterwards', async () => {
      const report = await testReport(dlzBase);
      expect({ ...report, steps: stepsOf(report) }).toEqual({ result: true, steps: ALL_OK, location: 'dlz:///exports/' });
      for (const step of report.steps) expect(Number.isInteger(step.durationMs) && step.durationMs >= 0).toBe(true);
      expect(readdirSync(path.join(prodRoot(), 'exports'))).toEqual([]);
    });

    it('accepts an empty body sent with Content-Type: application/json', async () => {
      const res = await t.inject({ method: 'POST', url: `${FLOW_SERVICE}/connections/${dlzBase}/test`, headers: admin.headers({ 'content-type': 'application/json' }), payload: '' });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json<Report>().result).toBe(true);
    });

    it('answers the AEP GET form with {"result": true} only', async () => {
      const res = await client.get(`/connections/${dlzBase}/test`);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toEqual({ result: true });
    });

    it('answers 400 "Specify targetConnectionId or params" without a body once two target connections use the base connection, and tests the one named', async () => {
      const second = await targetConnection(dlzBase, SPEC_ID.dlz, { path: 'second' });
      expectFlowError(await client.post(`/connections/${dlzBase}/test`, undefined), 'FLOW-1420-400', 'Specify targetConnectionId or params');
      expectFlowError(await client.get(`/connections/${dlzBase}/test`), 'FLOW-1420-400', 'Specify targetConnectionId or params');
      const named = await testReport(dlzBase, { targetConnectionId: second });
      expect(named).toMatchObject({ result: true, location: 'dlz:///second/' });
      const unsaved = await testReport(dlzBase, { params: { path: 'unsaved/%SEGMENT_ID%' } });
      expect(unsaved).toMatchObject({ result: true, location: 'dlz:///unsaved/' });
    });

    it("probes the landing zone of the request's sandbox (<dataDir>/dlz/<sandboxName>), and answers 404 for another sandbox's connection", async () => {
      const created = await t.inject({
        method: 'POST', url: SANDBOXES, headers: admin.headers({ 'content-type': 'application/json' }),
        payload: JSON.stringify({ name: 'dev', title: 'Development', type: 'development' }),
      });
      expect(created.statusCode, created.body).toBe(201);
      const dev = flowServiceClient(t, admin, { sandbox: 'dev', log: bodies });
      const res = await dev.post('/connections', { name: 'Dev landing zone', connectionSpec: specRef(SPEC_ID.dlz) });
      expect(res.statusCode, res.body).toBe(201);
      const devBase = res.json<{ id: string }>().id;
      const tested = await dev.post(`/connections/${devBase}/test`, { params: { path: 'dev-only' } });
      expect(tested.statusCode, tested.body).toBe(200);
      expect(tested.json<Report>()).toMatchObject({ result: true, location: 'dlz:///dev-only/' });
      expect(readdirSync(path.join(t.dataDir, 'dlz', 'dev', 'dev-only'))).toEqual([]);
      expect(readdirSync(prodRoot())).not.toContain('dev-only');
      expectFlowNotFound(await client.post(`/connections/${devBase}/test`, undefined), 'connections', devBase);
    });

    it('answers an unknown connection with the 404 of GET /connections/{id}', async () => {
      const id = 'c0ffee00-0000-4000-8000-000000000000';
      expectFlowNotFound(await client.get(`/connections/${id}`), 'connections', id);
      expectFlowNotFound(await client.post(`/connections/${id}/test`, undefined), 'connections', id);
      expectFlowNotFound(await client.get(`/connections/${id}/test`), 'connections', id);
    });

    it('answers 403 without Manage Destinations, on POST and GET, and writes nothing', async () => {
      const reader = flowServiceClient(t, await t.caller({ roles: ['Read only'], name: 'reader' }));
      for (const res of [await reader.post(`/connections/${dlzBase}/test`, { params: { path: 'forbidden' } }), await reader.get(`/connections/${dlzBase}/test`)]) {
        expectFlowError(res, 'FLOW-2120-403', PERMISSION_MESSAGE);
        expect(res.headers['x-activator-missing-permissions']).toBe('Manage Destinations');
      }
      expect(readdirSync(prodRoot())).not.toContain('forbidden');
    });

    it('records each POST in the audit log as connection.test on the base connection', async () => {
      await testReport(dlzBase, { params: { path: 'audited' } });
      const res = await t.inject({ method: 'GET', url: `/api/v1/admin/audit?action=connection.test&objectId=${dlzBase}&limit=100`, headers: admin.headers() });
      expect(res.statusCode, res.body).toBe(200);
      const entries = res.json<{ items: Array<{ objectType: string; outcome: string; details: { params?: { path?: string } } }> }>().items;
      // Every test of this block was audited; the fake clock gives them one timestamp, so find this one by its details.
      expect(entries.length).toBeGreaterThan(1);
      expect(entries.find((entry) => entry.details.params?.path === 'audited')).toMatchObject({ objectType: 'connection', outcome: 'success' });
    });

    it('describes both routes with their schemas in /openapi.json', async () => {
      const res = await t.inject({ method: 'GET', url: '/openapi.json' });
      const operations = res.json<{ paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: { properties?: Record<string, unknown> } }> }> }>> }>()
        .paths[`${FLOW_SERVICE}/connections/{id}/test`];
      expect(Object.keys(operations ?? {}).sort()).toEqual(['get', 'post']);
      expect(Object.keys(operations?.post?.responses['200']?.content?.['application/json']?.schema.properties ?? {}).sort()).toEqual(
        ['error', 'hostKeyFingerprint', 'location', 'result', 'steps'],
      );
      expect(Object.keys(operations?.get?.responses['200']?.content?.['application/json']?.schema.properties ?? {})).toEqual(['result']);
    });
  });

  describe.skipIf(sftpServerUnavailable() !== undefined)(`on SFTP (OpenSSH sshd) ${sftpServerUnavailable() ?? ''}`, () => {
    let sftp: TestSftpServer;
    const sftpAuth = (params: Record<string, unknown> = {}) => ({
      specName: 'Basic Authentication for sftp',
      params: { domain: sftp.host, port: sftp.port, username: sftp.users.password.username, password: sftp.users.password.password, ...params },
    });

    beforeAll(async () => {
      sftp = await startSftpServer();
      secrets.push(sftp.users.password.password);
    });
    afterAll(async () => sftp?.stop());

    it('reports success and the host key fingerprint the server presented, and removes the probe', async () => {
      const base = await baseConnection('SFTP', SPEC_ID.sftp, sftpAuth());
      await targetConnection(base, SPEC_ID.sftp, { remotePath: 'upload/%SEGMENT_ID%' });
      const report = await testReport(base);
      expect({ ...report, steps: stepsOf(report) }).toEqual({
        result: true, steps: ALL_OK, location: `sftp://${sftp.host}:${sftp.port}/upload/`, hostKeyFingerprint: sftp.hostKeyFingerprint,
      });
      expect(readdirSync(path.join(sftp.root, 'upload'))).toEqual([]);
    });

    it('logs in with an SSH key sent as the Base64 of the key file', async () => {
      const base = await baseConnection('SFTP key', SPEC_ID.sftp, {
        specName: 'SSH PublicKey Authentication for sftp',
        params: { host: sftp.host, port: sftp.port, username: sftp.users.key.username, sshKey: Buffer.from(sftp.users.key.privateKeyPem).toString('base64') },
      });
      const report = await testReport(base, { params: { path: 'keyed' } });
      expect({ result: report.result, steps: stepsOf(report), error: report.error }).toEqual({ result: true, steps: ALL_OK, error: undefined });
    });

    it.each([
      ['Oracle Eloqua (Files)', SPEC_ID.eloqua, 'SFTP with Password'],
      ['Oracle Responsys', RESPONSYS, 'SFTP with Password'],
      ['Salesforce Marketing Cloud (Files)', SFMC, 'SFTP with SSH Key'],
      ['Adobe Campaign', SPEC_ID.campaign, 'SFTP with SSH Key'],
    ])('tests %s over SFTP (%s) like the SFTP destination', async (name, specId, specName) => {
      const withKey = specName === 'SFTP with SSH Key';
      const user = withKey ? sftp.users.key : sftp.users.password;
      const base = await baseConnection(name, specId, {
        specName,
        params: {
          domain: sftp.host, port: sftp.port, username: user.username,
          ...(withKey ? { sshKey: Buffer.from(sftp.users.key.privateKeyPem).toString('base64') } : { password: sftp.users.password.password }),
        },
      });
      const report = await testReport(base, { params: { path: 'email' } });
      expect({ ...report, steps: stepsOf(report) }).toEqual({
        result: true, steps: ALL_OK, location: `sftp://${sftp.host}:${sftp.port}/email/`, hostKeyFingerprint: sftp.hostKeyFingerprint,
      });
      expect(readdirSync(path.join(sftp.root, 'email'))).toEqual([]);
    });

    it('fails with HOST_KEY_MISMATCH when another fingerprint is pinned, reports the presented one, and writes nothing', async () => {
      const pinned = `SHA256:${'A'.repeat(43)}`;
      const base = await baseConnection('SFTP pinned', SPEC_ID.sftp, sftpAuth({ hostKeyFingerprint: pinned }));
      const report = await testReport(base, { params: { path: 'pinned' } });
      expect({ result: report.result, steps: stepsOf(report), code: report.error?.code, hostKeyFingerprint: report.hostKeyFingerprint }).toEqual({
        result: false, steps: ['connect failed'], code: 'HOST_KEY_MISMATCH', hostKeyFingerprint: sftp.hostKeyFingerprint,
      });
      expect(report.error?.message).toContain(pinned);
      expect(readdirSync(sftp.root)).not.toContain('pinned');
    });

    it('fails with AUTH_FAILED for a wrong password, without echoing it', async () => {
      const base = await baseConnection('SFTP wrong password', SPEC_ID.sftp, sftpAuth({ password: 'S3CR3T-wrong-sftp-password' }));
      const report = await testReport(base, { params: { path: 'denied' } });
      expect({ result: report.result, steps: stepsOf(report), code: report.error?.code }).toEqual({ result: false, steps: ['connect failed'], code: 'AUTH_FAILED' });
      expect(report.error?.message).not.toContain('S3CR3T');
    });

    it('fails with UNREACHABLE on a closed port, naming where it tried', async () => {
      const port = await closedLoopbackPort();
      const base = await baseConnection('SFTP closed', SPEC_ID.sftp, sftpAuth({ port }));
      const report = await testReport(base, { params: { path: 'x' } });
      expect({ result: report.result, steps: stepsOf(report), code: report.error?.code }).toEqual({ result: false, steps: ['connect failed'], code: 'UNREACHABLE' });
      expect(report.error?.message).toContain(String(port));
    });
  });

  describe('on S3 (s3rver behind a signature-checking front)', () => {
    let s3: S3Server;
    const s3Auth = (params: Record<string, unknown> = {}) => ({
      specName: 'Access Key',
      params: { s3AccessKey: s3.accessKeyId, s3SecretKey: s3.secretAccessKey, endpoint: s3.endpoint, forcePathStyle: true, ...params },
    });

    beforeAll(async () => {
      s3 = await startS3Server();
      secrets.push(s3.secretAccessKey, s3.readOnlySecretAccessKey);
    });
    afterAll(async () => s3?.stop());

    it('reports success at s3://<bucket>/<folder>/ and leaves no object behind', async () => {
      const base = await baseConnection('S3', SPEC_ID.s3, s3Auth());
      const report = await testReport(base, { params: { bucketName: s3.bucket, path: 'activator/%SEGMENT_NAME%' } });
      expect({ ...report, steps: stepsOf(report) }).toEqual({ result: true, steps: ALL_OK, location: `s3://${s3.bucket}/activator/` });
      expect(await s3.listKeys()).toEqual([]);
      expect(await s3.pendingUploads()).toEqual([]);
    });

    it('tests Google Cloud Storage (HMAC keys) and Adobe Campaign over S3 through the same transport', async () => {
      const gcs = await baseConnection('GCS', SPEC_ID.gcs, {
        specName: 'HMAC Key', params: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey, endpoint: s3.endpoint },
      });
      const gcsReport = await testReport(gcs, { params: { bucketName: s3.bucket, path: 'gcs' } });
      expect({ ...gcsReport, steps: stepsOf(gcsReport) }).toEqual({ result: true, steps: ALL_OK, location: `gs://${s3.bucket}/gcs/` });
      const campaign = await baseConnection('Campaign S3', SPEC_ID.campaign, { ...s3Auth(), specName: 'S3' });
      const campaignReport = await testReport(campaign, { params: { bucketName: s3.bucket, path: 'campaign/%SEGMENT_ID%' } });
      expect({ ...campaignReport, steps: stepsOf(campaignReport) }).toEqual({ result: true, steps: ALL_OK, location: `s3://${s3.bucket}/campaign/` });
      expect(await s3.listKeys()).toEqual([]);
    });

    it('fails with AUTH_FAILED for a wrong secret key, without echoing it', async () => {
      const base = await baseConnection('S3 wrong secret', SPEC_ID.s3, s3Auth({ s3SecretKey: 'S3CR3T-wrong-secret-key' }));
      const report = await testReport(base, { params: { bucketName: s3.bucket } });
      expect({ result: report.result, code: report.error?.code }).toEqual({ result: false, code: 'AUTH_FAILED' });
      expect(report.steps[0]).toMatchObject({ step: 'connect', status: 'failed' });
      expect(report.error?.message).not.toContain('S3CR3T');
    });

    it('fails with NOT_FOUND for a bucket that does not exist', async () => {
      const base = await baseConnection('S3 missing bucket', SPEC_ID.s3, s3Auth());
      const report = await testReport(base, { params: { bucketName: 'no-such-bucket' } });
      expect({ result: report.result, steps: stepsOf(report), code: report.error?.code, location: report.location }).toEqual({
        result: false, steps: ['connect failed'], code: 'NOT_FOUND', location: 's3://no-such-bucket/',
      });
      expect(report.error?.message).toContain('no-such-bucket');
    });

    it('fails with PERMISSION_DENIED at the write step for a read-only key', async () => {
      const base = await baseConnection('S3 read-only', SPEC_ID.s3, s3Auth({ s3AccessKey: s3.readOnlyAccessKeyId, s3SecretKey: s3.readOnlySecretAccessKey }));
      const report = await testReport(base, { params: { bucketName: s3.bucket, path: 'activator' } });
      expect({ result: report.result, steps: stepsOf(report), code: report.error?.code }).toEqual({ result: false, steps: ['connect ok', 'write failed'], code: 'PERMISSION_DENIED' });
      expect(report.error?.message).toContain(`s3://${s3.bucket}/activator/`);
      expect(await s3.listKeys()).toEqual([]);
    });

    it('fails with UNREACHABLE when nothing listens at the endpoint', async () => {
      const base = await baseConnection('S3 closed', SPEC_ID.s3, s3Auth({ endpoint: `http://127.0.0.1:${await closedLoopbackPort()}` }));
      const report = await testReport(base, { params: { bucketName: s3.bucket } });
      expect({ result: report.result, steps: stepsOf(report), code: report.error?.code }).toEqual({ result: false, steps: ['connect failed'], code: 'UNREACHABLE' });
    });
  });

  describe('on Azure Blob (Azurite behind a Shared Key front)', () => {
    let azure: AzuriteServer;
    beforeAll(async () => {
      azure = await startAzurite();
      secrets.push(azure.accountKey);
    });
    afterAll(async () => azure?.stop());

    it('reports success and leaves no blob behind; a missing container is NOT_FOUND', async () => {
      const base = await baseConnection('Blob', SPEC_ID.azureBlob, { specName: 'ConnectionString', params: { connectionString: azure.connectionString } });
      const report = await testReport(base, { params: { container: azure.container, path: 'crm' } });
      expect({ result: report.result, steps: stepsOf(report), error: report.error }).toEqual({ result: true, steps: ALL_OK, error: undefined });
      const blobs: string[] = [];
      for await (const blob of azure.direct.listBlobsFlat({ includeUncommitedBlobs: true })) blobs.push(blob.name);
      expect(blobs).toEqual([]);
      const missing = await testReport(base, { params: { container: 'no-such-container' } });
      expect({ result: missing.result, code: missing.error?.code }).toEqual({ result: false, code: 'NOT_FOUND' });
    });

    it('tests Adobe Campaign over Azure Blob through the same transport', async () => {
      const base = await baseConnection('Campaign Blob', SPEC_ID.campaign, { specName: 'Azure Blob', params: { connectionString: azure.connectionString } });
      const report = await testReport(base, { params: { container: azure.container, path: 'campaign' } });
      expect({ result: report.result, steps: stepsOf(report), error: report.error }).toEqual({ result: true, steps: ALL_OK, error: undefined });
    });
  });

  it('never shows a secret in any answer', () => {
    expect(secrets.length).toBeGreaterThan(0);
    for (const body of bodies) for (const secret of secrets) expect(body).not.toContain(secret);
  });
});
