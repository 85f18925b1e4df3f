// Table tests of connectorTargetOf: every destination and auth spec of SPEC §6.1 → its ConnectorTarget, with the §6.3 defaults.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ConnectorTarget } from '../../connectors/connector.js';
import { AppError } from '../../errors.js';
import { connectorTargetOf, folderWithoutMacros, type ConnectorTargetSource } from './connector-targets.js';
import { listConnectionSpecs } from './destination-catalog.js';

const SPEC = {
  s3: '4fce964d-3f37-408f-9778-e597338a21ee',
  azureBlob: '6d6b59bf-fb58-4107-9064-4d246c0e5bb2',
  gcs: 'c5d93acb-ea8b-4b14-8f53-02138444ae99',
  sftp: '36965a81-b1c6-401b-99f8-22508f1e6a26',
  dlz: '10440537-2a7b-4583-ac39-ed38d4b848e8',
  campaign: '0b23e41a-cb4a-4321-a78f-3b654f5d7d97',
  eloqua: 'c1e44b6b-e7c8-404b-9031-58f0ef760604',
  responsys: 'a5e28ddf-e265-426e-83a1-9d03a3a6822b',
  sfmc: 'f599a5b3-60a7-4951-950a-cc4115c7ea27',
  profileStore: '8a9c3494-9708-43d7-ae3f-cda01e5030e1',
} as const;

const DATA_DIR = '/var/lib/activator';
const KEY_PEM = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU=\n-----END OPENSSH PRIVATE KEY-----';
const KEY_BASE64 = Buffer.from(`${KEY_PEM}\n`, 'utf8').toString('base64');
const AZURE = 'DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=a2V5;EndpointSuffix=core.windows.net';
const GCS_ID = `GOOG1E${'A'.repeat(55)}`;

const s3Keys = { s3AccessKey: 'AKIAEXAMPLE', s3SecretKey: 'secret/key' };
const sftpServer = { domain: 'sftp.example.com', port: 2222, username: 'acme' };
const sftpPasswordTarget: ConnectorTarget = { kind: 'sftp', host: 'sftp.example.com', port: 2222, username: 'acme', auth: { type: 'password', password: 'pw' } };
const sftpKeyTarget: ConnectorTarget = { kind: 'sftp', host: 'sftp.example.com', port: 2222, username: 'acme', auth: { type: 'key', privateKey: `${KEY_PEM}\n` } };
const s3KeysTarget: ConnectorTarget = {
  kind: 's3', flavour: 'aws', bucket: 'acme-exports', region: 'us-east-1', forcePathStyle: false,
  credentials: { type: 'keys', accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'secret/key' },
};
const blobTarget: ConnectorTarget = { kind: 'azure-blob', connectionString: AZURE, container: 'acme-exports' };

interface Row {
  readonly destination: string;
  readonly specId: string;
  readonly authSpecName: string | undefined;
  readonly authParams: Record<string, string | number | boolean>;
  readonly targetParams: Record<string, unknown>;
  readonly expected: ConnectorTarget;
}

