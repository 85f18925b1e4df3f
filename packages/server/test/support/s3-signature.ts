// AWS Signature Version 4 verification of header-signed requests, for the test front before s3rver.
//
// Written from the AWS documentation ("Create a signed AWS API request": canonical request → string to sign →
// HMAC-SHA256 signing key chain), not from the SDK: a request the SDK signs with the wrong secret must fail here.
// S3 rules: the path is signed as sent (no re-encoding, no normalisation); the payload line is the
// `x-amz-content-sha256` header value.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export interface SignedRequest {
  readonly method: string;
  /** Path and query exactly as received (`req.url`). */
  readonly rawUrl: string;
  readonly headers: IncomingHttpHeaders;
}

export type SignatureCheck =
  | { readonly ok: true; readonly accessKeyId: string }
  | { readonly ok: false; readonly status: number; readonly code: string; readonly message: string };

const AUTHORIZATION = /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/;

/** Checks a request's SigV4 `Authorization` header against the secret of its access key id. */
export function verifySignatureV4(request: SignedRequest, secretOf: (accessKeyId: string) => string | undefined): SignatureCheck {
  const header = single(request.headers.authorization);
  if (header === undefined) return refuse(403, 'AccessDenied', 'Anonymous requests are not allowed by this server.');
  const match = AUTHORIZATION.exec(header);
  if (match === null) return refuse(400, 'AuthorizationHeaderMalformed', 'The authorization header is not an AWS4-HMAC-SHA256 header.');
  const [, accessKeyId = '', date = '', region = '', service = '', signedHeaders = '', signature = ''] = match;
  const secret = secretOf(accessKeyId);
  if (secret === undefined) return refuse(403, 'InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.');
  const amzDate = single(request.headers['x-amz-date']) ?? '';
  const payloadHash = single(request.headers['x-amz-content-sha256']);
  if (!amzDate.startsWith(date) || payloadHash === undefined) {
    return refuse(400, 'AuthorizationHeaderMalformed', 'x-amz-date and x-amz-content-sha256 must be present and match the credential scope.');
  }
  const names = signedHeaders.split(';');
  if (!names.includes('host') || names.some((name) => request.headers[name] === undefined)) {
    return refuse(403, 'SignatureDoesNotMatch', 'A signed header is missing from the request.');
  }
  const canonicalRequest = [
    request.method,
    request.rawUrl.split('?')[0] ?? '/',
    canonicalQuery(request.rawUrl),
    names.map((name) => `${name}:${canonicalHeaderValue(request.headers[name])}\n`).join(''),
    signedHeaders,
    payloadHash,
  ].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const signingKey = [date, region, service, 'aws4_request'].reduce<Buffer>((key, part) => hmac(key, part), Buffer.from(`AWS4${secret}`));
  const expected = createHmac('sha256', signingKey).update(stringToSign).digest();
  if (!timingSafeEqual(expected, Buffer.from(signature, 'hex'))) {
    return refuse(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.');
  }
  return { ok: true, accessKeyId };
}

/** RFC 3986 encoding as SigV4 requires: everything but unreserved characters is percent-encoded. */
export function uriEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`);
}

function canonicalQuery(rawUrl: string): string {
  const at = rawUrl.indexOf('?');
  if (at < 0) return '';
  return rawUrl
    .slice(at + 1)
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const equals = pair.indexOf('=');
      const key = equals < 0 ? pair : pair.slice(0, equals);
      const value = equals < 0 ? '' : pair.slice(equals + 1);
      return [uriEncode(decodeURIComponent(key)), uriEncode(decodeURIComponent(value))] as const;
    })
    .sort(([keyA, valueA], [keyB, valueB]) => (keyA === keyB ? compare(valueA, valueB) : compare(keyA, keyB)))
    .map(([key, value]) => `${key}=${value}`)
    .join('&');
}

function canonicalHeaderValue(value: string | string[] | undefined): string {
  const joined = Array.isArray(value) ? value.join(',') : (value ?? '');
  return joined.trim().replace(/\s+/g, ' ');
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex');
const hmac = (key: Buffer, data: string) => createHmac('sha256', key).update(data).digest();

function refuse(status: number, code: string, message: string): SignatureCheck {
  return { ok: false, status, code, message };
}
