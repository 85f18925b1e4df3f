// Tests of the destination catalog against SPEC §6.1 (the table below is copied from it by hand) and of its published JSON.
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../errors.js';
import {
  PROFILE_STORE_SPEC_ID,
  UNSUPPORTED_SPEC_IDS,
  connectionSpecToAepJson,
  findConnectionSpec,
  findFlowSpec,
  flowSpecToAepJson,
  listConnectionSpecs,
  listFlowSpecs,
  requireDestinationSpec,
  requireFlowSpec,
  resolveStorageKind,
} from './destination-catalog.js';

const SPEC_TABLE = [
  ['Amazon S3', 'cloudStorage', '4fce964d-3f37-408f-9778-e597338a21ee', '1a0514a6-33d4-4c7f-aff8-594799c47549', ['Access Key', 'Assumed Role'], ['CSV', 'JSON', 'PARQUET']],
  ['Azure Blob Storage', 'cloudStorage', '6d6b59bf-fb58-4107-9064-4d246c0e5bb2', '752d422f-b16f-4f0d-b1c6-26e448e3b388', ['ConnectionString'], ['CSV', 'JSON', 'PARQUET']],
  ['Google Cloud Storage', 'cloudStorage', 'c5d93acb-ea8b-4b14-8f53-02138444ae99', '976d663b-80b4-4193-be6b-2d0487516623', ['HMAC Key'], ['CSV', 'JSON', 'PARQUET']],
  ['SFTP', 'cloudStorage', '36965a81-b1c6-401b-99f8-22508f1e6a26', 'fd36aaa4-bf2b-43fb-9387-43785eeeb799', ['Basic Authentication for sftp', 'SSH PublicKey Authentication for sftp'], ['CSV', 'JSON', 'PARQUET']],
  ['Data Landing Zone', 'cloudStorage', '10440537-2a7b-4583-ac39-ed38d4b848e8', '7e635b9f-e59b-4546-8ba8-fce6496693c8', [], ['CSV', 'JSON', 'PARQUET']],
  ['Adobe Campaign', 'emailMarketing', '0b23e41a-cb4a-4321-a78f-3b654f5d7d97', '71471eba-b620-49e4-90fd-23f1fa0174d8', ['S3', 'SFTP with Password', 'SFTP with SSH Key', 'Azure Blob'], ['CSV']],
  ['Oracle Eloqua (Files)', 'emailMarketing', 'c1e44b6b-e7c8-404b-9031-58f0ef760604', '71471eba-b620-49e4-90fd-23f1fa0174d8', ['SFTP with Password', 'SFTP with SSH Key'], ['CSV']],
  ['Oracle Responsys', 'emailMarketing', 'a5e28ddf-e265-426e-83a1-9d03a3a6822b', '51d675ce-e270-408d-91fc-22717bdf2148', ['SFTP with Password', 'SFTP with SSH Key'], ['CSV']],
  ['Salesforce Marketing Cloud (Files)', 'emailMarketing', 'f599a5b3-60a7-4951-950a-cc4115c7ea27', '493b2bd6-26e4-4167-ab3b-5e910bba44f0', ['SFTP with Password', 'SFTP with SSH Key'], ['CSV']],
] as const;

const CLOUD_STORAGE_IDS = SPEC_TABLE.filter((row) => row[1] === 'cloudStorage').map((row) => row[2]);
const LIMITS = { maxFileRows: 5_000_000 };
/** The parts of a published JSON Schema these tests read. */
interface PublishedSchema {
  readonly required?: readonly string[];
  readonly properties: Readonly<Record<string, { readonly format?: string; readonly enum?: readonly string[] }>>;
}
/** The parts of a published connection spec these tests read. */
interface PublishedSpec {
  readonly attributes: Readonly<Record<string, unknown>>;
  readonly authSpec: readonly { readonly name: string; readonly spec: PublishedSchema }[];
  readonly targetSpec: { readonly spec: PublishedSchema };
}
const aepJsonOf = (id: string): PublishedSpec => {
  const spec = findConnectionSpec(id);
  if (spec === undefined) throw new Error(`no spec ${id}`);
  return connectionSpecToAepJson(spec, LIMITS) as unknown as PublishedSpec;
};

function expectInvalidSpecId(action: () => unknown): void {
  expect(action).toThrow(AppError);
  expect(action).toThrow(expect.objectContaining({ code: 'BAD_REQUEST', familyCode: 'FLOW-1460-400', message: 'Please provide a valid spec id' }));
}