/** One row per (destination, auth spec) of SPEC §6.1; the expected targets are written out by hand. */
const ROWS: readonly Row[] = [
  { destination: 'Amazon S3', specId: SPEC.s3, authSpecName: 'Access Key', authParams: s3Keys, targetParams: { bucketName: 'acme-exports' }, expected: s3KeysTarget },
  {
    destination: 'Amazon S3', specId: SPEC.s3, authSpecName: 'Assumed Role',
    authParams: { s3Role: 'arn:aws:iam::800873819705:role/destinations-role-customer', externalId: 'ext-1', region: 'eu-west-1' },
    targetParams: { bucketName: 'acme-exports' },
    expected: {
      kind: 's3', flavour: 'aws', bucket: 'acme-exports', region: 'eu-west-1', forcePathStyle: false,
      credentials: { type: 'role', roleArn: 'arn:aws:iam::800873819705:role/destinations-role-customer', externalId: 'ext-1' },
    },
  },
  { destination: 'Azure Blob Storage', specId: SPEC.azureBlob, authSpecName: 'ConnectionString', authParams: { connectionString: AZURE }, targetParams: { container: 'acme-exports' }, expected: blobTarget },
  {
    destination: 'Google Cloud Storage', specId: SPEC.gcs, authSpecName: 'HMAC Key', authParams: { accessKeyId: GCS_ID, secretAccessKey: 'hmac-secret' },
    targetParams: { bucketName: 'acme-gcs' },
    expected: {
      kind: 's3', flavour: 'gcs', bucket: 'acme-gcs', region: 'auto', endpoint: 'https://storage.googleapis.com', forcePathStyle: true,
      credentials: { type: 'keys', accessKeyId: GCS_ID, secretAccessKey: 'hmac-secret' },
    },
  },
  { destination: 'SFTP', specId: SPEC.sftp, authSpecName: 'Basic Authentication for sftp', authParams: { ...sftpServer, password: 'pw' }, targetParams: {}, expected: sftpPasswordTarget },
  { destination: 'SFTP', specId: SPEC.sftp, authSpecName: 'SSH PublicKey Authentication for sftp', authParams: { ...sftpServer, sshKey: KEY_BASE64 }, targetParams: {}, expected: sftpKeyTarget },
  { destination: 'Data Landing Zone', specId: SPEC.dlz, authSpecName: undefined, authParams: {}, targetParams: {}, expected: { kind: 'landing-zone', root: path.join(DATA_DIR, 'dlz', 'prod') } },
  { destination: 'Adobe Campaign', specId: SPEC.campaign, authSpecName: 'S3', authParams: s3Keys, targetParams: { bucketName: 'acme-exports' }, expected: s3KeysTarget },
  { destination: 'Adobe Campaign', specId: SPEC.campaign, authSpecName: 'SFTP with Password', authParams: { ...sftpServer, password: 'pw' }, targetParams: {}, expected: sftpPasswordTarget },
  { destination: 'Adobe Campaign', specId: SPEC.campaign, authSpecName: 'SFTP with SSH Key', authParams: { ...sftpServer, sshKey: KEY_BASE64 }, targetParams: {}, expected: sftpKeyTarget },
  { destination: 'Adobe Campaign', specId: SPEC.campaign, authSpecName: 'Azure Blob', authParams: { connectionString: AZURE }, targetParams: { container: 'acme-exports' }, expected: blobTarget },
  ...(['eloqua', 'responsys', 'sfmc'] as const).flatMap((key): Row[] => [
    { destination: key, specId: SPEC[key], authSpecName: 'SFTP with Password', authParams: { ...sftpServer, password: 'pw' }, targetParams: {}, expected: sftpPasswordTarget },
    { destination: key, specId: SPEC[key], authSpecName: 'SFTP with SSH Key', authParams: { ...sftpServer, sshKey: KEY_BASE64 }, targetParams: {}, expected: sftpKeyTarget },
  ]),
];

function source(overrides: Partial<ConnectorTargetSource> & Pick<ConnectorTargetSource, 'connectionSpecId'>): ConnectorTargetSource {
  return { authSpecName: undefined, authParams: {}, targetParams: {}, sandboxName: 'prod', dataDir: DATA_DIR, ...overrides };
}

function validationMessage(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).familyCode).toBe('FLOW-1420-400');
    return (error as AppError).message;
  }
  throw new Error('expected a FLOW-1420-400 error');
}

