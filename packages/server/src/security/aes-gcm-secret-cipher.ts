// AES-256-GCM encryption of secrets at rest (SPEC §2.8), implementing the SecretCipher port structurally.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const ALGORITHM = 'aes-256-gcm';
const FORMAT_VERSION = 'v1';
const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const CANONICAL_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Same shape as the domain's SecretCipher port (security/ does not import the domain). */
export interface AesGcmSecretCipher {
  /** `v1:<nonce b64>:<ciphertext+tag b64>`, with a fresh random nonce on every call. */
  encrypt(plaintext: string, context: string): string;
  /** @throws SecretDecryptionError when the value is malformed, altered, or from another key or context. */
  decrypt(stored: string, context: string): string;
}

/** A stored secret that cannot be decrypted. The message never contains the secret. */
export class SecretDecryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretDecryptionError';
  }
}

function decodeBase64Part(part: string, what: string): Buffer {
  if (!CANONICAL_BASE64.test(part)) throw new SecretDecryptionError(`Stored secret is malformed: the ${what} is not Base64`);
  return Buffer.from(part, 'base64');
}

/**
 * Encrypts with AES-256-GCM under `masterKey` (32 bytes). `context` (e.g. `<connectionId>:<paramName>`)
 * is bound as additional authenticated data, so a value copied to another connection or parameter fails.
 */
export function createAesGcmSecretCipher(masterKey: Uint8Array): AesGcmSecretCipher {
  if (masterKey.length !== KEY_BYTES) throw new Error(`The master key must be ${KEY_BYTES} bytes, got ${masterKey.length}`);
  const key = Buffer.from(masterKey);
  return {
    encrypt(plaintext, context) {
      const nonce = randomBytes(NONCE_BYTES);
      const cipher = createCipheriv(ALGORITHM, key, nonce, { authTagLength: TAG_BYTES });
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const sealed = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
      return `${FORMAT_VERSION}:${nonce.toString('base64')}:${sealed.toString('base64')}`;
    },
    decrypt(stored, context) {
      const parts = stored.split(':');
      const [version, noncePart, sealedPart] = parts;
      if (parts.length !== 3 || noncePart === undefined || sealedPart === undefined) {
        throw new SecretDecryptionError('Stored secret is malformed: expected v1:<nonce>:<ciphertext>');
      }
      if (version !== FORMAT_VERSION) throw new SecretDecryptionError(`Stored secret has unsupported format version '${version}'`);
      const nonce = decodeBase64Part(noncePart, 'nonce');
      const sealed = decodeBase64Part(sealedPart, 'ciphertext');
      if (nonce.length !== NONCE_BYTES) throw new SecretDecryptionError(`Stored secret is malformed: the nonce must be ${NONCE_BYTES} bytes`);
      if (sealed.length < TAG_BYTES) throw new SecretDecryptionError('Stored secret is malformed: the ciphertext is shorter than its tag');
      const decipher = createDecipheriv(ALGORITHM, key, nonce, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
      try {
        return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)), decipher.final()]).toString('utf8');
      } catch {
        throw new SecretDecryptionError(
          `Stored secret for ${context} failed authentication: it was altered, or encrypted under another master key or for another context`,
        );
      }
    },
  };
}
