// An HTTP front before s3rver that makes the fake as strict as S3 where our tests depend on it.
//
// s3rver checks neither secrets nor signatures, keeps a cut-off upload as a short object and cannot abort a
// multipart upload. The front (a) verifies SigV4 signatures and payload hashes with the real secrets, (b) forwards a
// body only once it arrived whole (Content-Length and the decoded aws-chunked length), (c) refuses writes of
// read-only keys with AccessDenied and answers injected 503 SlowDown faults, and (d) implements
// AbortMultipartUpload by removing s3rver's upload directory. Everything else goes to s3rver unchanged (unsigned:
// s3rver lets anonymous requests through, so the front is the only authority).
import { randomUUID, createHash } from 'node:crypto';
import { rm, stat } from 'node:fs/promises';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { answerSts, stsErrorXml, type FrontRole } from './s3-front-sts.js';
import { verifySignatureV4 } from './s3-signature.js';

/** An access key the front accepts. */
export interface FrontKey {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly readOnly?: boolean;
  /** Set for temporary keys issued by AssumeRole: requests must carry it as `x-amz-security-token`. */
  readonly sessionToken?: string;
}

/** A request the front saw (after the signature check), for assertions such as "the multipart path was used". */
export interface FrontRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly accessKeyId: string | undefined;
  /** The region of the signature's credential scope. */
  readonly region: string | undefined;
  readonly bodyBytes: number;
  /** The status the front answered itself (0: stalled, never answered), or undefined when forwarded to s3rver. */
  readonly refusedWith: number | undefined;
}

export interface S3Front {
  readonly endpoint: string;
  readonly requests: FrontRequest[];
  /** Requests whose body never arrived whole (client cut off): none of them reached s3rver. */
  readonly truncated: number;
  /**
   * The next `count` correctly signed requests that `matches` selects (default: all) get `fault` instead of s3rver:
   * `slow-down` answers 503 SlowDown; `stall` never answers (until the client gives up or the front closes).
   */
  injectFault(fault: FrontFault, count: number, matches?: (request: { readonly method: string; readonly query: URLSearchParams }) => boolean): void;
  close(): Promise<void>;
}

export type FrontFault = 'slow-down' | 'stall';

/** The largest body the front holds (every part the connector sends is 8 MiB). */
const MAX_BODY_BYTES = 64 * 1024 * 1024;

export interface S3FrontOptions {
  readonly upstreamPort: number;
  readonly storageDirectory: string;
  readonly keys: readonly FrontKey[];
  /** Roles that read-write keys may assume through the front's STS answer (requests signed for service `sts`). */
  readonly roles?: readonly FrontRole[];
}

export async function startS3Front(options: S3FrontOptions): Promise<S3Front> {
  const keys = new Map(options.keys.map((key) => [key.accessKeyId, key]));
  const requests: FrontRequest[] = [];
  let faults: { fault: FrontFault; count: number; matches: (request: { readonly method: string; readonly query: URLSearchParams }) => boolean } | undefined;
  let truncated = 0;

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('close', () => {
      if (!req.complete) truncated += 1;
    });
    req.on('end', () => {
      void answer(req, res, Buffer.concat(chunks)).catch((error: unknown) => sendError(res, req.method, 500, 'InternalError', String(error)));
    });
  });

  async function answer(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    const rawUrl = req.url ?? '/';
    const url = new URL(rawUrl, 'http://front');
    const [, region, service] = /Credential=[^/]+\/\d{8}\/([^/]+)\/([^/]+)\//.exec(String(req.headers.authorization ?? '')) ?? [];
    const record = (accessKeyId: string | undefined, refusedWith: number | undefined, bodyBytes = body.length) =>
      requests.push({ method: req.method ?? '', path: url.pathname, query: url.searchParams, accessKeyId, region, bodyBytes, refusedWith });
    const refuse = (accessKeyId: string | undefined, status: number, code: string, message: string) => {
      record(accessKeyId, status);
      if (service === 'sts') return void res.writeHead(status, { 'content-type': 'text/xml' }).end(stsErrorXml(code, message));
      sendError(res, req.method, status, code, message);
    };

    const check = verifySignatureV4({ method: req.method ?? '', rawUrl, headers: req.headers }, (id) => keys.get(id)?.secretAccessKey);
    if (!check.ok) return refuse(undefined, check.status, check.code, check.message);
    const key = keys.get(check.accessKeyId);
    if (key?.sessionToken !== undefined && req.headers['x-amz-security-token'] !== key.sessionToken) {
      return refuse(check.accessKeyId, 403, 'InvalidToken', 'The provided token is malformed or otherwise invalid.');
    }
    const payload = decodePayload(req, body);
    if (typeof payload === 'string') return refuse(check.accessKeyId, 400, payload, `The body does not match its declared length or hash (${payload}).`);
    if (service === 'sts') {
      const sts = answerSts(new URLSearchParams(payload.toString()), options.roles ?? [], key?.readOnly !== true && key?.sessionToken === undefined);
      if (sts.ok) keys.set(sts.issued.accessKeyId, sts.issued);
      record(check.accessKeyId, sts.ok ? undefined : sts.status);
      return void res.writeHead(sts.ok ? 200 : sts.status, { 'content-type': 'text/xml' }).end(sts.xml);
    }
    if (faults !== undefined && faults.count > 0 && faults.matches({ method: req.method ?? '', query: url.searchParams })) {
      faults.count -= 1;
      if (faults.fault === 'stall') return void record(check.accessKeyId, 0);
      return refuse(check.accessKeyId, 503, 'SlowDown', 'Please reduce your request rate.');
    }
    if (key?.readOnly === true && req.method !== 'GET' && req.method !== 'HEAD') return refuse(check.accessKeyId, 403, 'AccessDenied', 'Access Denied');
    if (req.method === 'DELETE' && url.searchParams.has('uploadId')) {
      record(check.accessKeyId, undefined);
      return abortMultipart(res, url, options.storageDirectory);
    }
    record(check.accessKeyId, undefined, payload.length);
    await forward(req, res, rawUrl, payload, options.upstreamPort);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    get truncated() {
      return truncated;
    },
    injectFault(fault, count, matches = () => true) {
      faults = { fault, count, matches };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The body to forward, or the S3 error code when it is not whole: length, payload hash, aws-chunked framing. */
function decodePayload(req: IncomingMessage, body: Buffer): Buffer | string {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) !== body.length) return 'IncompleteBody';
  const payloadHash = String(req.headers['x-amz-content-sha256'] ?? '');
  if (/^[0-9a-f]{64}$/.test(payloadHash)) {
    return createHash('sha256').update(body).digest('hex') === payloadHash ? body : 'XAmzContentSHA256Mismatch';
  }
  if (payloadHash === 'STREAMING-UNSIGNED-PAYLOAD-TRAILER') {
    const decoded = decodeAwsChunked(body);
    if (decoded === undefined) return 'IncompleteBody';
    return decoded.length === Number(req.headers['x-amz-decoded-content-length']) ? decoded : 'IncompleteBody';
  }
  // Signed streaming chunks would need per-chunk signature checks; the connector never sends them.
  if (payloadHash.startsWith('STREAMING-')) return 'NotImplemented';
  return body;
}

