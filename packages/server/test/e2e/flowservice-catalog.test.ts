// The read-only destination catalog over HTTP (SPEC §6.1, §1.5 lists, §1.4 errors): expected values copied by hand from the SPEC.
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectFlowError, expectFlowNotFound, FLOW_SERVICE } from '../support/flow-service-expectations.js';
import { createTestApp, type TestApp, type TestCaller } from '../support/with-app.js';

const PROVIDER_ID = '14e34fac-d307-11e9-bb65-2a2ae2dbcce4';
const PROFILE_STORE = '8a9c3494-9708-43d7-ae3f-cda01e5030e1';
const S3 = '4fce964d-3f37-408f-9778-e597338a21ee';
const SFTP = '36965a81-b1c6-401b-99f8-22508f1e6a26';
const CAMPAIGN = '0b23e41a-cb4a-4321-a78f-3b654f5d7d97';
const ELOQUA = 'c1e44b6b-e7c8-404b-9031-58f0ef760604';
const CLOUD_STORAGE = [S3, '6d6b59bf-fb58-4107-9064-4d246c0e5bb2', 'c5d93acb-ea8b-4b14-8f53-02138444ae99', SFTP, '10440537-2a7b-4583-ac39-ed38d4b848e8'];

/** SPEC §6.1, row by row: id, name, category (none for the source), auth spec names. */
const CONNECTION_SPECS: readonly (readonly [string, string, string | undefined, readonly string[]])[] = [
  [S3, 'Amazon S3', 'cloudStorage', ['Access Key', 'Assumed Role']],
  ['6d6b59bf-fb58-4107-9064-4d246c0e5bb2', 'Azure Blob Storage', 'cloudStorage', ['ConnectionString']],
  ['c5d93acb-ea8b-4b14-8f53-02138444ae99', 'Google Cloud Storage', 'cloudStorage', ['HMAC Key']],
  [SFTP, 'SFTP', 'cloudStorage', ['Basic Authentication for sftp', 'SSH PublicKey Authentication for sftp']],
  ['10440537-2a7b-4583-ac39-ed38d4b848e8', 'Data Landing Zone', 'cloudStorage', []],
  [CAMPAIGN, 'Adobe Campaign', 'emailMarketing', ['S3', 'SFTP with Password', 'SFTP with SSH Key', 'Azure Blob']],
  [ELOQUA, 'Oracle Eloqua (Files)', 'emailMarketing', ['SFTP with Password', 'SFTP with SSH Key']],
  ['a5e28ddf-e265-426e-83a1-9d03a3a6822b', 'Oracle Responsys', 'emailMarketing', ['SFTP with Password', 'SFTP with SSH Key']],
  ['f599a5b3-60a7-4951-950a-cc4115c7ea27', 'Salesforce Marketing Cloud (Files)', 'emailMarketing', ['SFTP with Password', 'SFTP with SSH Key']],
  // The §6.1 table writes "Profile Store (source)"; "(source)" describes the row, the spec is named Profile Store.
  [PROFILE_STORE, 'Profile Store', undefined, []],
];

/** SPEC §6.1: flow spec id → the connection specs it targets. */
const FLOW_SPEC_TARGETS: Readonly<Record<string, readonly string[]>> = {
  '1a0514a6-33d4-4c7f-aff8-594799c47549': [S3],
  '752d422f-b16f-4f0d-b1c6-26e448e3b388': ['6d6b59bf-fb58-4107-9064-4d246c0e5bb2'],
  '976d663b-80b4-4193-be6b-2d0487516623': ['c5d93acb-ea8b-4b14-8f53-02138444ae99'],
  'fd36aaa4-bf2b-43fb-9387-43785eeeb799': [SFTP],
  '7e635b9f-e59b-4546-8ba8-fce6496693c8': ['10440537-2a7b-4583-ac39-ed38d4b848e8'],
  '71471eba-b620-49e4-90fd-23f1fa0174d8': [CAMPAIGN, ELOQUA, ...CLOUD_STORAGE],
  '51d675ce-e270-408d-91fc-22717bdf2148': ['a5e28ddf-e265-426e-83a1-9d03a3a6822b'],
  '493b2bd6-26e4-4167-ab3b-5e910bba44f0': ['f599a5b3-60a7-4951-950a-cc4115c7ea27'],
};

