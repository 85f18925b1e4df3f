// Checks OpenPGP public keys of target connections with openpgp: readable, public, and able to encrypt now.
import { createMessage, encrypt, readKey, type Key } from 'openpgp';

/** Structurally the domain's PgpPublicKeyChecker port (security/ does not import the domain). */
export interface OpenPgpPublicKeyChecker {
  /** Resolves to undefined when files can be encrypted to `armoredKey`, else to the reason in a few words. */
  findProblem(armoredKey: string): Promise<string | undefined>;
}

/**
 * Reads the key and encrypts a few bytes to it, which is exactly what an export will do: this catches
 * keys that parse but cannot encrypt (expired, revoked, signing-only, too weak for openpgp's policy).
 */
export function createOpenPgpPublicKeyChecker(): OpenPgpPublicKeyChecker {
  return {
    async findProblem(armoredKey) {
      const key = await readKey({ armoredKey }).catch((): Key | undefined => undefined);
      if (key === undefined) return 'it could not be read as an OpenPGP key';
      if (key.isPrivate()) return 'it is a private key; send the public key only';
      try {
        const message = await createMessage({ binary: new Uint8Array([0x61, 0x63, 0x74]) });
        await encrypt({ message, encryptionKeys: key, format: 'binary' });
        return undefined;
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        return `it cannot encrypt (${reason.replace(/^Error encrypting message: /, '')})`;
      }
    },
  };
}
