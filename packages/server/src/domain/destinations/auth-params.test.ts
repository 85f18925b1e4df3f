// Tests of base-connection auth validation (SPEC §6.3): defaults, aliases, one error listing every problem, Adobe's own requests.
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../errors.js';
import { canonicalAuthSpecName, secretParamNames, validateAuthParams } from './auth-params.js';
import { examplesDir } from '../../../test/support/reference-examples.js';

const S3 = '4fce964d-3f37-408f-9778-e597338a21ee';
const AZURE = '6d6b59bf-fb58-4107-9064-4d246c0e5bb2';
const GCS = 'c5d93acb-ea8b-4b14-8f53-02138444ae99';
const SFTP = '36965a81-b1c6-401b-99f8-22508f1e6a26';
const DLZ = '10440537-2a7b-4583-ac39-ed38d4b848e8';
const CAMPAIGN = '0b23e41a-cb4a-4321-a78f-3b654f5d7d97';
const RESPONSYS = 'a5e28ddf-e265-426e-83a1-9d03a3a6822b';

const ED25519_PEM = generateKeyPairSync('ed25519', { privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } }).privateKey;
const SSH_KEY = Buffer.from(ED25519_PEM).toString('base64');
const SFTP_LOGIN = { domain: 'sftp.example.com', username: 'exports' };

/** The message of the validation error `action` throws, after checking it is one FLOW-1420-400. */
function validationMessage(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'VALIDATION', familyCode: 'FLOW-1420-400' });
    return (error as AppError).message;
  }
  throw new Error('expected a validation error');
}

