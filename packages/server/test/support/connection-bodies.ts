// Test helper: request bodies of base, source and target connections (SPEC §6.2–§6.5) with distinctive secrets, and a real SSH key.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Connection spec ids of SPEC §6.1. */
export const SPEC_ID = {
  s3: '4fce964d-3f37-408f-9778-e597338a21ee',
  azureBlob: '6d6b59bf-fb58-4107-9064-4d246c0e5bb2',
  gcs: 'c5d93acb-ea8b-4b14-8f53-02138444ae99',
  sftp: '36965a81-b1c6-401b-99f8-22508f1e6a26',
  dlz: '10440537-2a7b-4583-ac39-ed38d4b848e8',
  campaign: '0b23e41a-cb4a-4321-a78f-3b654f5d7d97',
  eloqua: 'c1e44b6b-e7c8-404b-9031-58f0ef760604',
  profileStore: '8a9c3494-9708-43d7-ae3f-cda01e5030e1',
} as const;

/** The flow spec of SFTP (SPEC §6.1). */
export const SFTP_FLOW_SPEC = 'fd36aaa4-bf2b-43fb-9387-43785eeeb799';

/** A 61-character GCS HMAC access id (SPEC §6.3): `GOOG` and 57 letters or digits. */
export const GCS_ACCESS_ID = `GOOG1E${'A1B2C3D4E5'.repeat(5)}XYZ12`;

/** An unencrypted Ed25519 private key made by `ssh-keygen`, as sent in `sshKey`: the Base64 of the key file. */
export function generateSshKeyBase64(): { base64: string; pem: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'activator-ssh-'));
  try {
    const file = path.join(dir, 'id_ed25519');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'activator-test', '-f', file], { stdio: 'ignore' });
    const pem = readFileSync(file, 'utf8');
    return { base64: Buffer.from(pem, 'utf8').toString('base64'), pem };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `connectionSpec` as clients send it. */
export function specRef(id: string): { id: string; version: string } {
  return { id, version: '1.0' };
}

/** Distinctive secrets, all starting with `S3CR3T-<marker>`, so that a leak of any of them can be searched for. */
export interface SecretSet {
  readonly marker: string;
  readonly s3SecretKey: string;
  readonly sftpPassword: string;
  readonly gcsSecret: string;
  /** The Base64 `AccountKey` inside the Azure connection string (its plain text holds the marker). */
  readonly azureAccountKey: string;
  readonly azureConnectionString: string;
  readonly sshKeyBase64: string;
  /** A line of the PEM body of the SSH key that holds private key bytes (the first lines are a header every key shares). */
  readonly sshKeyPemLine: string;
}

export function secretSet(marker: string, sshKey: { base64: string; pem: string }): SecretSet {
  const azureAccountKey = Buffer.from(`S3CR3T-${marker}-azure-account-key`).toString('base64');
  const pemLines = sshKey.pem.split('\n').filter((line) => line !== '' && !line.startsWith('-----'));
  return {
    marker,
    s3SecretKey: `S3CR3T-${marker}-s3/K7MDENG+bPxRfiCY`,
    sftpPassword: `S3CR3T-${marker}-sftp-password`,
    gcsSecret: `S3CR3T-${marker}-gcs-hmac-secret`,
    azureAccountKey,
    azureConnectionString: `DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=${azureAccountKey};EndpointSuffix=core.windows.net`,
    sshKeyBase64: sshKey.base64,
    sshKeyPemLine: pemLines[2] ?? pemLines[1] ?? '',
  };
}

/** Every string that must never appear in plain text outside the encrypted store. */
export function secretNeedles(secrets: SecretSet): string[] {
  return [
    `S3CR3T-${secrets.marker}`, secrets.s3SecretKey, secrets.sftpPassword, secrets.gcsSecret, secrets.azureAccountKey,
    secrets.azureConnectionString, secrets.sshKeyBase64, secrets.sshKeyBase64.slice(200, 280), secrets.sshKeyPemLine,
  ];
}

/** Base connection bodies, one per way of authenticating that SPEC §6.3 lists. */
export const baseBodies = {
  s3: (secrets: SecretSet, name = 'Acme S3') => ({
    name, description: 'Exports for the CRM team',
    auth: { specName: 'Access Key', params: { s3AccessKey: 'AKIAIOSFODNN7EXAMPLE', s3SecretKey: secrets.s3SecretKey, region: 'eu-west-1', endpoint: 'https://s3.example.com', forcePathStyle: true } },
    connectionSpec: specRef(SPEC_ID.s3),
  }),
  sftpPassword: (secrets: SecretSet, name = 'Acme SFTP') => ({
    name,
    auth: { specName: 'Basic Authentication for sftp', params: { domain: 'sftp.example.com', port: 2222, username: 'acme', password: secrets.sftpPassword } },
    connectionSpec: specRef(SPEC_ID.sftp),
  }),
  sftpSshKey: (secrets: SecretSet, name = 'Acme SFTP key') => ({
    name,
    auth: { specName: 'SSH PublicKey Authentication for sftp', params: { domain: 'sftp.example.com', username: 'acme', sshKey: secrets.sshKeyBase64 } },
    connectionSpec: specRef(SPEC_ID.sftp),
  }),
  azureBlob: (secrets: SecretSet, name = 'Acme Blob') => ({
    name,
    auth: { specName: 'ConnectionString', params: { connectionString: secrets.azureConnectionString } },
    connectionSpec: specRef(SPEC_ID.azureBlob),
  }),
  gcs: (secrets: SecretSet, name = 'Acme GCS') => ({
    name,
    auth: { specName: 'HMAC Key', params: { accessKeyId: GCS_ACCESS_ID, secretAccessKey: secrets.gcsSecret } },
    connectionSpec: specRef(SPEC_ID.gcs),
  }),
  dlz: (name = 'Landing zone') => ({ name, connectionSpec: specRef(SPEC_ID.dlz) }),
};

/** The Profile Store source connection of SPEC §6.2. */
export function sourceBody(name = 'Connect to Profile Store'): Record<string, unknown> {
  return { name, description: 'Optional', connectionSpec: specRef(SPEC_ID.profileStore) };
}

/** A target connection body for `baseConnectionId` of `specId` with these params. */
export function targetBody(baseConnectionId: string, specId: string, params: Record<string, unknown>, name = 'Target'): Record<string, unknown> {
  return { name, baseConnectionId, params, connectionSpec: specRef(specId) };
}
