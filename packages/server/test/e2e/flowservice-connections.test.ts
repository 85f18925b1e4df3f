// Base, source and target connections over HTTP on both stores (SPEC §6.2–§6.5, §1.7, §2.8): create, read, validate, patch, delete.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  baseBodies, generateSshKeyBase64, secretSet, SFTP_FLOW_SPEC, sourceBody, SPEC_ID, specRef, targetBody, type SecretSet,
} from '../support/connection-bodies.js';
import { expectFlowError, expectFlowNotFound, flowServiceClient, type FlowServiceClient } from '../support/flow-service-expectations.js';
import { describeOnEachStore } from '../support/on-each-store.js';
import { hasExamples, readExample } from '../support/reference-examples.js';
import { seedFixtureAudiences } from '../support/flow-fixtures.js';
import { createTestApp, type TestApp, type TestCaller } from '../support/with-app.js';

const MASK = '********';
const ETAG = /^"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"$/;
const UNKNOWN_ID = '0f0e0d0c-0b0a-4908-8706-050403020100';
const CSV_DEFAULTS = { delimiter: ',', quote: '"', escape: '\\', nullValue: '', emptyValue: '', header: true, quoteAll: false };
/** The fake clock's start (2026-01-15T09:00:00Z) in epoch ms, as Flow Service timestamps are (SPEC §1.8). */
const T0 = Date.UTC(2026, 0, 15, 9, 0, 0);

type Json = Record<string, unknown>;