describe('validateAuthParams', () => {
  it.each([
    ['S3 Access Key', S3, 'Access Key', { s3AccessKey: 'AKIAIOSFODNN7EXAMPLE', s3SecretKey: 'secret' }, { region: 'us-east-1', forcePathStyle: false }],
    ['S3 Assumed Role', S3, 'Assumed Role', { s3Role: 'arn:aws:iam::800873819705:role/destinations-role-customer' }, { region: 'us-east-1' }],
    ['GCS HMAC Key', GCS, 'HMAC Key', { accessKeyId: 'GOOGMG1234ABCDEFGHIJKLMN', secretAccessKey: 'secret' }, { endpoint: 'https://storage.googleapis.com' }],
    ['SFTP password', SFTP, 'Basic Authentication for sftp', { ...SFTP_LOGIN, password: 'pw' }, { port: 22 }],
  ])('applies the defaults of %s', (_name, specId, specName, params, defaults) => {
    expect(validateAuthParams(specId, specName, params)).toEqual({ specName, params: { ...params, ...defaults } });
  });

  it('keeps sent values over defaults, non-AEP extensions included', () => {
    const params = { s3AccessKey: 'S3RVER', s3SecretKey: 'S3RVER', region: 'eu-west-1', endpoint: 'http://127.0.0.1:4568', forcePathStyle: true };
    expect(validateAuthParams(S3, 'Access Key', params).params).toEqual(params);
  });

  it('folds host into domain, and lets domain win when both are sent', () => {
    expect(validateAuthParams(SFTP, 'Basic Authentication for sftp', { host: 'alias.example.com', username: 'u', password: 'p' }).params).toEqual({
      domain: 'alias.example.com', username: 'u', password: 'p', port: 22,
    });
    expect(validateAuthParams(SFTP, 'Basic Authentication for sftp', { domain: 'a.example.com', host: 'b.example.com', username: 'u', password: 'p' }).params).toMatchObject({ domain: 'a.example.com' });
  });

  it("normalises Adobe's V2 SFTP spec names and drops AEP's authorizedDate", () => {
    expect(validateAuthParams(SFTP, 'SFTP with SSH Key', { ...SFTP_LOGIN, sshKey: SSH_KEY, authorizedDate: '2022-08-03' })).toEqual({
      specName: 'SSH PublicKey Authentication for sftp',
      params: { ...SFTP_LOGIN, sshKey: SSH_KEY, port: 22 },
    });
  });

  it('stores a pasted private key as Base64', () => {
    expect(validateAuthParams(RESPONSYS, 'SFTP with SSH Key', { ...SFTP_LOGIN, sshKey: ED25519_PEM }).params.sshKey).toBe(Buffer.from(`${ED25519_PEM.trim()}\n`).toString('base64'));
  });

  it('lists every problem in one error, naming the field and the rule', () => {
    expect(validationMessage(() => validateAuthParams(SFTP, 'SSH PublicKey Authentication for sftp', { port: 0, foo: 'x', hostKeyFingerprint: 'MD5:ab' }))).toBe(
      [
        "Unknown auth parameter 'foo' for spec 'SSH PublicKey Authentication for sftp'",
        'auth.params.domain is required',
        'auth.params.port must be an integer from 1 to 65535',
        'auth.params.username is required',
        'auth.params.hostKeyFingerprint must be SHA256:<base64 without padding> as printed by ssh-keygen -lf, e.g. SHA256:2PKiJk8IUtGN4F0laah9cnPbCl4DilqbMKtbQemduLs',
        'auth.params.sshKey is required',
      ].join('; '),
    );
  });

  it.each([
    [S3, 'Access Key', { s3AccessKey: 'a', s3SecretKey: 'b', endpoint: 's3.example.com' }, 'auth.params.endpoint must be an http:// or https:// URL such as https://s3.example.com, without credentials, query or fragment'],
    [S3, 'Assumed Role', { s3Role: 'destinations-role' }, 'auth.params.s3Role must be an IAM role ARN such as arn:aws:iam::123456789012:role/destinations-role'],
    [GCS, 'HMAC Key', { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 's' }, 'auth.params.accessKeyId must be a Cloud Storage HMAC access ID: 61 characters starting with GOOG (legacy 24-character IDs are accepted too)'],
    [AZURE, 'ConnectionString', { connectionString: 'AccountName=acme' }, 'auth.params.connectionString must be an Azure Storage connection string such as DefaultEndpointsProtocol=https;AccountName=<account>;AccountKey=<key> (or with BlobEndpoint and SharedAccessSignature)'],
    [SFTP, 'Basic Authentication for sftp', { domain: 'sftp://files.example.com', username: 'u', password: 'p' }, 'auth.params.domain must be a host name or IP address without scheme or port, e.g. sftp.example.com'],
    [SFTP, 'Basic Authentication for sftp', { domain: 'files.example.com', username: 'u', password: 'p', port: '22' }, 'auth.params.port must be an integer from 1 to 65535'],
    [SFTP, 'Basic Authentication for sftp', { ...SFTP_LOGIN, password: 'p', forcePathStyle: true }, "Unknown auth parameter 'forcePathStyle' for spec 'Basic Authentication for sftp'"],
  ])('refuses a bad value for %s %s', (specId, specName, params, message) => {
    expect(validationMessage(() => validateAuthParams(specId, specName, params))).toBe(message);
  });

  it('refuses an encrypted SSH key with a message that says how to fix it', () => {
    const encrypted = generateKeyPairSync('ed25519', {
      privateKeyEncoding: { type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pass phrase' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    }).privateKey;
    expect(validationMessage(() => validateAuthParams(SFTP, 'SFTP with SSH Key', { ...SFTP_LOGIN, sshKey: Buffer.from(encrypted).toString('base64') }))).toMatch(
      /^auth\.params\.sshKey must be an unencrypted private key, but this one is protected by a passphrase; remove the passphrase .*ssh-keygen -p -N ""/,
    );
  });

  it('names the valid auth specs when the spec name is unknown or missing', () => {
    expect(validationMessage(() => validateAuthParams(SFTP, 'Password', {}))).toBe(
      "auth.specName 'Password' is not valid for SFTP; use one of 'Basic Authentication for sftp', 'SSH PublicKey Authentication for sftp'",
    );
    expect(validationMessage(() => validateAuthParams(S3, undefined, {}))).toBe("auth.specName is required; Amazon S3 accepts 'Access Key', 'Assumed Role'");
  });

  it('lets the spec name be omitted when the destination has a single auth spec', () => {
    const connectionString = 'DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=bXkta2V5';
    expect(validateAuthParams(AZURE, undefined, { connectionString })).toEqual({ specName: 'ConnectionString', params: { connectionString } });
  });

  it('offers Adobe Campaign its four auth specs with the parameters of the matching storage', () => {
    expect(validateAuthParams(CAMPAIGN, 'S3', { s3AccessKey: 'a', s3SecretKey: 'b' }).params).toMatchObject({ region: 'us-east-1' });
    expect(validateAuthParams(CAMPAIGN, 'Azure Blob', { connectionString: 'UseDevelopmentStorage=true' }).specName).toBe('Azure Blob');
    expect(validateAuthParams(CAMPAIGN, 'SFTP with Password', { ...SFTP_LOGIN, password: 'p' }).params).toMatchObject({ port: 22 });
  });

  it.each([
    ['no auth at all', undefined, undefined],
    ['an auth with empty params', undefined, {}],
  ])('accepts the Data Landing Zone with %s', (_name, specName, params) => {
    expect(validateAuthParams(DLZ, specName, params)).toEqual({ specName: undefined, params: {} });
  });

  it('refuses credentials for the Data Landing Zone', () => {
    expect(validationMessage(() => validateAuthParams(DLZ, 'Access Key', { s3AccessKey: 'a' }))).toBe(
      'auth.specName must be absent: Data Landing Zone takes no credentials; auth.params must be empty: Data Landing Zone takes no credentials',
    );
  });

  it.each(['4890fc95-5a1f-4983-94bb-e060c08e3f81', '8a9c3494-9708-43d7-ae3f-cda01e5030e1', 'not-a-spec'])('refuses connection spec %s with FLOW-1460-400', (specId) => {
    expect(() => validateAuthParams(specId, 'Access Key', {})).toThrow(expect.objectContaining({ familyCode: 'FLOW-1460-400', message: 'Please provide a valid spec id' }));
  });
});

describe('secretParamNames', () => {
  it.each([
    [S3, 'Access Key', ['s3SecretKey']],
    [S3, 'Assumed Role', []],
    [AZURE, 'ConnectionString', ['connectionString']],
    [GCS, 'HMAC Key', ['secretAccessKey']],
    [SFTP, 'Basic Authentication for sftp', ['password']],
    [SFTP, 'SFTP with SSH Key', ['sshKey']],
    [CAMPAIGN, 'S3', ['s3SecretKey']],
    [CAMPAIGN, 'Azure Blob', ['connectionString']],
    [DLZ, undefined, []],
  ])('of %s %s are %j', (specId, specName, names) => {
    expect(secretParamNames(specId, specName)).toEqual(names);
  });

  it('refuses to guess for an unknown auth spec, which could leave a secret in clear', () => {
    expect(() => secretParamNames(S3, 'Password')).toThrow(AppError);
  });
});

describe('canonicalAuthSpecName', () => {
  it('resolves aliases to the catalog name, and unknown names to undefined', () => {
    expect(canonicalAuthSpecName(SFTP, 'SFTP with Password')).toBe('Basic Authentication for sftp');
    expect(canonicalAuthSpecName(SFTP, 'Basic Authentication for sftp')).toBe('Basic Authentication for sftp');
    expect(canonicalAuthSpecName(S3, 'SFTP with Password')).toBeUndefined();
  });
});

const EXAMPLES = examplesDir('destinations');
/** The parts of Adobe's base connection examples these tests read. */
interface AuthExample {
  readonly connectionSpec: { readonly id: string };
  readonly auth: { readonly specName: string; readonly params: unknown };
}
const readExample = (file: string): unknown => JSON.parse(readFileSync(path.join(EXAMPLES, file), 'utf8'));

/** Adobe's examples hold `{DOMAIN}`-style placeholders where a real request holds values; fill them in. */
function fillPlaceholders(value: unknown, values: Readonly<Record<string, unknown>>): unknown {
  if (typeof value === 'string') {
    const placeholder = /^\{([A-Z_]+)\}$/.exec(value)?.[1];
    return placeholder !== undefined && placeholder in values ? values[placeholder] : value;
  }
  if (Array.isArray(value)) return value.map((item) => fillPlaceholders(item, values));
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, fillPlaceholders(item, values)]));
  return value;
}