describe('connection specs', () => {
  it.each(SPEC_TABLE)('%s has the id, category, auth specs and file types of SPEC §6.1', (name, category, id, flowSpecId, authSpecNames, fileTypes) => {
    const json = aepJsonOf(id);
    expect(json).toMatchObject({ id, name, providerId: '14e34fac-d307-11e9-bb65-2a2ae2dbcce4', version: '1.0' });
    expect(json.attributes).toMatchObject({ category, frequency: 'batch', isDestination: true, fileTypes });
    expect(json.authSpec.map((authSpec) => authSpec.name)).toEqual(authSpecNames);
    expect(findFlowSpec(flowSpecId)?.targetConnectionSpecIds).toContain(id);
  });

  it('lists the nine destinations and the Profile Store source', () => {
    expect(listConnectionSpecs().map((spec) => spec.id)).toEqual([...SPEC_TABLE.map((row) => row[2]), PROFILE_STORE_SPEC_ID]);
    expect(connectionSpecToAepJson(listConnectionSpecs().at(-1)!, LIMITS)).toMatchObject({ id: '8a9c3494-9708-43d7-ae3f-cda01e5030e1', name: 'Profile Store', authSpec: [] });
  });

  it('publishes the S3 spec in the shape of the SPEC §6.1 example', () => {
    expect(aepJsonOf('4fce964d-3f37-408f-9778-e597338a21ee')).toMatchObject({
      attributes: { description: 'Export files to an Amazon S3 bucket or an S3-compatible store' },
      authSpec: [
        {
          name: 'Access Key',
          type: 'KeyBased',
          spec: {
            type: 'object',
            required: ['s3AccessKey', 's3SecretKey'],
            properties: {
              s3AccessKey: { type: 'string' },
              s3SecretKey: { type: 'string', format: 'password' },
              region: { type: 'string', default: 'us-east-1' },
              endpoint: { type: 'string' },
              forcePathStyle: { type: 'boolean', default: false },
            },
          },
        },
        { name: 'Assumed Role', type: 'RoleBased', spec: { type: 'object', required: ['s3Role'], properties: { s3Role: { type: 'string' }, externalId: { type: 'string' }, region: { type: 'string' } } } },
      ],
      targetSpec: { name: 'Amazon S3 target', spec: { type: 'object', required: ['bucketName'] } },
    });
  });

  it('marks exactly the secret parameters of SPEC §2.8 as passwords, in every auth spec', () => {
    const passwordProperties = new Set<string>();
    for (const spec of listConnectionSpecs()) {
      for (const authSpec of aepJsonOf(spec.id).authSpec) {
        for (const [name, property] of Object.entries(authSpec.spec.properties)) if (property.format === 'password') passwordProperties.add(name);
      }
    }
    expect([...passwordProperties].sort()).toEqual(['connectionString', 'password', 's3SecretKey', 'secretAccessKey', 'sshKey']);
  });

  it('publishes JSON Schemas that a draft-07 validator compiles', () => {
    const ajv = new Ajv({ strict: true, strictRequired: false, formats: { password: true, uri: true } });
    for (const spec of listConnectionSpecs()) {
      const json = aepJsonOf(spec.id);
      for (const authSpec of json.authSpec) expect(() => ajv.compile(authSpec.spec)).not.toThrow();
      if (spec.role === 'destination') expect(() => ajv.compile(json.targetSpec.spec)).not.toThrow();
      expect(JSON.parse(JSON.stringify(json))).toEqual(json);
    }
  });

  it('offers pgpPublicKey everywhere but in the Data Landing Zone, which has no auth', () => {
    const dlz = aepJsonOf('10440537-2a7b-4583-ac39-ed38d4b848e8');
    expect(dlz.authSpec).toEqual([]);
    expect(dlz.targetSpec.spec.properties).not.toHaveProperty('pgpPublicKey');
    expect(aepJsonOf('36965a81-b1c6-401b-99f8-22508f1e6a26').targetSpec.spec.properties).toHaveProperty('pgpPublicKey');
  });

  it('publishes the location parameter of each storage: Adobe Campaign has both, required by neither', () => {
    const campaign = aepJsonOf('0b23e41a-cb4a-4321-a78f-3b654f5d7d97').targetSpec.spec;
    expect(campaign.properties).toHaveProperty('bucketName');
    expect(campaign.properties).toHaveProperty('container');
    expect(campaign).not.toHaveProperty('required');
    expect(campaign.properties.fileType?.enum).toEqual(['CSV']);
    expect(aepJsonOf('6d6b59bf-fb58-4107-9064-4d246c0e5bb2').targetSpec.spec.required).toEqual(['container']);
    expect(aepJsonOf('36965a81-b1c6-401b-99f8-22508f1e6a26').targetSpec.spec.properties).toHaveProperty('remotePath');
    expect(aepJsonOf('36965a81-b1c6-401b-99f8-22508f1e6a26').targetSpec.spec.properties).not.toHaveProperty('bucketName');
    expect(aepJsonOf('c5d93acb-ea8b-4b14-8f53-02138444ae99').targetSpec.spec.properties.maxFileRowCount).toMatchObject({ minimum: 1, maximum: 5_000_000 });
  });
});