describeOnEachStore('Flow Service connections', (storeEnv) => {
  let t: TestApp;
  let admin: TestCaller;
  let fs: FlowServiceClient;
  let secrets: SecretSet;

  const first = async (path: string): Promise<Json> => (await fs.get(path)).json<{ items: Json[] }>().items[0] ?? {};
  const createId = async (path: string, body: unknown): Promise<string> => {
    const res = await fs.post(path, body);
    expect(res.statusCode, res.body).toBe(201);
    return res.json<{ id: string }>().id;
  };
  /** The decrypted connection as the domain holds it (the only way to see a stored secret). */
  const stored = async (id: string) => {
    const { sandboxId } = await first(`/connections/${id}`);
    const module = t.runtime.services.flowService;
    return module.bases.get(module.sandboxStore(String(sandboxId)), id);
  };

  beforeAll(async () => {
    t = await createTestApp(await storeEnv());
    await seedFixtureAudiences(t);
    admin = await t.caller({ admin: true, name: 'connections-admin' });
    fs = flowServiceClient(t, admin);
    secrets = secretSet(randomBytes(6).toString('hex'), generateSshKeyBase64());
  });
  afterAll(async () => t.close());

  describe('base connections', () => {
    it.each([
      ['S3 with an access key, endpoint and forcePathStyle', () => baseBodies.s3(secrets)],
      ['SFTP with a password', () => baseBodies.sftpPassword(secrets)],
      ['SFTP with a real ed25519 SSH key', () => baseBodies.sftpSshKey(secrets)],
      ['Azure Blob with a connection string', () => baseBodies.azureBlob(secrets)],
      ['Google Cloud Storage with an HMAC key', () => baseBodies.gcs(secrets)],
      ['the Data Landing Zone without auth', () => baseBodies.dlz()],
    ])('creates %s: 201 with exactly {id, etag}', async (_label, body) => {
      const res = await fs.post('/connections', body());
      expect(res.statusCode, res.body).toBe(201);
      expect(Object.keys(res.json()).sort()).toEqual(['etag', 'id']);
      expect(res.json().id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(res.json().etag).toMatch(ETAG);
    });

    it('shows an S3 connection with the keys of Adobe\'s example plus description, and the secret masked', async (context) => {
      if (!hasExamples('destinations')) context.skip('Adobe reference examples are not checked out beside the repository');
      const created = (await fs.post('/connections', baseBodies.s3(secrets, 'Shape S3'))).json<{ id: string; etag: string }>();
      const res = await fs.get(`/connections/${created.id}`);
      expect(res.statusCode, res.body).toBe(200);
      expect(Object.keys(res.json())).toEqual(['items']);
      const item = res.json<{ items: Json[] }>().items[0] ?? {};
      const reference = (readExample('destinations', 'GET_connections_id_response_200_Amazon_S3_Connection.json') as { items: Json[] }).items[0] ?? {};
      // SPEC §6.2 adds `description` to Adobe's keys.
      expect(Object.keys(item).sort()).toEqual([...Object.keys(reference), 'description'].sort());
      expect(Object.keys(item.connectionSpec as Json).sort()).toEqual(Object.keys(reference.connectionSpec as Json).sort());
      expect(Object.keys(item.auth as Json).sort()).toEqual(Object.keys(reference.auth as Json).sort());
      // Params: Adobe's stored `authorizedDate` is dropped; SPEC §6.3 adds region, endpoint and forcePathStyle.
      const referenceParams = Object.keys((reference.auth as { params: Json }).params).filter((key) => key !== 'authorizedDate');
      expect(Object.keys((item.auth as { params: Json }).params).sort()).toEqual([...referenceParams, 'region', 'endpoint', 'forcePathStyle'].sort());
      expect(item).toEqual({
        id: created.id, createdAt: T0, updatedAt: T0, createdBy: admin.clientId, updatedBy: admin.clientId,
        createdClient: admin.clientId, updatedClient: admin.clientId, sandboxId: expect.any(String), sandboxName: 'prod', imsOrgId: t.config.orgId,
        name: 'Shape S3', description: 'Exports for the CRM team', connectionSpec: { id: SPEC_ID.s3, version: '1.0' },
        auth: { specName: 'Access Key', params: { s3AccessKey: 'AKIAIOSFODNN7EXAMPLE', s3SecretKey: MASK, region: 'eu-west-1', endpoint: 'https://s3.example.com', forcePathStyle: true } },
        state: 'enabled', version: created.etag, etag: created.etag,
      });
    });

    it('applies the S3 defaults of SPEC §6.3: region us-east-1 and forcePathStyle false', async () => {
      const id = await createId('/connections', {
        name: 'Defaults S3', auth: { specName: 'Access Key', params: { s3AccessKey: 'AKIAIOSFODNN7EXAMPLE', s3SecretKey: secrets.s3SecretKey } }, connectionSpec: specRef(SPEC_ID.s3),
      });
      expect((await first(`/connections/${id}`)).auth).toEqual({
        specName: 'Access Key', params: { s3AccessKey: 'AKIAIOSFODNN7EXAMPLE', s3SecretKey: MASK, region: 'us-east-1', forcePathStyle: false },
      });
    });

    it('masks every secret of SPEC §2.8 as ******** on GET and in the list, and keeps the other params', async () => {
      const ids = {
        sftp: await createId('/connections', baseBodies.sftpPassword(secrets, 'Mask SFTP')),
        ssh: await createId('/connections', baseBodies.sftpSshKey(secrets, 'Mask SSH')),
        azure: await createId('/connections', baseBodies.azureBlob(secrets, 'Mask Blob')),
        gcs: await createId('/connections', baseBodies.gcs(secrets, 'Mask GCS')),
        dlz: await createId('/connections', baseBodies.dlz('Mask DLZ')),
      };
      const expected: Record<keyof typeof ids, unknown> = {
        sftp: { specName: 'Basic Authentication for sftp', params: { domain: 'sftp.example.com', port: 2222, username: 'acme', password: MASK } },
        ssh: { specName: 'SSH PublicKey Authentication for sftp', params: { domain: 'sftp.example.com', port: 22, username: 'acme', sshKey: MASK } },
        azure: { specName: 'ConnectionString', params: { connectionString: MASK } },
        gcs: { specName: 'HMAC Key', params: { accessKeyId: expect.stringMatching(/^GOOG/), secretAccessKey: MASK, endpoint: 'https://storage.googleapis.com' } },
        dlz: undefined,
      };
      const list = (await fs.get('/connections')).json<{ items: Json[] }>().items;
      for (const [key, id] of Object.entries(ids) as [keyof typeof ids, string][]) {
        expect((await first(`/connections/${id}`)).auth, key).toEqual(expected[key]);
        expect(list.find((item) => item.id === id)?.auth, `${key} in the list`).toEqual(expected[key]);
      }
      expect((await stored(ids.sftp)).authParams.password).toBe(secrets.sftpPassword);
      expect((await stored(ids.ssh)).authParams.sshKey).toBe(secrets.sshKeyBase64);
    });
  });

  describe('validation (FLOW-1420-400 names the field and the rule)', () => {
    const s3 = (params: Json) => ({ name: 'Bad S3', auth: { specName: 'Access Key', params }, connectionSpec: specRef(SPEC_ID.s3) });
    const sftp = (params: Json) => ({ name: 'Bad SFTP', auth: { specName: 'Basic Authentication for sftp', params }, connectionSpec: specRef(SPEC_ID.sftp) });

    it.each([
      ['a missing s3SecretKey', () => s3({ s3AccessKey: 'AKIAIOSFODNN7EXAMPLE' }), ['s3SecretKey', 'required']],
      ['a port out of range', () => sftp({ domain: 'sftp.example.com', port: 70000, username: 'acme', password: 'pw' }), ['port', '65535']],
      ['an unknown auth parameter', () => s3({ s3AccessKey: 'AKIA', s3SecretKey: 'x', bucketRegion: 'eu' }), ['bucketRegion']],
      ['an unknown specName, listing the valid ones', () => ({ ...s3({}), auth: { specName: 'Password', params: {} } }), ['specName', 'Password', 'Access Key', 'Assumed Role']],
      ['an invalid SSH key', () => ({ ...baseBodies.sftpSshKey(secrets), auth: { specName: 'SSH PublicKey Authentication for sftp', params: { domain: 'h', username: 'u', sshKey: 'bm90IGEga2V5' } } }), ['sshKey', 'private key']],
    ])('refuses %s', async (_label, body, words) => {
      const res = await fs.post('/connections', body());
      expectFlowError(res, 'FLOW-1420-400', expect.any(String));
      for (const word of words) expect(res.json().errorMessage).toContain(word);
    });

    it('reports every problem of one request, one sentence each joined by "; "', async () => {
      const res = await fs.post('/connections', sftp({ port: 0, username: 'acme', password: 'pw', foo: 1 }));
      expectFlowError(res, 'FLOW-1420-400', expect.any(String));
      const sentences = String(res.json().errorMessage).split('; ');
      expect(sentences).toHaveLength(3);
      expect(sentences.some((s) => s.includes('domain') && s.includes('required'))).toBe(true);
      expect(sentences.some((s) => s.includes('port'))).toBe(true);
      expect(sentences.some((s) => s.includes('foo'))).toBe(true);
    });

    it.each([
      ['an unknown connection spec id', UNKNOWN_ID],
      ['the legacy S3 connection spec id', '4890fc95-5a1f-4983-94bb-e060c08e3f81'],
      ['the legacy SFTP connection spec id', '64ef4b8b-a6e0-41b5-9677-3805d1ee5dd0'],
      ['the Profile Store source spec', SPEC_ID.profileStore],
    ])('answers %s with FLOW-1460-400', async (_label, id) => {
      expectFlowError(await fs.post('/connections', { ...baseBodies.s3(secrets), connectionSpec: specRef(id) }), 'FLOW-1460-400', 'Please provide a valid spec id');
    });

    it('answers an empty body with FLOW-1405-400', async () => {
      const res = await t.inject({ method: 'POST', url: '/data/foundation/flowservice/connections', headers: admin.headers() });
      expectFlowError(res, 'FLOW-1405-400', 'Request body is empty');
    });
  });

  describe('PATCH base connections (JSON Patch + If-Match, SPEC §1.7, §6.2)', () => {
    let id: string;
    let etag: string;
    /** `ifMatch` null sends no If-Match header. */
    const patch = async (ops: unknown, ifMatch: string | null = etag) => {
      const res = await fs.patch(`/connections/${id}`, ops, ifMatch === null ? {} : { 'if-match': ifMatch });
      if (res.statusCode === 200) etag = res.json<{ etag: string }>().etag;
      return res;
    };

    beforeAll(async () => {
      const res = await fs.post('/connections', baseBodies.sftpPassword(secrets, 'Patch me'));
      ({ id, etag } = res.json<{ id: string; etag: string }>());
    });

    it('renames with the current etag, answers {id, etag} with a new etag, and GET shows it', async () => {
      const before = etag;
      const res = await patch([{ op: 'replace', path: '/name', value: 'Patched SFTP' }]);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toEqual({ id, etag: expect.stringMatching(ETAG) });
      expect(res.json().etag).not.toBe(before);
      expect(await first(`/connections/${id}`)).toMatchObject({ name: 'Patched SFTP', etag: res.json().etag, version: res.json().etag });
    });

    it('replaces /auth/params/password, and the stored secret is the new one', async () => {
      const res = await patch([{ op: 'replace', path: '/auth/params/password', value: `${secrets.sftpPassword}-2` }]);
      expect(res.statusCode, res.body).toBe(200);
      expect((await stored(id)).authParams.password).toBe(`${secrets.sftpPassword}-2`);
      expect(((await first(`/connections/${id}`)).auth as Json).params).toMatchObject({ password: MASK });
    });

    it('keeps the stored secret when the whole params object is sent back with ******** and another field changes', async () => {
      const res = await patch([{ op: 'replace', path: '/auth/params', value: { domain: 'sftp2.example.com', port: 22, username: 'acme', password: MASK } }]);
      expect(res.statusCode, res.body).toBe(200);
      const connection = await stored(id);
      expect(connection.authParams).toEqual({ domain: 'sftp2.example.com', port: 22, username: 'acme', password: `${secrets.sftpPassword}-2` });
    });

    it('keeps the stored secret when ******** comes back under an alias of the stored auth spec name', async () => {
      const aliasId = await createId('/connections', baseBodies.sftpPassword(secrets, 'Alias patch'));
      const res = await fs.patch(`/connections/${aliasId}`, [
        { op: 'replace', path: '/auth/specName', value: 'SFTP with Password' },
        { op: 'replace', path: '/auth/params', value: { domain: 'sftp.example.com', username: 'acme', password: MASK } },
      ], { 'if-match': '*' });
      expect(res.statusCode, res.body).toBe(200);
      const connection = await stored(aliasId);
      expect(connection.authSpecName).toBe('Basic Authentication for sftp');
      expect(connection.authParams.password).toBe(secrets.sftpPassword);
    });

    it('answers a missing If-Match with 400 FLOW-1403-400', async () => {
      expectFlowError(await patch([{ op: 'replace', path: '/name', value: 'x' }], null), 'FLOW-1403-400', 'If-Match header is missing');
    });

    it('answers a stale If-Match with 412 FLOW-1404-412 quoting both versions with their double quotes', async () => {
      const stale = '"04001277-0000-0200-0000-62d9b13e0001"';
      const res = await patch([{ op: 'replace', path: '/name', value: 'x' }], stale);
      expectFlowError(res, 'FLOW-1404-412', `Supplied version=["04001277-0000-0200-0000-62d9b13e0001"] does not match the current version on entity=[${etag}]`);
      expect((await first(`/connections/${id}`)).name).toBe('Patched SFTP');
    });

    it('accepts If-Match without the surrounding quotes, and If-Match: *', async () => {
      expect((await patch([{ op: 'replace', path: '/description', value: 'unquoted' }], etag.slice(1, -1))).statusCode).toBe(200);
      const res = await patch([{ op: 'replace', path: '/description', value: 'any version' }], '*');
      expect(res.statusCode, res.body).toBe(200);
      expect((await first(`/connections/${id}`)).description).toBe('any version');
    });

    it.each(['/connectionSpec/id', '/state', '/id'])('answers a patch of %s with FLOW-1455-400', async (path) => {
      expectFlowError(await patch([{ op: 'replace', path, value: 'x' }]), 'FLOW-1455-400', `Invalid patch path: ${path}`);
    });

    it('refuses /auth/specName alone with FLOW-1455-400', async () => {
      expectFlowError(await patch([{ op: 'replace', path: '/auth/specName', value: 'SSH PublicKey Authentication for sftp' }]), 'FLOW-1455-400', 'Invalid patch path: /auth/specName');
    });

    it('switches to SSH key authentication when /auth/specName and /auth/params change together', async () => {
      const res = await patch([
        { op: 'replace', path: '/auth/specName', value: 'SSH PublicKey Authentication for sftp' },
        { op: 'replace', path: '/auth/params', value: { domain: 'sftp.example.com', username: 'acme', sshKey: secrets.sshKeyBase64 } },
      ]);
      expect(res.statusCode, res.body).toBe(200);
      expect((await first(`/connections/${id}`)).auth).toEqual({
        specName: 'SSH PublicKey Authentication for sftp', params: { domain: 'sftp.example.com', port: 22, username: 'acme', sshKey: MASK },
      });
    });

    it('validates the patched connection as a whole (FLOW-1420-400) and leaves it unchanged', async () => {
      const before = etag;
      expectFlowError(await patch([{ op: 'replace', path: '/auth/params/port', value: 0 }]), 'FLOW-1420-400', expect.stringContaining('port'));
      expect((await first(`/connections/${id}`)).etag).toBe(before);
    });

    it('answers a patch of an unknown connection with 404 FLOW-1439-404', async () => {
      const res = await fs.patch(`/connections/${UNKNOWN_ID}`, [{ op: 'replace', path: '/name', value: 'x' }], { 'if-match': '*' });
      expectFlowNotFound(res, 'connections', UNKNOWN_ID);
    });
  });

  describe('source connections', () => {
    it('creates a Profile Store source connection, ignoring baseConnectionId, data and params, and shows typeInfo', async () => {
      const res = await fs.post('/sourceConnections', { ...sourceBody(), baseConnectionId: UNKNOWN_ID, data: { format: 'json' }, params: { x: 1 } });
      expect(res.statusCode, res.body).toBe(201);
      const { id, etag } = res.json<{ id: string; etag: string }>();
      expect(await first(`/sourceConnections/${id}`)).toMatchObject({
        id, name: 'Connect to Profile Store', description: 'Optional', connectionSpec: { id: SPEC_ID.profileStore, version: '1.0' },
        typeInfo: { type: 'ProfileFragments', id: 'ups' }, state: 'enabled', version: etag, etag,
      });
    });

    it('answers a source connection of another spec with FLOW-1460-400', async () => {
      expectFlowError(await fs.post('/sourceConnections', { ...sourceBody(), connectionSpec: specRef(SPEC_ID.s3) }), 'FLOW-1460-400', 'Please provide a valid spec id');
    });
  });

  describe('target connections', () => {
    let s3Base: string;
    let sftpBase: string;
    let eloquaBase: string;
    beforeAll(async () => {
      s3Base = await createId('/connections', baseBodies.s3(secrets, 'Target S3 base'));
      sftpBase = await createId('/connections', baseBodies.sftpPassword(secrets, 'Target SFTP base'));
      eloquaBase = await createId('/connections', { ...baseBodies.sftpPassword(secrets, 'Eloqua base'), auth: { specName: 'SFTP with Password', params: { domain: 'sftp.example.com', username: 'acme', password: secrets.sftpPassword } }, connectionSpec: specRef(SPEC_ID.eloqua) });
    });

    it('applies the defaults of SPEC §6.4 and shows inheritedAttributes.baseConnection', async () => {
      const res = await fs.post('/targetConnections', targetBody(s3Base, SPEC_ID.s3, { mode: 'Server-to-server', bucketName: 'acme-crm-exports', path: 'activator/%SEGMENT_NAME%' }, 'Acme S3 – CRM exports'));
      expect(res.statusCode, res.body).toBe(201);
      const { id, etag } = res.json<{ id: string; etag: string }>();
      const item = await first(`/targetConnections/${id}`);
      expect(item).toMatchObject({
        id, name: 'Acme S3 – CRM exports', baseConnectionId: s3Base, state: 'enabled', connectionSpec: { id: SPEC_ID.s3, version: '1.0' },
        version: etag, etag, inheritedAttributes: { baseConnection: { id: s3Base, connectionSpec: { id: SPEC_ID.s3, version: '1.0' } } },
      });
      expect(item.params).toMatchObject({
        bucketName: 'acme-crm-exports', path: 'activator/%SEGMENT_NAME%', fileType: 'CSV', compression: 'NONE', includeFileManifest: false, csvOptions: CSV_DEFAULTS,
      });
      expect(item.params).not.toHaveProperty('mode');
    });

    it('accepts remotePath as the SFTP alias of path and the macro pair at the end', async () => {
      const id = await createId('/targetConnections', targetBody(sftpBase, SPEC_ID.sftp, { remotePath: 'acme/campaigns/2025/%SEGMENT_NAME%/%SEGMENT_ID%', fileType: 'JSON', compression: 'GZIP' }));
      expect((await first(`/targetConnections/${id}`)).params).toMatchObject({ path: 'acme/campaigns/2025/%SEGMENT_NAME%/%SEGMENT_ID%', fileType: 'JSON', compression: 'GZIP' });
    });

    it.each([
      ['a bucket name with upper case and underscore', () => targetBody(s3Base, SPEC_ID.s3, { bucketName: 'Acme_Bucket' }), ['params.bucketName']],
      ['a bucket name formatted as an IP address', () => targetBody(s3Base, SPEC_ID.s3, { bucketName: '192.168.1.1' }), ['params.bucketName']],
      ['a missing bucket name', () => targetBody(s3Base, SPEC_ID.s3, { path: 'x' }), ['params.bucketName', 'required']],
      ['a path with a .. segment', () => targetBody(sftpBase, SPEC_ID.sftp, { path: 'exports/../etc' }), ['params.path', '..']],
      ['a macro that is not at the end of the path', () => targetBody(sftpBase, SPEC_ID.sftp, { path: 'exports/%SEGMENT_ID%/daily' }), ['params.path', '%SEGMENT_ID%']],
      ['an e-mail destination with fileType JSON', () => targetBody(eloquaBase, SPEC_ID.eloqua, { fileType: 'JSON' }), ['params.fileType', 'CSV']],
      ['a pgpPublicKey that is not an armoured key', () => targetBody(sftpBase, SPEC_ID.sftp, { pgpPublicKey: 'not a key' }), ['params.pgpPublicKey']],
      ['an armoured pgpPublicKey that cannot be read', () => targetBody(sftpBase, SPEC_ID.sftp, { pgpPublicKey: '-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nAAAAAAAA\n-----END PGP PUBLIC KEY BLOCK-----' }), ['params.pgpPublicKey']],
      ['an unknown CSV delimiter', () => targetBody(sftpBase, SPEC_ID.sftp, { csvOptions: { delimiter: '#' } }), ['delimiter']],
    ])('refuses %s with FLOW-1420-400 naming the field', async (_label, body, words) => {
      const res = await fs.post('/targetConnections', body());
      expectFlowError(res, 'FLOW-1420-400', expect.any(String));
      for (const word of words) expect(res.json().errorMessage).toContain(word);
    });

    it('refuses pgpPublicKey on the Data Landing Zone (SPEC §6.4: all except DLZ) with FLOW-1420-400', async () => {
      const base = await createId('/connections', baseBodies.dlz('DLZ for pgp'));
      const res = await fs.post('/targetConnections', targetBody(base, SPEC_ID.dlz, { pgpPublicKey: '-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nAAAA\n-----END PGP PUBLIC KEY BLOCK-----' }));
      expectFlowError(res, 'FLOW-1420-400', expect.stringContaining('pgpPublicKey'));
    });

    it('refuses a base connection of another destination spec with FLOW-1420-400', async () => {
      const res = await fs.post('/targetConnections', targetBody(s3Base, SPEC_ID.sftp, { path: 'x' }));
      expectFlowError(res, 'FLOW-1420-400', expect.stringContaining('connectionSpec'));
    });

    it('answers an unknown base connection with 404 FLOW-1439-404 of type connections', async () => {
      expectFlowNotFound(await fs.post('/targetConnections', targetBody(UNKNOWN_ID, SPEC_ID.s3, { bucketName: 'acme' })), 'connections', UNKNOWN_ID);
    });

    it('patches /params/compression with If-Match and keeps the other params', async () => {
      const created = (await fs.post('/targetConnections', targetBody(s3Base, SPEC_ID.s3, { bucketName: 'acme-patch', path: 'p' }))).json<{ id: string; etag: string }>();
      const res = await fs.patch(`/targetConnections/${created.id}`, [{ op: 'replace', path: '/params/compression', value: 'GZIP' }], { 'if-match': created.etag });
      expect(res.statusCode, res.body).toBe(200);
      expect((await first(`/targetConnections/${created.id}`)).params).toMatchObject({ bucketName: 'acme-patch', path: 'p', compression: 'GZIP', fileType: 'CSV' });
      const bad = await fs.patch(`/targetConnections/${created.id}`, [{ op: 'replace', path: '/baseConnectionId', value: sftpBase }], { 'if-match': '*' });
      expectFlowError(bad, 'FLOW-1455-400', 'Invalid patch path: /baseConnectionId');
    });
  });

  describe("Adobe's request examples (reference/examples/destinations)", () => {
    const example = (file: string) => readExample('destinations', file) as Json;
    let sftpBase: string;
    beforeAll(async () => {
      sftpBase = await createId('/connections', baseBodies.sftpPassword(secrets, 'Examples SFTP base'));
    });

    it('creates the S3 base connection of POST_connections_request_Create_S3_Base_Connection.json as sent', async (context) => {
      if (!hasExamples('destinations')) context.skip('Adobe reference examples are not checked out beside the repository');
      const id = await createId('/connections', example('POST_connections_request_Create_S3_Base_Connection.json'));
      expect((await first(`/connections/${id}`)).auth).toMatchObject({ specName: 'Access Key', params: { s3AccessKey: '<Add access key>', s3SecretKey: MASK } });
    });

    it('creates the S3 segment target connection example, completing its csvOptions with the defaults', async (context) => {
      if (!hasExamples('destinations')) context.skip('Adobe reference examples are not checked out beside the repository');
      const s3Base = await createId('/connections', baseBodies.s3(secrets, 'Examples S3 base'));
      const id = await createId('/targetConnections', { ...example('POST_targetConnections_request_Create_S3_Target_Connection_Segment.json'), baseConnectionId: s3Base });
      expect((await first(`/targetConnections/${id}`)).params).toMatchObject({
        bucketName: 'your-bucket-name', path: 'folder/subfolder', compression: 'GZIP', fileType: 'CSV',
        csvOptions: { nullValue: 'null', emptyValue: '', escape: '\\', quote: '', delimiter: ',', header: true, quoteAll: false },
      });
    });

    it('refuses the SFTP target example, which names the legacy SFTP spec 64ef4b8b…, with FLOW-1460-400', async (context) => {
      if (!hasExamples('destinations')) context.skip('Adobe reference examples are not checked out beside the repository');
      const res = await fs.post('/targetConnections', { ...example('POST_targetConnections_request_Create_SFTP_Target_Connection.json'), baseConnectionId: sftpBase });
      expectFlowError(res, 'FLOW-1460-400', 'Please provide a valid spec id');
    });

    it('creates the Profile Store source connection example as sent', async (context) => {
      if (!hasExamples('destinations')) context.skip('Adobe reference examples are not checked out beside the repository');
      await createId('/sourceConnections', example('POST_sourceConnections_request_Create_Source_Connection_Profile_Store.json'));
    });

    it('keeps domain when an SFTP connection sends both domain and its alias host (SPEC §6.3)', async () => {
      const id = await createId('/connections', {
        name: 'Both host spellings', connectionSpec: specRef(SPEC_ID.sftp),
        auth: { specName: 'SSH PublicKey Authentication for sftp', params: { domain: 'domain.example.com', host: 'host.example.com', username: 'acme', sshKey: secrets.sshKeyBase64, port: 22 } },
      });
      expect(((await first(`/connections/${id}`)).auth as Json).params).toMatchObject({ domain: 'domain.example.com', port: 22, username: 'acme', sshKey: MASK });
      const hostOnly = await createId('/connections', { ...baseBodies.sftpPassword(secrets, 'Host only'), auth: { specName: 'SFTP with Password', params: { host: 'host.example.com', username: 'acme', password: 'pw' } } });
      expect((await first(`/connections/${hostOnly}`)).auth).toMatchObject({ specName: 'Basic Authentication for sftp', params: { domain: 'host.example.com' } });
    });

    it('accepts a Data Landing Zone base connection with an auth object whose params are empty (SPEC §6.5)', async () => {
      await createId('/connections', { ...baseBodies.dlz('DLZ with empty auth'), auth: { params: {} } });
    });

    it('accepts PATCH bodies sent as application/json-patch+json (SPEC §1.2)', async () => {
      const created = (await fs.post('/connections', baseBodies.dlz('Patch content type'))).json<{ id: string; etag: string }>();
      const res = await t.inject({
        method: 'PATCH', url: `/data/foundation/flowservice/connections/${created.id}`,
        headers: admin.headers({ 'content-type': 'application/json-patch+json', 'if-match': created.etag }),
        payload: JSON.stringify([{ op: 'replace', path: '/name', value: 'Patched by content type' }]),
      });
      expect(res.statusCode, res.body).toBe(200);
      expect((await first(`/connections/${created.id}`)).name).toBe('Patched by content type');
    });
  });

  describe('DELETE', () => {
    it('deletes a base connection with 202 and an empty body; it is then not found', async () => {
      const id = await createId('/connections', baseBodies.dlz('Delete me'));
      const res = await fs.delete(`/connections/${id}`);
      expect(res.statusCode, res.body).toBe(202);
      expect(res.body).toBe('');
      expectFlowNotFound(await fs.get(`/connections/${id}`), 'connections', id);
      expectFlowNotFound(await fs.delete(`/connections/${id}`), 'connections', id);
    });

    it('refuses to delete a base connection used by a target connection (FLOW-1418-400 listing the target)', async () => {
      const base = await createId('/connections', baseBodies.sftpPassword(secrets, 'Used base'));
      const target = await createId('/targetConnections', targetBody(base, SPEC_ID.sftp, { path: 'used' }));
      expectFlowError(await fs.delete(`/connections/${base}`), 'FLOW-1418-400', `The connections ${base} is still used by: ${target}`);
      expect((await fs.get(`/connections/${base}`)).statusCode).toBe(200);
      expect((await fs.delete(`/targetConnections/${target}`)).statusCode).toBe(202);
      expect((await fs.delete(`/connections/${base}`)).statusCode).toBe(202);
    });

    it('refuses to delete a target connection used by a dataflow (FLOW-1418-400 listing the flow)', async () => {
      const base = await createId('/connections', baseBodies.sftpPassword(secrets, 'Flow base'));
      const target = await createId('/targetConnections', targetBody(base, SPEC_ID.sftp, { path: 'flow' }));
      const source = await createId('/sourceConnections', sourceBody());
      const flow = await createId('/flows', {
        name: 'Uses the target', flowSpec: specRef(SFTP_FLOW_SPEC), sourceConnectionIds: [source], targetConnectionIds: [target],
        transformations: [{ name: 'GeneralTransform', params: { segmentSelectors: { selectors: [{ type: 'PLATFORM_SEGMENT', value: {
          id: 'db8961e9-d52f-45bc-b3fb-76d0382a6851', name: 'VIP', exportMode: 'DAILY_FULL_EXPORT',
          schedule: { frequency: 'DAILY', triggerType: 'SCHEDULED', startDate: '2026-02-01', startTime: '06:00' },
        } }] } } }],
      });
      expectFlowError(await fs.delete(`/targetConnections/${target}`), 'FLOW-1418-400', `The targetConnections ${target} is still used by: ${flow}`);
      expect((await fs.get(`/targetConnections/${target}`)).statusCode).toBe(200);
    });

    it('deletes a source connection with 202 and answers 404 for an unknown one', async () => {
      const id = await createId('/sourceConnections', sourceBody('Short-lived'));
      expect((await fs.delete(`/sourceConnections/${id}`)).statusCode).toBe(202);
      expectFlowNotFound(await fs.get(`/sourceConnections/${id}`), 'sourceConnections', id);
      expectFlowNotFound(await fs.get(`/targetConnections/${UNKNOWN_ID}`), 'targetConnections', UNKNOWN_ID);
    });
  });
});