/** SPEC §6.3: the secret (S) parameters of each auth spec name. */
const SECRETS_BY_AUTH_SPEC: Readonly<Record<string, readonly string[]>> = {
  'Access Key': ['s3SecretKey'],
  'Assumed Role': [],
  ConnectionString: ['connectionString'],
  'Azure Blob': ['connectionString'],
  'HMAC Key': ['secretAccessKey'],
  'Basic Authentication for sftp': ['password'],
  'SFTP with Password': ['password'],
  'SSH PublicKey Authentication for sftp': ['sshKey'],
  'SFTP with SSH Key': ['sshKey'],
  S3: ['s3SecretKey'],
};

interface JsonSchemaObject {
  readonly required?: readonly string[];
  readonly properties: Readonly<Record<string, { readonly type?: string; readonly format?: string }>>;
}
interface ConnectionSpecJson {
  readonly id: string;
  readonly name: string;
  readonly providerId: string;
  readonly version: string;
  readonly attributes: Readonly<Record<string, unknown>>;
  readonly authSpec: readonly { readonly name: string; readonly type: string; readonly spec: JsonSchemaObject }[];
  readonly targetSpec?: { readonly name: string; readonly spec: JsonSchemaObject };
}

const sorted = (values: readonly string[]) => [...values].sort();

