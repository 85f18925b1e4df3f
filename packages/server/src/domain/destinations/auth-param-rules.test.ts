// Tests of the auth value rules against keys made by real tools (node:crypto, ssh-keygen) rather than hand-built bytes.
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  HOST_KEY_FINGERPRINT_PATTERN,
  HOST_PATTERN,
  IAM_ROLE_ARN_PATTERN,
  checkAzureConnectionString,
  checkGcsAccessKeyId,
  checkHttpUrl,
  checkSshPrivateKey,
  normalizeSshPrivateKey,
} from './auth-param-rules.js';

const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const matches = (pattern: string, value: string) => new RegExp(pattern, 'u').test(value);

describe('checkSshPrivateKey with PEM keys from node:crypto', () => {
  const ed25519 = generateKeyPairSync('ed25519', { privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs1', format: 'pem' }, publicKeyEncoding: { type: 'pkcs1', format: 'pem' } });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256', privateKeyEncoding: { type: 'sec1', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
  const encrypted = (type: 'pkcs1' | 'pkcs8') =>
    generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type, format: 'pem', cipher: 'aes-256-cbc', passphrase: 'correct horse' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    }).privateKey;

  it.each([
    ['an Ed25519 PKCS#8 key', ed25519.privateKey],
    ['an RSA PKCS#1 key', rsa.privateKey],
  ])('accepts the Base64 of %s', (_name, pem) => {
    expect(checkSshPrivateKey(base64(pem))).toBeUndefined();
  });

  it('accepts Base64 wrapped at 76 columns, as the base64 command prints it', () => {
    expect(checkSshPrivateKey(base64(rsa.privateKey).replace(/.{76}/g, '$&\n'))).toBeUndefined();
  });

  it('accepts the pasted PEM text and stores it Base64-encoded', () => {
    expect(checkSshPrivateKey(ed25519.privateKey)).toBeUndefined();
    expect(Buffer.from(normalizeSshPrivateKey(ed25519.privateKey), 'base64').toString('utf8')).toBe(ed25519.privateKey);
  });

  it.each([
    ['a PKCS#8 key', encrypted('pkcs8')],
    ['a PKCS#1 key', encrypted('pkcs1')],
  ])('refuses %s protected by a passphrase, saying how to remove it', (_name, pem) => {
    expect(checkSshPrivateKey(base64(pem))).toMatch(/^must be an unencrypted private key, but this one is protected by a passphrase; remove .*ssh-keygen -p/);
  });

  it('refuses EC keys, naming the type found', () => {
    expect(checkSshPrivateKey(base64(ec.privateKey))).toBe('must be an RSA or Ed25519 private key (this one is EC)');
  });

  it('refuses a public key sent by mistake', () => {
    expect(checkSshPrivateKey(base64(ed25519.publicKey))).toBe('must be the private key, but this is a public key');
  });

  it.each([
    ['a placeholder', '{SSH_KEY}'],
    ['Base64 of arbitrary text', base64('hello world')],
    ['a truncated key', base64(rsa.privateKey.slice(0, 300))],
  ])('refuses %s', (_name, value) => {
    expect(checkSshPrivateKey(value)).toBe('must be the Base64 encoding of an unencrypted OpenSSH or PEM private key (RSA or Ed25519)');
  });

  it('never repeats the key in its messages', () => {
    const message = checkSshPrivateKey(base64(encrypted('pkcs1'))) ?? '';
    expect(message).not.toContain('BEGIN');
    expect(message).not.toContain(base64(ec.privateKey).slice(0, 20));
  });
});

const sshKeygenMissing = (() => {
  try {
    execFileSync('ssh-keygen', ['-?'], { stdio: 'ignore' });
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT';
  }
  return false;
})();

describe.skipIf(sshKeygenMissing)('checkSshPrivateKey with OpenSSH keys from ssh-keygen (skipped when ssh-keygen is not installed)', () => {
  const directory = mkdtempSync(path.join(tmpdir(), 'activator-ssh-keys-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));
  const makeKey = (name: string, args: readonly string[]) => {
    const file = path.join(directory, name);
    execFileSync('ssh-keygen', ['-q', '-C', 'activator-test', '-f', file, ...args]);
    return { privateKey: readFileSync(file, 'utf8'), publicKey: readFileSync(`${file}.pub`, 'utf8'), publicFile: `${file}.pub` };
  };

  it.each([
    ['Ed25519', ['-t', 'ed25519', '-N', '']],
    ['RSA', ['-t', 'rsa', '-b', '2048', '-N', '']],
  ])('accepts an unencrypted %s key', (name, args) => {
    expect(checkSshPrivateKey(base64(makeKey(`plain-${name}`, args).privateKey))).toBeUndefined();
  });

  it('refuses a key protected by a passphrase', () => {
    const { privateKey } = makeKey('protected', ['-t', 'ed25519', '-N', 'correct horse battery']);
    expect(checkSshPrivateKey(base64(privateKey))).toMatch(/^must be an unencrypted private key/);
  });

  it('refuses an ECDSA key, naming its type', () => {
    const { privateKey } = makeKey('ecdsa', ['-t', 'ecdsa', '-N', '']);
    expect(checkSshPrivateKey(base64(privateKey))).toBe('must be an RSA or Ed25519 private key (this one is ecdsa-sha2-nistp256)');
  });

  it('refuses the public key line', () => {
    expect(checkSshPrivateKey(base64(makeKey('public', ['-t', 'ed25519', '-N', '']).publicKey))).toBe('must be the private key, but this is a public key');
  });

  it('accepts host key fingerprints exactly as ssh-keygen -lf prints them', () => {
    const { publicFile } = makeKey('host', ['-t', 'ed25519', '-N', '']);
    const fingerprint = execFileSync('ssh-keygen', ['-lf', publicFile], { encoding: 'utf8' }).split(' ')[1] ?? '';
    expect(matches(HOST_KEY_FINGERPRINT_PATTERN, fingerprint)).toBe(true);
  });
});

describe('value patterns', () => {
  it.each([
    ['SHA256:2PKiJk8IUtGN4F0laah9cnPbCl4DilqbMKtbQemduLs', true],
    ['SHA256:2PKiJk8IUtGN4F0laah9cnPbCl4DilqbMKtbQemduLs=', false],
    ['MD5:16:27:ac:a5:76:28:2d:36:63:1b:56:4d:eb:df:a6:48', false],
    ['2PKiJk8IUtGN4F0laah9cnPbCl4DilqbMKtbQemduLs', false],
  ])('host key fingerprint %s → %s', (value, valid) => {
    expect(matches(HOST_KEY_FINGERPRINT_PATTERN, value)).toBe(valid);
  });

  it.each([
    ['sftp.example.com', true],
    ['10.0.0.7', true],
    ['::1', true],
    ['[2001:db8::1]', true],
    ['files_01.internal', true],
    ['sftp://sftp.example.com', false],
    ['sftp.example.com:22', false],
    ['has space.example.com', false],
    ['-leading.example.com', false],
  ])('host %s → %s', (value, valid) => {
    expect(matches(HOST_PATTERN, value)).toBe(valid);
  });

  it.each([
    ['arn:aws:iam::800873819705:role/destinations-role-customer', true],
    ['arn:aws:iam::800873819705:role/service-role/exports', true],
    ['arn:aws-cn:iam::800873819705:role/exports', true],
    ['arn:aws:iam::80087381970:role/short-account', false],
    ['arn:aws:iam::800873819705:user/not-a-role', false],
    ['destinations-role-customer', false],
  ])('IAM role ARN %s → %s', (value, valid) => {
    expect(matches(IAM_ROLE_ARN_PATTERN, value)).toBe(valid);
  });
});

describe('checkHttpUrl', () => {
  it.each(['https://s3.eu-central-1.amazonaws.com', 'http://127.0.0.1:4568', 'https://minio.internal/base/'])('accepts %s', (url) => {
    expect(checkHttpUrl(url)).toBeUndefined();
  });

  it.each(['s3.amazonaws.com', 'ftp://files.example.com', 'https://user:secret@s3.example.com', 'https://s3.example.com/?x=1', 'https://'])('refuses %s', (url) => {
    expect(checkHttpUrl(url)).toMatch(/^must be an http:\/\/ or https:\/\/ URL/);
  });
});

describe('checkGcsAccessKeyId', () => {
  const serviceAccountId = `GOOG1E${'A1B2C3D4E5F6G7H8'.repeat(4)}`.slice(0, 61);

  it('accepts 61-character ids and the 24-character legacy form of Adobe examples against Google', () => {
    expect(serviceAccountId).toHaveLength(61);
    expect(checkGcsAccessKeyId(serviceAccountId, {})).toBeUndefined();
    expect(checkGcsAccessKeyId('GOOGMG1234ABCDEFGHIJKLMN', { endpoint: 'https://storage.googleapis.com' })).toBeUndefined();
  });

  it('refuses other ids against Google', () => {
    expect(checkGcsAccessKeyId('AKIAIOSFODNN7EXAMPLE', {})).toMatch(/^must be a Cloud Storage HMAC access ID: 61 characters/);
  });

  it('accepts any id when a custom endpoint points at an S3-interoperable emulator', () => {
    expect(checkGcsAccessKeyId('S3RVER', { endpoint: 'http://127.0.0.1:4568' })).toBeUndefined();
  });
});

describe('checkAzureConnectionString', () => {
  it.each([
    'DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=bXkta2V5;EndpointSuffix=core.windows.net',
    'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;',
    'BlobEndpoint=https://acme.blob.core.windows.net;SharedAccessSignature=sv=2022-11-02&ss=b&sig=abc',
    'UseDevelopmentStorage=true',
  ])('accepts %s', (value) => {
    expect(checkAzureConnectionString(value)).toBeUndefined();
  });

  it.each([
    'https://acme.blob.core.windows.net/exports',
    'AccountName=acme',
    'DefaultEndpointsProtocol=ftp;AccountName=acme;AccountKey=bXkta2V5',
    'AccountName=acme;AccountKey=not base64!',
  ])('refuses %s without echoing it', (value) => {
    const problem = checkAzureConnectionString(value) ?? '';
    expect(problem).toMatch(/^must be an Azure Storage connection string/);
    expect(problem).not.toContain(value);
  });
});
