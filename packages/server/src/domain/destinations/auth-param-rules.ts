// Rules of auth parameter values (SPEC §6.3): patterns for the JSON Schema, and checks that need decoding or parsing.
import { createPrivateKey } from 'node:crypto';

/** A host name or an IP address (v4, or v6 optionally in brackets), without scheme or port. */
export const HOST_PATTERN =
  '^(?:[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(?:\\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\\.?|\\[?[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*\\]?)$';

/** `SHA256:` and the unpadded Base64 of a 32-byte digest, as printed by `ssh-keygen -lf`. */
export const HOST_KEY_FINGERPRINT_PATTERN = '^SHA256:[A-Za-z0-9+/]{43}$';

/** An IAM role ARN (standard, China and GovCloud partitions), role name possibly under a path. */
export const IAM_ROLE_ARN_PATTERN = '^arn:aws(?:-cn|-us-gov)?:iam::[0-9]{12}:role/[A-Za-z0-9_+=,.@/-]{1,512}$';

/** AWS's constraint on `sts:ExternalId`. */
export const EXTERNAL_ID_PATTERN = '^[A-Za-z0-9_+=,.@:/-]{2,1224}$';

/** AWS region names, and the free-form names of S3-compatible stores (`garage`, `local`). */
export const REGION_PATTERN = '^[a-z0-9][a-z0-9-]{0,62}$';

/** Printable text: no control characters (a line break in a user name breaks the SSH handshake). */
export const NO_CONTROL_CHARACTERS_PATTERN = '^[^\\u0000-\\u001f\\u007f]+$';

/** Where Activator reaches Cloud Storage's S3-interoperable XML API unless `endpoint` says otherwise. */
export const GCS_DEFAULT_ENDPOINT = 'https://storage.googleapis.com';

const BASE64_PATTERN = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Decodes strict Base64 after removing whitespace (`base64` wraps lines at 76 characters); undefined if not Base64. */
function decodeBase64Bytes(value: string): Buffer | undefined {
  const compact = value.replace(/\s+/g, '');
  return compact !== '' && BASE64_PATTERN.test(compact) ? Buffer.from(compact, 'base64') : undefined;
}

/** {@link decodeBase64Bytes} read as UTF-8 text. */
export function decodeBase64Text(value: string): string | undefined {
  return decodeBase64Bytes(value)?.toString('utf8');
}

/** Checks an `endpoint`: an absolute http(s) URL with a host, and no credentials, query or fragment. */
export function checkHttpUrl(value: string): string | undefined {
  const rule = 'must be an http:// or https:// URL such as https://s3.example.com, without credentials, query or fragment';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return rule;
  }
  const plain = url.username === '' && url.password === '' && url.search === '' && url.hash === '';
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '' && plain ? undefined : rule;
}

function hostOfUrl(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    return new URL(value).hostname;
  } catch {
    return undefined;
  }
}

/**
 * Checks a GCS HMAC `accessId` when Activator talks to Google itself: 61 characters starting with
 * `GOOG` (service-account keys), or the 24-character legacy form that Adobe's own examples show
 * (`GOOGMG1234ABCDEFGHIJKLMN`). With a custom `endpoint` (an S3-interoperable emulator) any id goes.
 */
export function checkGcsAccessKeyId(value: string, values: Readonly<Record<string, unknown>>): string | undefined {
  const endpoint = values.endpoint ?? GCS_DEFAULT_ENDPOINT;
  if (hostOfUrl(endpoint) !== hostOfUrl(GCS_DEFAULT_ENDPOINT)) return undefined;
  return /^GOOG(?:[A-Za-z0-9]{20}|[A-Za-z0-9]{57})$/.test(value)
    ? undefined
    : 'must be a Cloud Storage HMAC access ID: 61 characters starting with GOOG (legacy 24-character IDs are accepted too)';
}

/**
 * Checks an Azure Storage connection string: `key=value` pairs separated by `;`, with an account
 * key, a SAS token plus blob endpoint, or `UseDevelopmentStorage=true`. Never echoes the value.
 */
export function checkAzureConnectionString(value: string): string | undefined {
  const rule = 'must be an Azure Storage connection string such as DefaultEndpointsProtocol=https;AccountName=<account>;AccountKey=<key> (or with BlobEndpoint and SharedAccessSignature)';
  const settings = new Map<string, string>();
  for (const pair of value.split(';').map((part) => part.trim()).filter((part) => part !== '')) {
    const equals = pair.indexOf('=');
    if (equals <= 0) return rule;
    settings.set(pair.slice(0, equals).toLowerCase(), pair.slice(equals + 1));
  }
  const protocol = settings.get('defaultendpointsprotocol')?.toLowerCase();
  if (protocol !== undefined && protocol !== 'http' && protocol !== 'https') return rule;
  if (settings.get('usedevelopmentstorage')?.toLowerCase() === 'true') return undefined;
  const accountKey = settings.get('accountkey');
  const withAccountKey = (settings.get('accountname') ?? '') !== '' && accountKey !== undefined && decodeBase64Text(accountKey) !== undefined;
  const withSas = (settings.get('sharedaccesssignature') ?? '') !== '' && (settings.get('blobendpoint') ?? '') !== '';
  return withAccountKey || withSas ? undefined : rule;
}

