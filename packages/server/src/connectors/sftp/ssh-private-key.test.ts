// Private key normalisation, checked with OpenSSH's ssh-keygen reading what we hand to ssh2 (keys made by ssh-keygen
// and by node:crypto, in every accepted format).
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ed25519PublicKeyLine, sshKeygenKey } from '../../../test/support/ssh-keys.js';
import { toSsh2PrivateKey, UnusableSshKeyError } from './ssh-private-key.js';

const dir = mkdtempSync(path.join(tmpdir(), 'activator-sshkey-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The public key line ssh-keygen derives from a private key file (type and base64, no comment). */
function publicKeyOf(privateKey: string): string {
  const file = path.join(dir, `derive-${Math.random().toString(36).slice(2)}`);
  writeFileSync(file, privateKey, { mode: 0o600 });
  return execFileSync('ssh-keygen', ['-y', '-f', file]).toString().trim().split(' ').slice(0, 2).join(' ');
}

function failureOf(key: string): UnusableSshKeyError {
  try {
    toSsh2PrivateKey(key);
  } catch (error) {
    if (error instanceof UnusableSshKeyError) return error;
    throw error;
  }
  throw new Error('the key was accepted');
}

describe('SSH private keys for ssh2', () => {
  it.each([
    ['an OpenSSH Ed25519 key', 'ed25519', 'OPENSSH', 'BEGIN OPENSSH PRIVATE KEY'],
    ['an OpenSSH RSA key', 'rsa', 'OPENSSH', 'BEGIN OPENSSH PRIVATE KEY'],
    ['a PEM PKCS#1 RSA key', 'rsa', 'PEM', 'BEGIN RSA PRIVATE KEY'],
    ['a PKCS#8 RSA key', 'rsa', 'PKCS8', 'BEGIN RSA PRIVATE KEY'],
    ['a PKCS#8 ECDSA key', 'ecdsa', 'PKCS8', 'BEGIN EC PRIVATE KEY'],
  ] as const)('accepts %s made by ssh-keygen, keeping the same key pair', (_what, type, format, label) => {
    const { privateKey, publicKey } = sshKeygenKey(dir, type, format);
    const converted = toSsh2PrivateKey(privateKey);
    expect(converted).toContain(label);
    expect(publicKeyOf(converted)).toBe(publicKey.split(' ').slice(0, 2).join(' '));
  });

  it('converts a PKCS#8 Ed25519 key (which ssh2 cannot read) to an OpenSSH key that ssh-keygen reads as the same key', () => {
    const pair = generateKeyPairSync('ed25519');
    const pem = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const converted = toSsh2PrivateKey(pem);
    expect(converted).toMatch(/^-----BEGIN OPENSSH PRIVATE KEY-----\n[A-Za-z0-9+/=\n]+-----END OPENSSH PRIVATE KEY-----\n$/);
    expect(publicKeyOf(converted)).toBe(ed25519PublicKeyLine(pair.publicKey));
  });

  it('accepts keys pasted with Windows line ends and surrounding blank lines', () => {
    const { privateKey, publicKey } = sshKeygenKey(dir, 'rsa', 'PEM');
    const converted = toSsh2PrivateKey(`\r\n${privateKey.replace(/\n/g, '\r\n')}\r\n\r\n`);
    expect(publicKeyOf(converted)).toBe(publicKey.split(' ').slice(0, 2).join(' '));
  });

  it.each([
    ['an OpenSSH key with a passphrase', () => sshKeygenKey(dir, 'ed25519', 'OPENSSH', 'secret phrase').privateKey, /passphrase/],
    ['a PEM RSA key with a passphrase', () => sshKeygenKey(dir, 'rsa', 'PEM', 'secret phrase').privateKey, /passphrase/],
    ['a PKCS#8 key with a passphrase', () => sshKeygenKey(dir, 'rsa', 'PKCS8', 'secret phrase').privateKey, /passphrase/],
    ['a public key', () => sshKeygenKey(dir, 'ed25519', 'OPENSSH').publicKey, /not a PEM or OpenSSH private key/],
    ['a PKCS#8 public key', () => generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString(), /could not be read/],
    ['text that is no key', () => 'hunter2', /not a PEM or OpenSSH private key/],
    ['a truncated PKCS#8 key', () => generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString().slice(0, 60) + '\n-----END PRIVATE KEY-----', /not a valid PKCS#8 private key/],
    ['a PKCS#8 X25519 key', () => generateKeyPairSync('x25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), /type \(x25519\) is not supported/],
  ])('refuses %s with a reason that does not repeat the key', (_what, make, reason) => {
    const key = make();
    const error = failureOf(key);
    expect(error.message).toMatch(reason);
    const body = key.split('\n').filter((line) => line.length > 20 && !line.startsWith('-----'));
    for (const line of body) expect(error.message).not.toContain(line.slice(0, 20));
  });

  it('writes the OpenSSH key file layout of PROTOCOL.key: cipher "none", one key, matching check integers, 1-2-3 padding', () => {
    const pair = generateKeyPairSync('ed25519');
    const converted = toSsh2PrivateKey(pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    const body = Buffer.from(converted.split('\n').filter((line) => !line.startsWith('-----')).join(''), 'base64');
    let offset = 0;
    const take = (length: number) => body.subarray(offset, (offset += length));
    const string = () => take(take(4).readUInt32BE(0));
    expect(take(15).toString('latin1')).toBe('openssh-key-v1\0');
    expect([string().toString(), string().toString(), string().length, take(4).readUInt32BE(0)]).toEqual(['none', 'none', 0, 1]);
    string();
    const secret = string();
    expect(offset).toBe(body.length);
    expect(secret.length % 8).toBe(0);
    expect(secret.readUInt32BE(0)).toBe(secret.readUInt32BE(4));
    const padding = secret.subarray(4 + 4 + 4 + 11 + 4 + 32 + 4 + 64 + 4);
    expect([...padding]).toEqual(Array.from({ length: padding.length }, (_, index) => index + 1));
  });
});
