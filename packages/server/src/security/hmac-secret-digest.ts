// Client secrets at rest as HMAC-SHA-256 under a key derived from the master key, compared in constant time.
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

/** The stored form: this prefix, then the base64url MAC. Anything else is an older (argon2id) hash. */
const PREFIX = 'hmac-sha256$';

/** {@link SecretDigest} of the domain (structurally): digest, recognise, compare. */
export interface HmacSecretDigest {
  digest(secret: string): string;
  owns(stored: string): boolean;
  matches(stored: string, secret: string): boolean;
}

/**
 * A digest keyed by HKDF-SHA-256(masterKey, info "activator client-secret digest v1"): a stolen database
 * alone does not let anyone test guesses offline, and the key never doubles as the encryption key.
 */
export function createHmacSecretDigest(masterKey: Buffer): HmacSecretDigest {
  const key = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'activator client-secret digest v1', 32));
  const mac = (secret: string) => createHmac('sha256', key).update(secret, 'utf8').digest();
  return {
    digest: (secret) => `${PREFIX}${mac(secret).toString('base64url')}`,
    owns: (stored) => stored.startsWith(PREFIX),
    matches: (stored, secret) => {
      if (!stored.startsWith(PREFIX)) return false;
      const expected = Buffer.from(stored.slice(PREFIX.length), 'base64url');
      const actual = mac(secret);
      return expected.length === actual.length && timingSafeEqual(expected, actual);
    },
  };
}