describe('connectorTargetOf', () => {
  it.each(ROWS.map((row) => [row.destination, row.authSpecName ?? '(no auth)', row] as const))('maps %s with %s to its transport', (_d, _a, row) => {
    const resolved = connectorTargetOf(source({ connectionSpecId: row.specId, authSpecName: row.authSpecName, authParams: row.authParams, targetParams: { ...row.targetParams, path: 'crm/%SEGMENT_NAME%' } }));
    expect(resolved).toEqual({ target: row.expected, folder: 'crm' });
  });

  it('has a row for every destination and auth spec of the catalog', () => {
    const catalogPairs = listConnectionSpecs().flatMap((spec) =>
      spec.role !== 'destination' ? [] : spec.authSpecs.length === 0 ? [`${spec.id} (none)`] : spec.authSpecs.map((a) => `${spec.id} ${a.name}`),
    );
    const tablePairs = ROWS.map((row) => `${row.specId} ${row.authSpecName ?? '(none)'}`);
    expect(new Set(tablePairs)).toEqual(new Set(catalogPairs));
  });

  it('applies the SPEC §6.3 defaults: region us-east-1, forcePathStyle false, port 22', () => {
    const s3 = connectorTargetOf(source({ connectionSpecId: SPEC.s3, authSpecName: 'Access Key', authParams: s3Keys, targetParams: { bucketName: 'b-1' } }));
    expect(s3.target).toMatchObject({ region: 'us-east-1', forcePathStyle: false });
    expect(s3.target).not.toHaveProperty('endpoint');
    const sftp = connectorTargetOf(source({ connectionSpecId: SPEC.sftp, authSpecName: 'SFTP with Password', authParams: { domain: 'h.example', username: 'u', password: 'p' } }));
    expect(sftp.target).toMatchObject({ port: 22 });
  });

  it('keeps the endpoint and path-style addressing of an S3-compatible store, and a GCS endpoint override', () => {
    const s3 = connectorTargetOf(source({
      connectionSpecId: SPEC.s3, authSpecName: 'Access Key', authParams: { ...s3Keys, endpoint: 'http://127.0.0.1:9000', forcePathStyle: true }, targetParams: { bucketName: 'b-1' },
    }));
    expect(s3.target).toMatchObject({ endpoint: 'http://127.0.0.1:9000', forcePathStyle: true });
    const gcs = connectorTargetOf(source({
      connectionSpecId: SPEC.gcs, authSpecName: 'HMAC Key', authParams: { accessKeyId: GCS_ID, secretAccessKey: 's', endpoint: 'http://127.0.0.1:9001' }, targetParams: { bucketName: 'b-1' },
    }));
    expect(gcs.target).toMatchObject({ endpoint: 'http://127.0.0.1:9001', forcePathStyle: true });
  });

  it('reads host as an alias of domain, domain winning when both are set', () => {
    const viaHost = connectorTargetOf(source({ connectionSpecId: SPEC.sftp, authSpecName: 'SFTP with Password', authParams: { host: 'alias.example', username: 'u', password: 'p' } }));
    expect(viaHost.target).toMatchObject({ host: 'alias.example' });
    const both = connectorTargetOf(source({ connectionSpecId: SPEC.sftp, authSpecName: 'SFTP with Password', authParams: { host: 'alias.example', domain: 'domain.example', username: 'u', password: 'p' } }));
    expect(both.target).toMatchObject({ host: 'domain.example' });
  });

  it('passes the pinned host key fingerprint, and omits it when none is pinned', () => {
    const pinned = 'SHA256:2PKiJk8IUtGN4F0laah9cnPbCl4DilqbMKtbQemduLs';
    const withPin = connectorTargetOf(source({ connectionSpecId: SPEC.sftp, authSpecName: 'SFTP with Password', authParams: { ...sftpServer, password: 'p', hostKeyFingerprint: pinned } }));
    expect(withPin.target).toMatchObject({ hostKeyFingerprint: pinned });
    const withoutPin = connectorTargetOf(source({ connectionSpecId: SPEC.sftp, authSpecName: 'SFTP with Password', authParams: { ...sftpServer, password: 'p' } }));
    expect(withoutPin.target).not.toHaveProperty('hostKeyFingerprint');
  });

  it('accepts a pasted key text as well as its Base64', () => {
    const pasted = connectorTargetOf(source({ connectionSpecId: SPEC.sftp, authSpecName: 'SFTP with SSH Key', authParams: { ...sftpServer, sshKey: KEY_PEM } }));
    expect(pasted.target).toEqual(sftpKeyTarget);
  });

  it('reads remotePath as an alias of path in raw SFTP params, path winning', () => {
    const base = { connectionSpecId: SPEC.sftp, authSpecName: 'SFTP with Password', authParams: { ...sftpServer, password: 'p' } };
    expect(connectorTargetOf(source({ ...base, targetParams: { remotePath: 'upload/in' } })).folder).toBe('upload/in');
    expect(connectorTargetOf(source({ ...base, targetParams: { remotePath: 'upload/in', path: 'other' } })).folder).toBe('other');
  });

  it('roots the landing zone of each sandbox at <dataDir>/dlz/<sandboxName>', () => {
    const dev = connectorTargetOf(source({ connectionSpecId: SPEC.dlz, sandboxName: 'dev-2', targetParams: { path: 'exports/%SEGMENT_ID%' } }));
    expect(dev).toEqual({ target: { kind: 'landing-zone', root: path.join(DATA_DIR, 'dlz', 'dev-2') }, folder: 'exports' });
  });

  it('refuses the Profile Store source spec and unknown spec ids with a message naming the spec', () => {
    expect(validationMessage(() => connectorTargetOf(source({ connectionSpecId: SPEC.profileStore })))).toBe(
      `Connection spec ${SPEC.profileStore} is not a destination Activator writes files to; test a connection of a destination of GET /connectionSpecs`,
    );
    expect(validationMessage(() => connectorTargetOf(source({ connectionSpecId: 'not-a-spec' })))).toContain('Connection spec not-a-spec is not a destination');
  });

  it('names the missing bucket or container, and a missing auth spec, without echoing any value', () => {
    expect(validationMessage(() => connectorTargetOf(source({ connectionSpecId: SPEC.s3, authSpecName: 'Access Key', authParams: s3Keys })))).toBe(
      'params.bucketName is required for Amazon S3; set it on the target connection or in the test request',
    );
    expect(validationMessage(() => connectorTargetOf(source({ connectionSpecId: SPEC.campaign, authSpecName: 'Azure Blob', authParams: { connectionString: AZURE } })))).toBe(
      'params.container is required for Adobe Campaign; set it on the target connection or in the test request',
    );
    expect(validationMessage(() => connectorTargetOf(source({ connectionSpecId: SPEC.campaign, authParams: s3Keys, targetParams: { bucketName: 'b-1' } })))).toBe(
      "The base connection has no auth spec; Adobe Campaign needs one of 'S3', 'SFTP with Password', 'SFTP with SSH Key', 'Azure Blob'",
    );
    const missingSecret = validationMessage(() => connectorTargetOf(source({ connectionSpecId: SPEC.s3, authSpecName: 'Access Key', authParams: { s3AccessKey: 'AKIAEXAMPLE' }, targetParams: { bucketName: 'b-1' } })));
    expect(missingSecret).toBe("auth.params.s3SecretKey is missing from the base connection (auth spec 'Access Key'); update the connection with a value");
  });

  it('refuses an sshKey that is not the Base64 of a key file without echoing it', () => {
    const message = validationMessage(() => connectorTargetOf(source({ connectionSpecId: SPEC.sftp, authSpecName: 'SFTP with SSH Key', authParams: { ...sftpServer, sshKey: 'bm90IGEga2V5' } })));
    expect(message).toBe('auth.params.sshKey is not the Base64 of a private key file; update the connection with the Base64 of the key');
  });
});

describe('folderWithoutMacros', () => {
  it.each([
    ['', ''],
    ['/', ''],
    ['activator/', 'activator'],
    ['/exports//crm/', 'exports/crm'],
    ['./exports/./crm', 'exports/crm'],
    ['acme/campaigns/2025/%SEGMENT_NAME%/%SEGMENT_ID%', 'acme/campaigns/2025'],
    ['acme/%SEGMENT_NAME%', 'acme'],
    ['acme/%SEGMENT_ID%', 'acme'],
    ['%SEGMENT_NAME%/%SEGMENT_ID%', ''],
    ["Flash sale (VIP) it's *", "Flash sale (VIP) it's *"],
  ])('turns %j into the folder %j', (input, expected) => {
    expect(folderWithoutMacros(input)).toBe(expected);
  });

  it("refuses a '..' segment", () => {
    expect(validationMessage(() => folderWithoutMacros('a/../b'))).toBe("params.path must not contain a '..' folder");
  });
});
