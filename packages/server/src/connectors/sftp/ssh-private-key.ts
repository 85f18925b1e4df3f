// SSH private keys as users paste them, turned into what ssh2 reads: OpenSSH and PEM PKCS#1 RSA / SEC1 EC pass through;
// PKCS#8 PEM (`BEGIN PRIVATE KEY`), which ssh2 cannot parse, is converted: RSA → PKCS#1, EC → SEC1 and Ed25519 → the
// OpenSSH `openssh-key-v1` format (written here with node:crypto; Node cannot export it).
import { createPrivateKey, randomBytes, type KeyObject } from 'node:crypto';
import ssh2 from 'ssh2';

/** Why a key cannot be used; the message never contains key material. */
export class UnusableSshKeyError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'UnusableSshKeyError';
  }
}

/** What the user is told is accepted, in every key error. */
export const ACCEPTED_SSH_KEY_FORMATS =
  'unencrypted OpenSSH ("BEGIN OPENSSH PRIVATE KEY"), PEM RSA ("BEGIN RSA PRIVATE KEY") or PKCS#8 PEM ("BEGIN PRIVATE KEY") RSA, Ed25519 or ECDSA keys';

const PEM_LABEL = /-----BEGIN ([A-Z0-9 ]+)-----/;

/**
 * The key in a form ssh2 parses, checked by parsing it: an unencrypted private key. Throws {@link UnusableSshKeyError}
 * (encrypted, public, unsupported or malformed keys).
 */
export function toSsh2PrivateKey(text: string): string {
  const key = text.replace(/\r\n?/g, '\n').trim();
  const label = PEM_LABEL.exec(key)?.[1];
  if (label === undefined) throw new UnusableSshKeyError('it is not a PEM or OpenSSH private key (no "-----BEGIN … PRIVATE KEY-----" line)');
  if (label === 'ENCRYPTED PRIVATE KEY' || /^Proc-Type: 4,ENCRYPTED/m.test(key)) {
    throw new UnusableSshKeyError('it is encrypted with a passphrase; remove the passphrase (ssh-keygen -p -N "")');
  }
  const converted = label === 'PRIVATE KEY' ? fromPkcs8(key) : `${key}\n`;
  const parsed = ssh2.utils.parseKey(converted);
  if (parsed instanceof Error) throw new UnusableSshKeyError(describeParseFailure(parsed));
  const first = Array.isArray(parsed) ? (parsed[0] as ssh2.ParsedKey | undefined) : parsed;
  if (first === undefined || !first.isPrivateKey()) throw new UnusableSshKeyError('it is a public key; paste the private key');
  return converted;
}

function describeParseFailure(error: Error): string {
  if (/passphrase|encrypted/i.test(error.message)) return 'it is encrypted with a passphrase; remove the passphrase (ssh-keygen -p -N "")';
  // ssh2's messages name the format problem only ("Unsupported key format", "Malformed OpenSSH private key").
  return `it could not be read (${error.message})`;
}

function fromPkcs8(pem: string): string {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    throw new UnusableSshKeyError('it is not a valid PKCS#8 private key');
  }
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return key.export({ type: 'pkcs1', format: 'pem' }).toString();
    case 'ec':
      return key.export({ type: 'sec1', format: 'pem' }).toString();
    case 'ed25519':
      return ed25519ToOpenSsh(key);
    default:
      throw new UnusableSshKeyError(`its type (${key.asymmetricKeyType ?? 'unknown'}) is not supported`);
  }
}

/** An SSH wire-format string: uint32 length, then the bytes. */
function sshString(data: Uint8Array | string): Buffer {
  const bytes = typeof data === 'string' ? Buffer.from(data) : Buffer.from(data);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

function uint32(value: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(value);
  return bytes;
}

/**
 * An Ed25519 key in OpenSSH's `openssh-key-v1` format (PROTOCOL.key in OpenSSH): unencrypted (cipher and KDF "none"),
 * one key, empty comment; the private section repeats a random check integer and is padded 1, 2, 3… to 8 bytes.
 */
export function ed25519ToOpenSsh(key: KeyObject): string {
  const jwk = key.export({ format: 'jwk' });
  if (key.asymmetricKeyType !== 'ed25519' || jwk.d === undefined || jwk.x === undefined) {
    throw new UnusableSshKeyError('it is not an Ed25519 private key');
  }
  const seed = Buffer.from(jwk.d, 'base64url');
  const publicKey = Buffer.from(jwk.x, 'base64url');
  const publicBlob = Buffer.concat([sshString('ssh-ed25519'), sshString(publicKey)]);
  const check = randomBytes(4);
  const unpadded = Buffer.concat([
    check,
    check,
    sshString('ssh-ed25519'),
    sshString(publicKey),
    sshString(Buffer.concat([seed, publicKey])),
    sshString(''),
  ]);
  const padding = Buffer.from(Array.from({ length: (8 - (unpadded.length % 8)) % 8 }, (_, index) => index + 1));
  const body = Buffer.concat([
    Buffer.from('openssh-key-v1\0', 'latin1'),
    sshString('none'),
    sshString('none'),
    sshString(''),
    uint32(1),
    sshString(publicBlob),
    sshString(Buffer.concat([unpadded, padding])),
  ]);
  const lines = body.toString('base64').match(/.{1,70}/g) ?? [];
  return ['-----BEGIN OPENSSH PRIVATE KEY-----', ...lines, '-----END OPENSSH PRIVATE KEY-----', ''].join('\n');
}