describe('Flow Service catalog (connection specs and flow specs)', () => {
  let t: TestApp;
  let admin: TestCaller;
  const get = (path: string) => t.inject({ method: 'GET', url: `${FLOW_SERVICE}${path}`, headers: admin.headers() });
  const allSpecs = async () => (await get('/connectionSpecs')).json<{ items: ConnectionSpecJson[] }>().items;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await t.caller({ admin: true });
  });
  afterAll(async () => t.close());

  describe('connection specs', () => {
    it('lists the ten connection specs of SPEC §6.1 with their exact ids, names, provider and version, on one page', async () => {
      const res = await get('/connectionSpecs');
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json<{ items: ConnectionSpecJson[]; _links: unknown }>();
      expect(body._links).toEqual({});
      expect(body.items.map((spec) => `${spec.id} ${spec.name}`).sort()).toEqual(CONNECTION_SPECS.map(([id, name]) => `${id} ${name}`).sort());
      for (const spec of body.items) expect({ providerId: spec.providerId, version: spec.version }).toEqual({ providerId: PROVIDER_ID, version: '1.0' });
    });

    it.each(CONNECTION_SPECS.filter(([, , category]) => category !== undefined))(
      '%s (%s) shows its category, batch frequency and the auth spec names of SPEC §6.1',
      async (id, name, category, authSpecNames) => {
        const spec = (await allSpecs()).find((item) => item.id === id);
        expect(spec?.name).toBe(name);
        expect(spec?.attributes).toMatchObject({ category, frequency: 'batch', isDestination: true });
        expect(spec?.authSpec.map((authSpec) => authSpec.name)).toEqual(authSpecNames);
      },
    );

    it('answers count=true with the number of connection specs only', async () => {
      const res = await get('/connectionSpecs?count=true');
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toEqual({ count: 10 });
    });

    it('filters with property=name==SFTP down to the SFTP spec alone', async () => {
      const res = await get('/connectionSpecs?property=name==SFTP');
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json<{ items: ConnectionSpecJson[] }>().items.map((spec) => [spec.id, spec.name])).toEqual([[SFTP, 'SFTP']]);
    });

    it('filters with property=attributes.category==emailMarketing down to the four e-mail destinations', async () => {
      const res = await get('/connectionSpecs?property=attributes.category==emailMarketing');
      expect(res.statusCode, res.body).toBe(200);
      const names = res.json<{ items: ConnectionSpecJson[] }>().items.map((spec) => spec.name);
      expect(sorted(names)).toEqual(['Adobe Campaign', 'Oracle Eloqua (Files)', 'Oracle Responsys', 'Salesforce Marketing Cloud (Files)']);
    });

    it('returns one connection spec wrapped in {items: [spec]} with the attributes of the SPEC §6.1 example', async () => {
      const res = await get(`/connectionSpecs/${S3}`);
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json<{ items: ConnectionSpecJson[] }>();
      expect(Object.keys(body)).toEqual(['items']);
      expect(body.items).toHaveLength(1);
      const [spec] = body.items;
      expect(spec).toMatchObject({ id: S3, name: 'Amazon S3', providerId: PROVIDER_ID, version: '1.0' });
      expect(spec?.attributes).toEqual({
        category: 'cloudStorage', frequency: 'batch', isDestination: true,
        description: 'Export files to an Amazon S3 bucket or an S3-compatible store', fileTypes: ['CSV', 'JSON', 'PARQUET'],
      });
      expect(spec?.authSpec.map(({ name, type }) => ({ name, type }))).toEqual([{ name: 'Access Key', type: 'KeyBased' }, { name: 'Assumed Role', type: 'RoleBased' }]);
      expect(spec?.targetSpec?.name).toBe('Amazon S3 target');
      expect(spec?.targetSpec?.spec.required).toEqual(['bucketName']);
    });

    it('publishes the Data Landing Zone with an empty authSpec list', async () => {
      const res = await get('/connectionSpecs/10440537-2a7b-4583-ac39-ed38d4b848e8');
      expect(res.json<{ items: ConnectionSpecJson[] }>().items[0]?.authSpec).toEqual([]);
    });

    it('answers an unknown connection spec id with 404 FLOW-1439-404 naming connectionSpecs and the id in report', async () => {
      const id = '0f0e0d0c-0b0a-4908-8706-050403020100';
      const res = await get(`/connectionSpecs/${id}`);
      expectFlowNotFound(res, 'connectionSpecs', id);
      expect(res.json()).toMatchObject({
        report: { 'detailed-message': `The requested connectionSpecs resource ${id} is not found. Verify the resource ID before trying again.`, id, type: 'connectionSpecs' },
      });
    });

    it('marks s3SecretKey of the S3 Access Key auth spec with format password and requires the access and secret keys', async () => {
      const spec = (await get(`/connectionSpecs/${S3}`)).json<{ items: ConnectionSpecJson[] }>().items[0];
      const accessKey = spec?.authSpec.find((authSpec) => authSpec.name === 'Access Key')?.spec;
      expect(accessKey?.properties.s3SecretKey).toMatchObject({ type: 'string', format: 'password' });
      expect(accessKey?.properties.s3AccessKey?.format).toBeUndefined();
      expect(sorted(accessKey?.required ?? [])).toEqual(['s3AccessKey', 's3SecretKey']);
      expect(Object.keys(accessKey?.properties ?? {})).toEqual(expect.arrayContaining(['s3AccessKey', 's3SecretKey', 'region', 'endpoint', 'forcePathStyle']));
      expect(accessKey?.properties.forcePathStyle?.type).toBe('boolean');
      const assumedRole = spec?.authSpec.find((authSpec) => authSpec.name === 'Assumed Role')?.spec;
      expect(assumedRole?.required).toEqual(['s3Role']);
    });

    it('publishes with format password exactly the secret parameters of SPEC §6.3, in every auth spec of every destination', async () => {
      for (const spec of await allSpecs()) {
        for (const authSpec of spec.authSpec) {
          const passwordFields = Object.entries(authSpec.spec.properties).filter(([, property]) => property.format === 'password').map(([name]) => name);
          expect(sorted(passwordFields), `${spec.name} / ${authSpec.name}`).toEqual(sorted(SECRETS_BY_AUTH_SPEC[authSpec.name] ?? ['(unknown auth spec)']));
        }
      }
    });

    it('publishes targetSpec.spec and every authSpec[].spec as JSON Schemas that ajv compiles in strict mode', async () => {
      const ajv = new Ajv({ strict: true, strictRequired: false, allErrors: true, formats: { password: true, uri: true } });
      const schemas = (await allSpecs()).flatMap((spec) => [
        ...(spec.targetSpec === undefined ? [] : [[`${spec.name} targetSpec`, spec.targetSpec.spec] as const]),
        ...spec.authSpec.map((authSpec) => [`${spec.name} ${authSpec.name}`, authSpec.spec] as const),
      ]);
      expect(schemas).toHaveLength(9 + 2 + 1 + 1 + 2 + 0 + 4 + 2 + 2 + 2);
      for (const [label, schema] of schemas) expect(() => ajv.compile(schema), label).not.toThrow();
    });

    it('has S3 schemas that accept the SPEC §6.2 and §6.4 examples and refuse a missing s3SecretKey or an unknown parameter', async () => {
      const ajv = new Ajv({ strict: true, strictRequired: false, allErrors: true, formats: { password: true, uri: true } });
      const spec = (await get(`/connectionSpecs/${S3}`)).json<{ items: ConnectionSpecJson[] }>().items[0];
      const accessKey = ajv.compile(spec?.authSpec[0]?.spec ?? {});
      const example = { s3AccessKey: 'AKIAIOSFODNN7EXAMPLE', s3SecretKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', region: 'eu-west-1' };
      expect(accessKey(example)).toBe(true);
      expect(accessKey({ s3AccessKey: 'AKIAIOSFODNN7EXAMPLE' })).toBe(false);
      expect(accessKey({ ...example, foo: 'bar' })).toBe(false);
      const target = ajv.compile(spec?.targetSpec?.spec ?? {});
      expect(target({ mode: 'Server-to-server', bucketName: 'acme-crm-exports', path: 'activator/%SEGMENT_NAME%', fileType: 'CSV', compression: 'GZIP', includeFileManifest: true })).toBe(true);
      expect(target({ bucketName: 'Not_A_Bucket' })).toBe(false);
      expect(target({ path: 'no-bucket' })).toBe(false);
    });
  });

  describe('flow specs', () => {
    it('lists the eight flow specs of SPEC §6.1, each reading from the Profile Store with GeneralTransform', async () => {
      const res = await get('/flowSpecs');
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json<{ items: Record<string, unknown>[]; _links: unknown }>();
      expect(body._links).toEqual({});
      expect(sorted(body.items.map((spec) => String(spec.id)))).toEqual(sorted(Object.keys(FLOW_SPEC_TARGETS)));
      for (const spec of body.items) {
        expect(spec).toEqual({
          id: spec.id, name: expect.any(String), providerId: PROVIDER_ID, version: '1.0', sourceConnectionSpecIds: [PROFILE_STORE],
          targetConnectionSpecIds: expect.any(Array), transformationSpecs: [{ name: 'GeneralTransform' }], attributes: { isDestinationFlow: true },
        });
        expect(sorted(spec.targetConnectionSpecIds as string[]), String(spec.id)).toEqual(sorted(FLOW_SPEC_TARGETS[String(spec.id)] ?? []));
      }
    });

    it('returns flow spec 71471eba… wrapped in items, targeting Campaign, Eloqua and the five cloud-storage specs', async () => {
      const res = await get('/flowSpecs/71471eba-b620-49e4-90fd-23f1fa0174d8');
      expect(res.statusCode, res.body).toBe(200);
      const items = res.json<{ items: { id: string; targetConnectionSpecIds: string[] }[] }>().items;
      expect(items).toHaveLength(1);
      expect(items[0]?.id).toBe('71471eba-b620-49e4-90fd-23f1fa0174d8');
      expect(sorted(items[0]?.targetConnectionSpecIds ?? [])).toEqual(sorted([CAMPAIGN, ELOQUA, ...CLOUD_STORAGE]));
    });

    it('filters flow specs with property=id==', async () => {
      const res = await get('/flowSpecs?property=id==fd36aaa4-bf2b-43fb-9387-43785eeeb799');
      expect(res.json<{ items: { targetConnectionSpecIds: string[] }[] }>().items.map((spec) => spec.targetConnectionSpecIds)).toEqual([[SFTP]]);
    });

    it('answers an unknown flow spec id with 404 FLOW-1439-404 of type flowSpecs', async () => {
      const id = '269ba276-16fc-47db-92b0-c1049a3c131f';
      expectFlowNotFound(await get(`/flowSpecs/${id}`), 'flowSpecs', id);
    });
  });

  describe('read-only', () => {
    it.each([
      ['POST', '/connectionSpecs'],
      ['PUT', `/connectionSpecs/${S3}`],
      ['DELETE', `/connectionSpecs/${S3}`],
      ['POST', '/flowSpecs'],
      ['PUT', '/flowSpecs/71471eba-b620-49e4-90fd-23f1fa0174d8'],
      ['DELETE', '/flowSpecs/71471eba-b620-49e4-90fd-23f1fa0174d8'],
    ] as const)('answers %s %s with 405 FLOW-4050-405 naming the method and the path', async (method, path) => {
      const res = await t.inject({
        method, url: `${FLOW_SERVICE}${path}`,
        headers: admin.headers(method === 'DELETE' ? {} : { 'content-type': 'application/json' }),
        ...(method === 'DELETE' ? {} : { payload: JSON.stringify({ name: 'My own spec' }) }),
      });
      expectFlowError(res, 'FLOW-4050-405', `Method ${method} is not allowed on ${FLOW_SERVICE}${path}`);
    });

    it('leaves the catalog unchanged after refused writes', async () => {
      expect((await allSpecs()).map((spec) => spec.id).sort()).toEqual(CONNECTION_SPECS.map(([id]) => id).sort());
    });

    it('lets a Read only caller read the catalog', async () => {
      const reader = await t.caller({ roles: ['Read only'], name: 'catalog-reader' });
      const res = await t.inject({ method: 'GET', url: `${FLOW_SERVICE}/connectionSpecs/${SFTP}`, headers: reader.headers() });
      expect(res.statusCode, res.body).toBe(200);
    });
  });
});
