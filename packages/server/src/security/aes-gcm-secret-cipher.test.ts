// Tests of AES-256-GCM secrets at rest (SPEC §2.8): format, round trips, and refusal of every kind of tampering.
import { createDecipheriv, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SecretDecryptionError, createAesGcmSecretCipher } from './aes-gcm-secret-cipher.js';

const KEY = randomBytes(32);
const CONTEXT = '77eeb629-5ffd-4d2b-a8e6-1c7a8e4b2f3d:s3SecretKey';
const cipher = createAesGcmSecretCipher(KEY);

/** Replaces one character of a Base64 part by another valid Base64 character. */
function flipCharacter(part: string, index: number): string {
  const replacement = part[index] === 'A' ? 'B' : 'A';
  return `${part.slice(0, index)}${replacement}${part.slice(index + 1)}`;
}

describe('AES-GCM secret cipher', () => {
  it.each([
    ['ASCII', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'],
    ['Unicode', 'pässwörd – 密码 – 🔑'],
    ['an empty string', ''],
    ['a long PEM key', `-----BEGIN OPENSSH PRIVATE KEY-----\n${'A'.repeat(3000)}\n-----END OPENSSH PRIVATE KEY-----\n`],
  ])('round-trips %s', (_name, plaintext) => {
    expect(cipher.decrypt(cipher.encrypt(plaintext, CONTEXT), CONTEXT)).toBe(plaintext);
  });

  it('stores v1:<12-byte nonce>:<ciphertext and 16-byte tag>, decryptable by plain AES-256-GCM', () => {
    const stored = cipher.encrypt('secret', CONTEXT);
    const [version, nonce, sealed] = stored.split(':') as [string, string, string];
    expect(version).toBe('v1');
    const nonceBytes = Buffer.from(nonce, 'base64');
    const sealedBytes = Buffer.from(sealed, 'base64');
    expect(nonceBytes).toHaveLength(12);
    expect(sealedBytes).toHaveLength('secret'.length + 16);
    // Independent check of the layout with node:crypto directly: AAD = context, tag appended.
    const decipher = createDecipheriv('aes-256-gcm', KEY, nonceBytes);
    decipher.setAAD(Buffer.from(CONTEXT));
    decipher.setAuthTag(sealedBytes.subarray(-16));
    expect(Buffer.concat([decipher.update(sealedBytes.subarray(0, -16)), decipher.final()]).toString()).toBe('secret');
  });

  it('uses a fresh nonce every time, so equal plaintexts give different ciphertexts', () => {
    const stored = new Set(Array.from({ length: 50 }, () => cipher.encrypt('same', CONTEXT)));
    expect(stored.size).toBe(50);
    expect(new Set([...stored].map((value) => value.split(':')[1])).size).toBe(50);
  });

  it.each([
    ['the nonce', 1],
    ['the ciphertext', 2],
  ])('refuses a value whose %s was altered', (_name, partIndex) => {
    const parts = cipher.encrypt('secret value', CONTEXT).split(':');
    parts[partIndex] = flipCharacter(parts[partIndex] ?? '', 2);
    expect(() => cipher.decrypt(parts.join(':'), CONTEXT)).toThrow(SecretDecryptionError);
  });

  it('refuses a value whose tag was altered', () => {
    const [version, nonce, sealed] = cipher.encrypt('secret value', CONTEXT).split(':') as [string, string, string];
    const bytes = Buffer.from(sealed, 'base64');
    bytes[bytes.length - 1] = (bytes.at(-1) ?? 0) ^ 0x01;
    expect(() => cipher.decrypt(`${version}:${nonce}:${bytes.toString('base64')}`, CONTEXT)).toThrow(/failed authentication/);
  });

  it('refuses a value moved to another connection or parameter', () => {
    const stored = cipher.encrypt('secret', CONTEXT);
    expect(() => cipher.decrypt(stored, '77eeb629-5ffd-4d2b-a8e6-1c7a8e4b2f3d:password')).toThrow(
      'Stored secret for 77eeb629-5ffd-4d2b-a8e6-1c7a8e4b2f3d:password failed authentication: it was altered, or encrypted under another master key or for another context',
    );
  });

  it('refuses a value encrypted under another master key', () => {
    const stored = createAesGcmSecretCipher(randomBytes(32)).encrypt('secret', CONTEXT);
    expect(() => cipher.decrypt(stored, CONTEXT)).toThrow(SecretDecryptionError);
  });

  it.each([
    ['plain text', 'not encrypted', /expected v1:<nonce>:<ciphertext>/],
    ['an unknown version', 'v2:AAAAAAAAAAAAAAAA:AAAAAAAAAAAAAAAAAAAAAA==', /unsupported format version 'v2'/],
    ['a nonce that is not Base64', 'v1:!!!!:AAAAAAAAAAAAAAAAAAAAAA==', /the nonce is not Base64/],
    ['a short nonce', 'v1:AAAA:AAAAAAAAAAAAAAAAAAAAAA==', /the nonce must be 12 bytes/],
    ['a ciphertext shorter than the tag', 'v1:AAAAAAAAAAAAAAAA:AAAA', /shorter than its tag/],
    ['an extra part', 'v1:AAAAAAAAAAAAAAAA:AAAAAAAAAAAAAAAAAAAAAA==:x', /expected v1:<nonce>:<ciphertext>/],
  ])('refuses %s with a clear message', (_name, stored, message) => {
    expect(() => cipher.decrypt(stored, CONTEXT)).toThrow(message);
  });

  it('never puts the plaintext in an error message', () => {
    const stored = cipher.encrypt('hunter2-super-secret', CONTEXT);
    try {
      cipher.decrypt(stored, 'other');
    } catch (error) {
      expect(String(error)).not.toContain('hunter2');
    }
    expect.assertions(1);
  });

  it('refuses a master key that is not 32 bytes', () => {
    expect(() => createAesGcmSecretCipher(randomBytes(16))).toThrow('The master key must be 32 bytes, got 16');
  });
});