/** `<hex size>[;ext]\r\n<bytes>\r\n … 0\r\n<trailers>\r\n`; undefined when the framing is cut or malformed. */
export function decodeAwsChunked(body: Buffer): Buffer | undefined {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = body.indexOf('\r\n', at);
    if (lineEnd < 0) return undefined;
    const size = Number.parseInt(body.subarray(at, lineEnd).toString('latin1').split(';')[0] ?? '', 16);
    if (!Number.isInteger(size) || size < 0) return undefined;
    at = lineEnd + 2;
    if (size === 0) {
      // Then optional trailer lines and an empty line.
      const rest = body.subarray(at).toString('latin1');
      return rest === '\r\n' || rest.endsWith('\r\n\r\n') ? Buffer.concat(parts) : undefined;
    }
    if (at + size + 2 > body.length || body.subarray(at + size, at + size + 2).toString('latin1') !== '\r\n') return undefined;
    parts.push(body.subarray(at, at + size));
    at += size + 2;
  }
}

async function forward(req: IncomingMessage, res: ServerResponse, rawUrl: string, body: Buffer, upstreamPort: number): Promise<void> {
  const headers: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (name === 'authorization' || name === 'content-encoding' || name === 'x-amz-decoded-content-length' || name === 'x-amz-trailer') continue;
    if (name === 'content-length' || name === 'transfer-encoding' || name === 'connection') continue;
    headers[name] = value;
  }
  headers['content-length'] = body.length;
  await new Promise<void>((resolve, reject) => {
    const upstream = http.request({ host: '127.0.0.1', port: upstreamPort, method: req.method, path: rawUrl, headers }, (response) => {
      const { connection: _connection, 'keep-alive': _keepAlive, ...headers } = response.headers;
      res.writeHead(response.statusCode ?? 502, headers);
      response.pipe(res);
      response.on('end', resolve);
      response.on('error', reject);
    });
    upstream.on('error', reject);
    upstream.end(body);
  });
}

/** s3rver keeps an upload in `<bucket>/._S3rver_uploads/<uploadId>/`; S3 answers 204 once the upload is gone. */
async function abortMultipart(res: ServerResponse, url: URL, storageDirectory: string): Promise<void> {
  const bucket = decodeURIComponent(url.pathname.split('/')[1] ?? '');
  const uploadId = url.searchParams.get('uploadId') ?? '';
  const directory = path.join(storageDirectory, bucket, '._S3rver_uploads', uploadId);
  if (bucket === '' || uploadId === '' || uploadId.includes('/') || uploadId.includes('..')) return sendError(res, 'DELETE', 400, 'InvalidArgument', 'Bad upload id');
  const exists = await stat(directory).then(
    () => true,
    () => false,
  );
  if (!exists) return sendError(res, 'DELETE', 404, 'NoSuchUpload', 'The specified upload does not exist.');
  await rm(directory, { recursive: true, force: true });
  res.writeHead(204).end();
}

function sendError(res: ServerResponse, method: string | undefined, status: number, code: string, message: string): void {
  if (res.headersSent) return void res.destroy();
  const requestId = randomUUID();
  // S3 answers HEAD requests without a body: clients see only the status.
  if (method === 'HEAD') return void res.writeHead(status, { 'x-amz-request-id': requestId }).end();
  const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>${requestId}</RequestId></Error>`;
  res.writeHead(status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(xml), 'x-amz-request-id': requestId }).end(xml);
}
