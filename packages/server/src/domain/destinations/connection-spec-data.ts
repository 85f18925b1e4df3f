// The static connection specs of SPEC §6.1 and their auth parameter tables (SPEC §6.3); looked up through destination-catalog.ts.
import {
  EXTERNAL_ID_PATTERN,
  GCS_DEFAULT_ENDPOINT,
  HOST_KEY_FINGERPRINT_PATTERN,
  HOST_PATTERN,
  IAM_ROLE_ARN_PATTERN,
  NO_CONTROL_CHARACTERS_PATTERN,
  REGION_PATTERN,
  checkAzureConnectionString,
  checkGcsAccessKeyId,
  checkHttpUrl,
  checkSshPrivateKey,
  normalizeSshPrivateKey,
} from './auth-param-rules.js';
import type { AuthSpecDefinition, ConnectionSpec, DestinationConnectionSpec } from './destination-catalog.js';
import type { ParamDefinition } from './param-definitions.js';

/** Adobe adds `authorizedDate` to stored auth params; clients that send it back are not refused. */
const AUTHORIZED_DATE: ParamDefinition = { kind: 'ignored', name: 'authorizedDate', description: 'Set by AEP; accepted for compatibility and ignored.' };

const S3_REGION: ParamDefinition = {
  kind: 'string',
  name: 'region',
  description: 'The region of the bucket.',
  defaultValue: 'us-east-1',
  pattern: REGION_PATTERN,
  rule: 'must be a region name such as eu-west-1',
};

const S3_ACCESS_KEY_PARAMS: readonly ParamDefinition[] = [
  { kind: 'string', name: 's3AccessKey', description: 'The access key id.', required: true },
  { kind: 'string', name: 's3SecretKey', description: 'The secret access key.', required: true, secret: true },
  S3_REGION,
  {
    kind: 'string',
    name: 'endpoint',
    description: 'The URL of an S3-compatible store; AWS when absent.',
    nonAep: true,
    format: 'uri',
    check: checkHttpUrl,
  },
  { kind: 'boolean', name: 'forcePathStyle', description: 'Address the bucket in the URL path rather than the host name.', nonAep: true, defaultValue: false },
  AUTHORIZED_DATE,
];

const S3_ROLE_PARAMS: readonly ParamDefinition[] = [
  {
    kind: 'string',
    name: 's3Role',
    description: 'The IAM role that Activator assumes with the AWS credentials of its environment.',
    required: true,
    pattern: IAM_ROLE_ARN_PATTERN,
    rule: 'must be an IAM role ARN such as arn:aws:iam::123456789012:role/destinations-role',
  },
  {
    kind: 'string',
    name: 'externalId',
    description: 'The external id the role trust policy requires.',
    pattern: EXTERNAL_ID_PATTERN,
    rule: 'must be 2 to 1224 letters, digits or characters among _+=,.@:/-',
  },
  S3_REGION,
  AUTHORIZED_DATE,
];

const AZURE_CONNECTION_STRING_PARAMS: readonly ParamDefinition[] = [
  {
    kind: 'string',
    name: 'connectionString',
    description: 'The storage account connection string, e.g. DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=….',
    required: true,
    secret: true,
    check: checkAzureConnectionString,
  },
  AUTHORIZED_DATE,
];

const GCS_HMAC_PARAMS: readonly ParamDefinition[] = [
  { kind: 'string', name: 'accessKeyId', description: 'The HMAC access id (61 characters, GOOG…).', required: true, check: checkGcsAccessKeyId },
  { kind: 'string', name: 'secretAccessKey', description: 'The HMAC secret.', required: true, secret: true },
  {
    kind: 'string',
    name: 'endpoint',
    description: "The URL of Cloud Storage's S3-interoperable XML API.",
    nonAep: true,
    format: 'uri',
    defaultValue: GCS_DEFAULT_ENDPOINT,
    check: checkHttpUrl,
  },
  AUTHORIZED_DATE,
];

const SFTP_SERVER_PARAMS: readonly ParamDefinition[] = [
  {
    kind: 'string',
    name: 'domain',
    aliases: ['host'],
    description: 'The host name or IP address of the SFTP server.',
    required: true,
    pattern: HOST_PATTERN,
    maxLength: 253,
    rule: 'must be a host name or IP address without scheme or port, e.g. sftp.example.com',
  },
  { kind: 'integer', name: 'port', description: 'The SSH port.', minimum: 1, maximum: 65_535, defaultValue: 22 },
  {
    kind: 'string',
    name: 'username',
    description: 'The user to log in as.',
    required: true,
    pattern: NO_CONTROL_CHARACTERS_PATTERN,
    maxLength: 256,
    rule: 'must be at most 256 characters without control characters',
  },
  {
    kind: 'string',
    name: 'hostKeyFingerprint',
    description: 'The expected host key fingerprint as printed by ssh-keygen -lf; any host key is accepted when absent.',
    nonAep: true,
    pattern: HOST_KEY_FINGERPRINT_PATTERN,
    rule: 'must be SHA256:<base64 without padding> as printed by ssh-keygen -lf, e.g. SHA256:2PKiJk8IUtGN4F0laah9cnPbCl4DilqbMKtbQemduLs',
  },
];

const SFTP_PASSWORD_PARAMS: readonly ParamDefinition[] = [
  ...SFTP_SERVER_PARAMS,
  { kind: 'string', name: 'password', description: 'The password of the user.', required: true, secret: true },
  AUTHORIZED_DATE,
];