const SSH_KEY_RULE = 'must be the Base64 encoding of an unencrypted OpenSSH or PEM private key (RSA or Ed25519)';
const ENCRYPTED_SSH_KEY_RULE =
  'must be an unencrypted private key, but this one is protected by a passphrase; remove the passphrase from a copy (ssh-keygen -p -N "" -f <copy of the key file>) and send that copy';
const SUPPORTED_OPENSSH_KEY_TYPES = new Set(['ssh-rsa', 'ssh-ed25519']);

/** The key text of an `sshKey`: Base64-decoded, or as sent when the caller pasted the PEM text itself. */
function sshKeyText(value: string): string | undefined {
  const sent = value.trim();
  if (sent.startsWith('-----BEGIN ')) return sent;
  return decodeBase64Text(value)?.trim();
}

/** Reads the header of the `openssh-key-v1` container: cipher name and the type of the first key. */
function readOpenSshKeyHeader(text: string): { cipher: string; keyType: string } | undefined {
  const body = /^-----BEGIN OPENSSH PRIVATE KEY-----([\s\S]*?)-----END OPENSSH PRIVATE KEY-----$/.exec(text)?.[1];
  const decoded = body === undefined ? undefined : decodeBase64Bytes(body);
  const magic = 'openssh-key-v1\0';
  if (decoded === undefined || decoded.toString('latin1', 0, magic.length) !== magic) return undefined;
  let offset = magic.length;
  const readString = (): Buffer | undefined => {
    if (offset + 4 > decoded.length) return undefined;
    const length = decoded.readUInt32BE(offset);
    const start = offset + 4;
    offset = start + length;
    return offset > decoded.length ? undefined : decoded.subarray(start, offset);
  };
  const cipher = readString()?.toString('latin1');
  readString(); // kdf name
  readString(); // kdf options
  offset += 4; // number of keys
  const publicKey = readString();
  if (cipher === undefined || publicKey === undefined || publicKey.length < 4) return undefined;
  const typeLength = publicKey.readUInt32BE(0);
  if (4 + typeLength > publicKey.length) return undefined;
  return { cipher, keyType: publicKey.toString('latin1', 4, 4 + typeLength) };
}

function checkPemPrivateKey(text: string): string | undefined {
  try {
    const keyType = createPrivateKey({ key: text, format: 'pem' }).asymmetricKeyType;
    return keyType === 'rsa' || keyType === 'ed25519' ? undefined : `must be an RSA or Ed25519 private key (this one is ${keyType ?? 'of an unknown type'})`;
  } catch {
    return SSH_KEY_RULE;
  }
}

/**
 * Checks an `sshKey` (SPEC §6.3): the Base64 of an unencrypted OpenSSH or PEM private key of type
 * RSA or Ed25519. The pasted key text itself is accepted too (and stored Base64-encoded, see
 * {@link normalizeSshPrivateKey}). Messages say what is wrong without echoing the key.
 */
export function checkSshPrivateKey(value: string): string | undefined {
  const text = sshKeyText(value);
  if (text === undefined) return SSH_KEY_RULE;
  if (/^(?:ssh-|ecdsa-|sk-)\S+ AAAA|^-----BEGIN (?:RSA )?PUBLIC KEY-----|^---- BEGIN SSH2 PUBLIC KEY/.test(text)) {
    return 'must be the private key, but this is a public key';
  }
  if (text.startsWith('PuTTY-User-Key-File-')) return 'must be in OpenSSH or PEM format; convert PuTTY keys with: puttygen <key.ppk> -O private-openssh -o <key>';
  const label = /^-----BEGIN ([A-Z0-9 ]+)-----/.exec(text)?.[1];
  switch (label) {
    case 'OPENSSH PRIVATE KEY': {
      const header = readOpenSshKeyHeader(text);
      if (header === undefined) return SSH_KEY_RULE;
      if (header.cipher !== 'none') return ENCRYPTED_SSH_KEY_RULE;
      return SUPPORTED_OPENSSH_KEY_TYPES.has(header.keyType) ? undefined : `must be an RSA or Ed25519 private key (this one is ${header.keyType})`;
    }
    case 'ENCRYPTED PRIVATE KEY':
      return ENCRYPTED_SSH_KEY_RULE;
    case 'RSA PRIVATE KEY':
    case 'PRIVATE KEY':
      return /^Proc-Type:\s*4,ENCRYPTED/m.test(text) ? ENCRYPTED_SSH_KEY_RULE : checkPemPrivateKey(text);
    case undefined:
      return SSH_KEY_RULE;
    default:
      return `must be an RSA or Ed25519 private key (this one is ${label.replace(/ PRIVATE KEY$/, '')})`;
  }
}

/** The stored form of a valid `sshKey`: Base64 without whitespace; pasted key text gets encoded. */
export function normalizeSshPrivateKey(value: string): string {
  const sent = value.trim();
  if (sent.startsWith('-----BEGIN ')) return Buffer.from(`${sent}\n`, 'utf8').toString('base64');
  return value.replace(/\s+/g, '');
}
