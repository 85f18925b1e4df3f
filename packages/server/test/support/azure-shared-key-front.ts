// A small HTTP front before Azurite that checks what Azurite is lenient about: it verifies Shared Key signatures as
// Azure does (answering a wrong key with 403 AuthenticationFailed, where Azurite says AuthorizationFailure), refuses
// request bodies shorter than their Content-Length (a cut-off upload never reaches Azurite), and records each request
// so tests can count the blocks staged.
//
// The string to sign follows Azure's "Authorize with Shared Key" documentation (Blob service, version 2009-09-19 and
// later): verb, the eleven standard headers (Content-Length empty when 0), the canonicalized x-ms- headers and the
// canonicalized resource `/<account><encoded path>` plus `\n<param>:<values>` per query parameter. Requests without a
// Shared Key header (SAS, anonymous) are passed through for Azurite to judge.
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the front saw, after its checks. */
export interface FrontRequest {
  readonly method: string;
  /** The decoded path after the account, e.g. `/container/folder/name`. */
  readonly path: string;
  /** The `comp` query parameter (`block`, `blocklist`, …) or undefined. */
  readonly comp: string | undefined;
  readonly bodyLength: number;
  /** The raw request target and headers as received (tests replay them). */
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
  /** What the front answered itself (`AuthenticationFailed`, `IncompleteBody`), or undefined when forwarded. */
  readonly refused: string | undefined;
}

export interface SharedKeyFront {
  /** `http://127.0.0.1:<port>` — give clients `<url>/<account>` as BlobEndpoint. */
  readonly url: string;
  readonly requests: FrontRequest[];
  close(): Promise<void>;
}

const STANDARD_HEADERS = [
  'content-encoding',
  'content-language',
  'content-length',
  'content-md5',
  'content-type',
  'date',
  'if-modified-since',
  'if-match',
  'if-none-match',
  'if-unmodified-since',
  'range',
] as const;

function headerValue(request: http.IncomingMessage, name: string): string {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(',') : (value ?? '');
}

/** The Shared Key string to sign of a request, per Azure's documentation. */
export function sharedKeyStringToSign(request: http.IncomingMessage, accountName: string): string {
  const standard = STANDARD_HEADERS.map((name) => {
    const value = headerValue(request, name);
    if (name === 'content-length' && value === '0') return '';
    // When x-ms-date is present the Date header is not signed.
    if (name === 'date' && request.headers['x-ms-date'] !== undefined) return '';
    return value;
  });
  const canonicalHeaders = Object.keys(request.headers)
    .filter((name) => name.startsWith('x-ms-'))
    .sort()
    .map((name) => `${name}:${headerValue(request, name).replace(/\s+/g, ' ').trim()}\n`)
    .join('');
  const [rawPath = '/', rawQuery = ''] = (request.url ?? '/').split('?', 2);
  const parameters = new Map<string, string[]>();
  for (const pair of rawQuery.split('&')) {
    if (pair === '') continue;
    const equals = pair.indexOf('=');
    const name = decodeURIComponent(equals < 0 ? pair : pair.slice(0, equals)).toLowerCase();
    const value = equals < 0 ? '' : decodeURIComponent(pair.slice(equals + 1));
    parameters.set(name, [...(parameters.get(name) ?? []), value]);
  }
  const canonicalQuery = [...parameters.keys()]
    .sort()
    .map((name) => `\n${name}:${(parameters.get(name) ?? []).sort().join(',')}`)
    .join('');
  return `${request.method ?? ''}\n${standard.join('\n')}\n${canonicalHeaders}/${accountName}${rawPath}${canonicalQuery}`;
}

function errorBody(code: string, message: string): string {
  return `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`;
}

function refuse(response: http.ServerResponse, status: number, code: string, message: string): void {
  response.writeHead(status, { 'content-type': 'application/xml', 'x-ms-error-code': code, connection: 'close' });
  response.end(errorBody(code, message));
}

/** Whether a request's Shared Key signature matches the account key (undefined: not a Shared Key request). */
function signatureMatches(request: http.IncomingMessage, accountName: string, accountKey: Buffer): boolean | undefined {
  const match = /^SharedKey ([^:]+):(.+)$/.exec(headerValue(request, 'authorization'));
  if (match === null) return undefined;
  if (match[1] !== accountName) return false;
  const expected = createHmac('sha256', accountKey).update(sharedKeyStringToSign(request, accountName), 'utf8').digest();
  const given = Buffer.from(match[2] ?? '', 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * Starts the front on a free loopback port, forwarding to `upstream` (`http://127.0.0.1:<azurite port>`). Bodies are
 * held in memory before forwarding (at most one 8 MiB block per request in these tests) so that a body shorter than
 * its Content-Length is never forwarded.
 */
export async function startSharedKeyFront(upstream: string, accountName: string, accountKey: string): Promise<SharedKeyFront> {
  const key = Buffer.from(accountKey, 'base64');
  const target = new URL(upstream);
  const requests: FrontRequest[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const [rawPath = '/', rawQuery = ''] = (request.url ?? '/').split('?', 2);
    const comp = new URLSearchParams(rawQuery).get('comp') ?? undefined;
    const path = decodeURIComponent(rawPath).replace(/^\/[^/]*/, '');
    const record = (refused: string | undefined) =>
      requests.push({ method: request.method ?? '', path, comp, bodyLength: received, url: request.url ?? '/', headers: request.headers, refused });
    request.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      received += chunk.length;
    });
    request.on('error', () => undefined);
    request.on('close', () => {
      if (request.complete) return;
      // The client went away mid-body (e.g. a killed process): nothing of it is forwarded.
      record('IncompleteBody');
      response.destroy();
    });
    request.on('end', () => {
      const declared = request.headers['content-length'];
      if (declared !== undefined && Number(declared) !== received) {
        record('IncompleteBody');
        return refuse(response, 400, 'IncompleteBody', 'The request body is shorter than its Content-Length.');
      }
      if (signatureMatches(request, accountName, key) === false) {
        record('AuthenticationFailed');
        return refuse(
          response,
          403,
          'AuthenticationFailed',
          'Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature.',
        );
      }
      record(undefined);
      const forwarded = http.request(
        { host: target.hostname, port: target.port, method: request.method, path: request.url, headers: { ...request.headers, host: target.host } },
        (answer) => {
          response.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(response);
        },
      );
      forwarded.on('error', () => response.destroy());
      forwarded.end(Buffer.concat(chunks, received));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
