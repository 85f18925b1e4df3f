// Encrypts export files to a target's OpenPGP public key with openpgp, as a stream: binary (not armoured) output,
// memory bounded by openpgp's chunking whatever the file size (SPEC §6.4).
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { createMessage, encrypt, readKey, type Key } from 'openpgp';

/** Structurally the export pipeline's FileEncryptor (security/ does not import export/). */
export interface OpenPgpFileEncryptor {
  /**
   * The OpenPGP message of `plain` encrypted to `publicKey` (ASCII-armoured, or Base64 of it), as binary chunks.
   * Rejects while iterating when the key cannot be read or cannot encrypt; errors of `plain` propagate.
   */
  encrypt(publicKey: string, plain: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array>;
}

/** The armoured text of a key given armoured or as Base64 of the armoured text (SPEC §6.4). */
function armouredTextOf(publicKey: string): string {
  const trimmed = publicKey.trim();
  if (trimmed.startsWith('-----BEGIN')) return trimmed;
  return Buffer.from(trimmed, 'base64').toString('utf8');
}

/** A reason in a few words, never key material (openpgp messages name algorithms and policies only). */
class KeyProblem extends Error {}

async function readEncryptionKey(publicKey: string): Promise<Key> {
  const key = await readKey({ armoredKey: armouredTextOf(publicKey) }).catch((): Key | undefined => undefined);
  if (key === undefined) throw new KeyProblem('the public key could not be read as an OpenPGP key');
  if (key.isPrivate()) throw new KeyProblem('the key is a private key; the target needs the public key only');
  return key;
}

async function* encrypted(publicKey: string, plain: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const key = await readEncryptionKey(publicKey);
  const source = Readable.from(plain, { objectMode: false });
  const message = await createMessage({ binary: Readable.toWeb(source) });
  const output = (await encrypt({ message, encryptionKeys: key, format: 'binary' })) as unknown as WebReadableStream<Uint8Array>;
  try {
    for await (const chunk of output) yield chunk;
  } finally {
    source.destroy();
  }
}

/** The openpgp implementation of the export pipeline's encryption step. */
export function createOpenPgpFileEncryptor(): OpenPgpFileEncryptor {
  return { encrypt: (publicKey, plain) => encrypted(publicKey, plain) };
}
