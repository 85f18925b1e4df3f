// Parses an Azure Storage connection string (SPEC §6.3 `connectionString`) into what the Blob client needs, refusing
// malformed input with a message that names the faulty part and never repeats a secret value.

/** How requests are authorised: the account key (Shared Key) or a shared access signature appended to every URL. */
export type AzureBlobCredentials =
  | { readonly type: 'shared-key'; readonly accountName: string; readonly accountKey: string }
  | { readonly type: 'sas'; readonly sasToken: string };

/** A parsed connection string: the Blob service endpoint (no trailing slash) and its credentials. */
export interface AzureBlobConnection {
  /** e.g. `https://acme.blob.core.windows.net` or `http://127.0.0.1:10000/devstoreaccount1` (Azurite). */
  readonly blobEndpoint: string;
  readonly credentials: AzureBlobCredentials;
}

/** A connection string that cannot be used; `message` says which part is wrong and how to fix it. */
export class AzureConnectionStringError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AzureConnectionStringError';
  }
}

/** Keys Azure's own tools write into connection strings; anything else is refused as a probable typo. */
const KNOWN_KEYS = new Map(
  [
    'DefaultEndpointsProtocol',
    'AccountName',
    'AccountKey',
    'EndpointSuffix',
    'BlobEndpoint',
    'QueueEndpoint',
    'TableEndpoint',
    'FileEndpoint',
    'SharedAccessSignature',
    'UseDevelopmentStorage',
    'DevelopmentStorageProxyUri',
  ].map((key) => [key.toLowerCase(), key]),
);

const FIX = 'Copy the connection string from the storage account\'s "Access keys" (or a SAS) page in the Azure portal.';

/** Splits `Key=Value;Key=Value` (values may contain `=`, e.g. base64 padding or a SAS) into canonical keys. */
function splitPairs(text: string): Map<string, string> {
  const pairs = new Map<string, string>();
  for (const segment of text.split(';')) {
    if (segment.trim() === '') continue;
    const equals = segment.indexOf('=');
    const rawKey = (equals < 0 ? segment : segment.slice(0, equals)).trim();
    const key = KNOWN_KEYS.get(rawKey.toLowerCase());
    if (key === undefined) {
      // Only a short, sanitised prefix is shown: a pasted secret without its key would otherwise be echoed.
      const shown = /^[A-Za-z]{1,40}$/.test(rawKey) ? `"${rawKey}"` : 'a part without a recognised key';
      throw new AzureConnectionStringError(`The connection string contains ${shown}; expected Key=Value pairs separated by ";" such as AccountName, AccountKey, BlobEndpoint. ${FIX}`);
    }
    if (equals < 0) throw new AzureConnectionStringError(`The connection string has "${key}" without a value ("${key}=…"). ${FIX}`);
    if (pairs.has(key)) throw new AzureConnectionStringError(`The connection string sets "${key}" twice. ${FIX}`);
    pairs.set(key, segment.slice(equals + 1).trim());
  }
  return pairs;
}

function isBase64Key(value: string): boolean {
  if (value.length === 0 || value.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(value)) return false;
  return Buffer.from(value, 'base64').toString('base64') === value;
}

function parseEndpoint(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new AzureConnectionStringError(`BlobEndpoint is not a URL; expected e.g. https://<account>.blob.core.windows.net. ${FIX}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new AzureConnectionStringError(`BlobEndpoint must start with https:// (or http:// for a local emulator). ${FIX}`);
  }
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    throw new AzureConnectionStringError(`BlobEndpoint must be a plain URL without query, fragment or user info; put a SAS in SharedAccessSignature. ${FIX}`);
  }
  return url.toString().replace(/\/+$/, '');
}

/**
 * Parses a connection string of either form Azure issues:
 * `DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=<base64>;EndpointSuffix=core.windows.net` (optionally
 * with `BlobEndpoint=` instead of the derived endpoint) or `BlobEndpoint=https://…;SharedAccessSignature=sv=…`.
 * Throws {@link AzureConnectionStringError}.
 */
export function parseAzureConnectionString(text: string): AzureBlobConnection {
  if (text.trim() === '') throw new AzureConnectionStringError(`The connection string is empty. ${FIX}`);
  const pairs = splitPairs(text);
  if (pairs.has('UseDevelopmentStorage')) {
    throw new AzureConnectionStringError(`UseDevelopmentStorage is not supported; give the emulator's BlobEndpoint, AccountName and AccountKey explicitly.`);
  }
  const protocol = pairs.get('DefaultEndpointsProtocol');
  if (protocol !== undefined && protocol !== 'https' && protocol !== 'http') {
    throw new AzureConnectionStringError(`DefaultEndpointsProtocol must be "https" or "http". ${FIX}`);
  }
  const accountName = pairs.get('AccountName');
  if (accountName !== undefined && !/^[a-z0-9]{3,24}$/.test(accountName)) {
    throw new AzureConnectionStringError(`AccountName must be 3–24 lower-case letters or digits (the storage account's name). ${FIX}`);
  }
  const explicitEndpoint = pairs.get('BlobEndpoint');
  let blobEndpoint: string;
  if (explicitEndpoint !== undefined) {
    blobEndpoint = parseEndpoint(explicitEndpoint);
  } else if (accountName !== undefined) {
    const suffix = pairs.get('EndpointSuffix') ?? 'core.windows.net';
    if (!/^[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(suffix)) throw new AzureConnectionStringError(`EndpointSuffix must be a domain such as core.windows.net. ${FIX}`);
    blobEndpoint = `${protocol ?? 'https'}://${accountName}.blob.${suffix}`;
  } else {
    throw new AzureConnectionStringError(`The connection string names no storage account: add AccountName (and AccountKey) or BlobEndpoint with a SharedAccessSignature. ${FIX}`);
  }

  const accountKey = pairs.get('AccountKey');
  const sas = pairs.get('SharedAccessSignature');
  if (accountKey !== undefined && sas !== undefined) {
    throw new AzureConnectionStringError(`The connection string has both AccountKey and SharedAccessSignature; keep one. ${FIX}`);
  }
  if (accountKey !== undefined) {
    if (accountName === undefined) throw new AzureConnectionStringError(`AccountKey is given without AccountName. ${FIX}`);
    if (!isBase64Key(accountKey)) throw new AzureConnectionStringError(`AccountKey is not valid base64 (it may be truncated or have extra characters). ${FIX}`);
    return { blobEndpoint, credentials: { type: 'shared-key', accountName, accountKey } };
  }
  if (sas !== undefined) {
    const token = sas.replace(/^\?/, '');
    if (!/(^|&)sig=[^&]+/.test(token) || !/(^|&)sv=[^&]+/.test(token)) {
      throw new AzureConnectionStringError(`SharedAccessSignature must be a SAS token with sv= and sig= parameters. ${FIX}`);
    }
    if (explicitEndpoint === undefined) throw new AzureConnectionStringError(`A SharedAccessSignature needs a BlobEndpoint. ${FIX}`);
    return { blobEndpoint, credentials: { type: 'sas', sasToken: token } };
  }
  throw new AzureConnectionStringError(`The connection string has no credentials: add AccountKey or SharedAccessSignature. ${FIX}`);
}