describe.skipIf(!existsSync(EXAMPLES))('Adobe reference examples (skipped when ACTIVATOR_REFERENCE_DIR/examples/destinations is absent)', () => {
  const PLACEHOLDERS = { DOMAIN: 'sftp.example.com', HOST: 'host.example.com', USERNAME: 'exports', PASSWORD: 'pw', SSH_KEY };

  it.each([
    ['POST_connections_request_Create_S3_Base_Connection.json', { specName: 'Access Key', params: { s3AccessKey: '<Add access key>', s3SecretKey: '<Add secret key>', region: 'us-east-1', forcePathStyle: false } }],
    ['POST_connections_request_Create_SFTP_With_Password_Connection.json', { specName: 'Basic Authentication for sftp', params: { domain: 'sftp.example.com', port: 22, username: 'exports', password: 'pw' } }],
    ['POST_connections_request_Create_SFTP_With_SSH_Key_Connection.json', { specName: 'SSH PublicKey Authentication for sftp', params: { domain: 'sftp.example.com', port: 22, username: 'exports', sshKey: SSH_KEY } }],
  ])('accepts %s once its placeholders are filled', (file, expected) => {
    const request = fillPlaceholders(readExample(file), PLACEHOLDERS) as AuthExample;
    expect(validateAuthParams(request.connectionSpec.id, request.auth.specName, request.auth.params)).toEqual(expected);
  });

  it.each(['GET_connections_id_response_200_Amazon_S3_Connection_V2.json', 'GET_connections_id_response_200_SFTP_Connection_V2.json'])(
    'accepts the auth of %s sent back as a request',
    (file) => {
      const [item] = (readExample(file) as { items: AuthExample[] }).items;
      if (item === undefined) throw new Error(`${file} has no item`);
      expect(() => validateAuthParams(item.connectionSpec.id, item.auth.specName, item.auth.params)).not.toThrow();
    },
  );

  it('refuses the PATCH example that uses accessId/secretKey, which are not S3 auth parameters', () => {
    const [operation] = readExample('PATCH_connections_id_request_Patch_Connection_Replace_Auth_Params.json') as [{ value: unknown }];
    expect(validationMessage(() => validateAuthParams(S3, 'Access Key', operation.value))).toBe(
      "Unknown auth parameter 'accessId' for spec 'Access Key'; Unknown auth parameter 'secretKey' for spec 'Access Key'; auth.params.s3AccessKey is required; auth.params.s3SecretKey is required",
    );
  });
});