const SFTP_SSH_KEY_PARAMS: readonly ParamDefinition[] = [
  ...SFTP_SERVER_PARAMS,
  {
    kind: 'string',
    name: 'sshKey',
    description: 'The Base64 of an unencrypted OpenSSH or PEM private key (RSA or Ed25519).',
    required: true,
    secret: true,
    check: checkSshPrivateKey,
    normalize: normalizeSshPrivateKey,
  },
  AUTHORIZED_DATE,
];

const sftpPassword = (name: string, aliases: readonly string[] = []): AuthSpecDefinition => ({
  name,
  aliases,
  type: 'PasswordBased',
  storageKind: 'sftp',
  params: SFTP_PASSWORD_PARAMS,
});
const sftpSshKey = (name: string, aliases: readonly string[] = []): AuthSpecDefinition => ({
  name,
  aliases,
  type: 'PublicKeyBased',
  storageKind: 'sftp',
  params: SFTP_SSH_KEY_PARAMS,
});
const SFTP_FOR_EMAIL: readonly AuthSpecDefinition[] = [sftpPassword('SFTP with Password'), sftpSshKey('SFTP with SSH Key')];

/** Fields every destination spec of the same category shares. */
const cloudStorage = { role: 'destination', category: 'cloudStorage', fileTypes: ['CSV', 'JSON', 'PARQUET'], supportsPgpEncryption: true } as const;
const emailMarketing = { role: 'destination', category: 'emailMarketing', fileTypes: ['CSV'], supportsPgpEncryption: true } as const;

const DESTINATION_SPECS: readonly DestinationConnectionSpec[] = [
  {
    ...cloudStorage,
    id: '4fce964d-3f37-408f-9778-e597338a21ee',
    name: 'Amazon S3',
    description: 'Export files to an Amazon S3 bucket or an S3-compatible store',
    authSpecs: [
      { name: 'Access Key', type: 'KeyBased', storageKind: 's3', params: S3_ACCESS_KEY_PARAMS },
      { name: 'Assumed Role', type: 'RoleBased', storageKind: 's3', params: S3_ROLE_PARAMS },
    ],
  },
  {
    ...cloudStorage,
    id: '6d6b59bf-fb58-4107-9064-4d246c0e5bb2',
    name: 'Azure Blob Storage',
    description: 'Export files to an Azure Blob Storage container',
    authSpecs: [{ name: 'ConnectionString', type: 'ConnectionString', storageKind: 'azureBlob', params: AZURE_CONNECTION_STRING_PARAMS }],
  },
  {
    ...cloudStorage,
    id: 'c5d93acb-ea8b-4b14-8f53-02138444ae99',
    name: 'Google Cloud Storage',
    description: 'Export files to a Google Cloud Storage bucket through its S3-interoperable API',
    authSpecs: [{ name: 'HMAC Key', type: 'KeyBased', storageKind: 'gcs', params: GCS_HMAC_PARAMS }],
  },
  {
    ...cloudStorage,
    id: '36965a81-b1c6-401b-99f8-22508f1e6a26',
    name: 'SFTP',
    description: 'Export files to a folder of an SFTP server',
    // Adobe's V2 examples name these auth specs like the e-mail destinations do.
    authSpecs: [sftpPassword('Basic Authentication for sftp', ['SFTP with Password']), sftpSshKey('SSH PublicKey Authentication for sftp', ['SFTP with SSH Key'])],
  },
  {
    ...cloudStorage,
    id: '10440537-2a7b-4583-ac39-ed38d4b848e8',
    name: 'Data Landing Zone',
    description: 'Export files to a folder on the Activator host, read back through the landing zone file API',
    authSpecs: [],
    storageKindWithoutAuth: 'landingZone',
    supportsPgpEncryption: false,
  },
  {
    ...emailMarketing,
    id: '0b23e41a-cb4a-4321-a78f-3b654f5d7d97',
    name: 'Adobe Campaign',
    description: 'Export CSV files for Adobe Campaign to Amazon S3, SFTP or Azure Blob Storage',
    authSpecs: [
      { name: 'S3', type: 'KeyBased', storageKind: 's3', params: S3_ACCESS_KEY_PARAMS },
      ...SFTP_FOR_EMAIL,
      { name: 'Azure Blob', type: 'ConnectionString', storageKind: 'azureBlob', params: AZURE_CONNECTION_STRING_PARAMS },
    ],
  },
  {
    ...emailMarketing,
    id: 'c1e44b6b-e7c8-404b-9031-58f0ef760604',
    name: 'Oracle Eloqua (Files)',
    description: 'Export CSV files for Oracle Eloqua to an SFTP server',
    authSpecs: SFTP_FOR_EMAIL,
  },
  {
    ...emailMarketing,
    id: 'a5e28ddf-e265-426e-83a1-9d03a3a6822b',
    name: 'Oracle Responsys',
    description: 'Export CSV files for Oracle Responsys to an SFTP server',
    authSpecs: SFTP_FOR_EMAIL,
  },
  {
    ...emailMarketing,
    id: 'f599a5b3-60a7-4951-950a-cc4115c7ea27',
    name: 'Salesforce Marketing Cloud (Files)',
    description: 'Export CSV files for Salesforce Marketing Cloud to an SFTP server',
    authSpecs: SFTP_FOR_EMAIL,
  },
];

/** Every connection spec Activator serves: the destinations, then the Profile Store source. */
export const CONNECTION_SPECS: readonly ConnectionSpec[] = [
  ...DESTINATION_SPECS,
  {
    role: 'source',
    id: '8a9c3494-9708-43d7-ae3f-cda01e5030e1',
    name: 'Profile Store',
    description: 'Profiles and audience memberships of the Real-Time Customer Profile store',
  },
];