describe('flow specs', () => {
  it('lets 71471eba… target Adobe Campaign, Oracle Eloqua and the five cloud-storage specs', () => {
    expect(requireFlowSpec('71471eba-b620-49e4-90fd-23f1fa0174d8').targetConnectionSpecIds).toEqual([
      '0b23e41a-cb4a-4321-a78f-3b654f5d7d97',
      'c1e44b6b-e7c8-404b-9031-58f0ef760604',
      ...CLOUD_STORAGE_IDS,
    ]);
  });

  it('publishes every flow spec with the Profile Store source, GeneralTransform and isDestinationFlow', () => {
    expect(listFlowSpecs()).toHaveLength(8);
    for (const spec of listFlowSpecs()) {
      expect(flowSpecToAepJson(spec)).toMatchObject({
        providerId: '14e34fac-d307-11e9-bb65-2a2ae2dbcce4',
        version: '1.0',
        sourceConnectionSpecIds: ['8a9c3494-9708-43d7-ae3f-cda01e5030e1'],
        transformationSpecs: [{ name: 'GeneralTransform' }],
        attributes: { isDestinationFlow: true },
      });
    }
  });

  it('maps every destination to at least one flow spec', () => {
    const targeted = new Set(listFlowSpecs().flatMap((spec) => spec.targetConnectionSpecIds));
    expect(SPEC_TABLE.every((row) => targeted.has(row[2]))).toBe(true);
  });
});

describe('unsupported spec ids', () => {
  it.each(Object.entries(UNSUPPORTED_SPEC_IDS))('refuses %s (%s) with FLOW-1460-400', (id) => {
    expect(findConnectionSpec(id)).toBeUndefined();
    expect(findFlowSpec(id)).toBeUndefined();
    expectInvalidSpecId(() => requireDestinationSpec(id));
    expectInvalidSpecId(() => requireFlowSpec(id));
  });

  it('refuses the Profile Store source spec where a destination is expected', () => {
    expectInvalidSpecId(() => requireDestinationSpec(PROFILE_STORE_SPEC_ID));
  });
});

describe('resolveStorageKind', () => {
  const campaign = requireDestinationSpec('0b23e41a-cb4a-4321-a78f-3b654f5d7d97');

  it('follows the auth spec of the base connection, aliases included', () => {
    expect(resolveStorageKind(campaign, 'S3')).toBe('s3');
    expect(resolveStorageKind(campaign, 'Azure Blob')).toBe('azureBlob');
    expect(resolveStorageKind(campaign, 'SFTP with SSH Key')).toBe('sftp');
    expect(resolveStorageKind(requireDestinationSpec('36965a81-b1c6-401b-99f8-22508f1e6a26'), 'SFTP with Password')).toBe('sftp');
  });

  it('needs no auth spec when the destination has a single storage', () => {
    expect(resolveStorageKind(requireDestinationSpec('4fce964d-3f37-408f-9778-e597338a21ee'), undefined)).toBe('s3');
    expect(resolveStorageKind(requireDestinationSpec('10440537-2a7b-4583-ac39-ed38d4b848e8'), undefined)).toBe('landingZone');
  });

  it('reports a caller bug when Adobe Campaign comes without its auth spec, or with an unknown one', () => {
    expect(() => resolveStorageKind(campaign, undefined)).toThrow('Adobe Campaign needs the auth spec of the base connection to pick its storage');
    expect(() => resolveStorageKind(campaign, 'Access Key')).toThrow("Adobe Campaign has no auth spec 'Access Key'");
  });
});
