// The strict front before s3rver: it must refuse what S3 refuses (a wrong secret, a tampered or cut-off body) where
// s3rver alone would accept it, or the S3 connector's auth and atomicity tests would prove nothing.
import { createHash } from 'node:crypto';
import net from 'node:net';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeAwsChunked } from './s3-front-server.js';
import { uriEncode } from './s3-signature.js';
import { startS3Server, type S3Server } from './with-s3-server.js';

interface RawRequest {
  readonly method: string;
  readonly target: string;
  readonly headers: Record<string, string>;
}

/** Signs a PutObject with the real SDK and returns the request it would send, without sending it. */
async function signedPut(server: S3Server, key: string, body: Buffer, as: { accessKeyId?: string; secretAccessKey?: string } = {}): Promise<RawRequest> {
  const client = new S3Client({
    endpoint: server.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: as.accessKeyId ?? server.accessKeyId, secretAccessKey: as.secretAccessKey ?? server.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    maxAttempts: 1,
  });
  let captured: RawRequest | undefined;
  client.middlewareStack.add(
    () => (args) => {
      const request = args.request as { method: string; path: string; query: Record<string, string>; headers: Record<string, string> };
      const query = Object.entries(request.query)
        .map(([name, value]) => `${uriEncode(name)}=${uriEncode(value)}`)
        .join('&');
      captured = { method: request.method, target: query === '' ? request.path : `${request.path}?${query}`, headers: request.headers };
      return Promise.reject(new Error('captured'));
    },
    { step: 'deserialize', name: 'captureSignedRequest' },
  );
  await client.send(new PutObjectCommand({ Bucket: server.bucket, Key: key, Body: body, ContentLength: body.length })).catch(() => undefined);
  client.destroy();
  if (captured === undefined) throw new Error('the SDK built no request');
  return captured;
}

/**
 * Sends `request` with `body` on a raw socket to `port` and returns the status line ('' when none came).
 * `cutOff` ends the connection after the bytes, as a killed client would.
 */
async function sendRaw(port: number, request: RawRequest, body: Buffer, cutOff = false): Promise<string> {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  const head = [`${request.method} ${request.target} HTTP/1.1`, ...Object.entries(request.headers).map(([name, value]) => `${name}: ${value}`), 'connection: close', '', ''].join('\r\n');
  const bytes = Buffer.concat([Buffer.from(head), body]);
  if (cutOff) socket.end(bytes);
  else socket.write(bytes);
  const response = await new Promise<string>((resolve) => {
    let text = '';
    socket.on('data', (data: Buffer) => (text += data.toString()));
    socket.on('close', () => resolve(text));
    socket.on('error', () => resolve(text));
  });
  return response.split('\r\n')[0] ?? '';
}

const portOf = (url: string) => Number(new URL(url).port);

describe('S3 front before s3rver', () => {
  let server: S3Server;
  let s3rverPort: number;

  beforeAll(async () => {
    server = await startS3Server();
    s3rverPort = await server.upstreamPort();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('accepts a request the SDK signed with the right secret', async () => {
    const body = Buffer.from('right secret');
    const status = await sendRaw(portOf(server.endpoint), await signedPut(server, 'front/ok.txt', body), body);
    expect(status).toBe('HTTP/1.1 200 OK');
    expect((await server.readObject('front/ok.txt'))?.toString()).toBe('right secret');
  });

  it('refuses a request signed with a wrong secret with 403 SignatureDoesNotMatch, where s3rver alone accepts it', async () => {
    const body = Buffer.from('wrong secret');
    const request = await signedPut(server, 'front/wrong.txt', body, { secretAccessKey: 'wrong-secret' });
    expect(await sendRaw(portOf(server.endpoint), request, body)).toBe('HTTP/1.1 403 Forbidden');
    expect(await server.readObject('front/wrong.txt')).toBeUndefined();
    // Why the front exists: s3rver alone takes a wrong secret for its own key id (S3RVER) and stores the object.
    const direct = await signedPut(server, 'front/wrong.txt', body, { accessKeyId: 'S3RVER', secretAccessKey: 'wrong-secret' });
    expect(await sendRaw(s3rverPort, { ...direct, headers: { ...direct.headers, host: `127.0.0.1:${s3rverPort}` } }, body)).toBe('HTTP/1.1 200 OK');
    expect((await server.readObject('front/wrong.txt'))?.toString()).toBe('wrong secret');
  });

  it('refuses a correctly signed request replayed against another key', async () => {
    const body = Buffer.from('replayed');
    const request = await signedPut(server, 'front/signed-for.txt', body);
    const replayed = { ...request, target: request.target.replace('signed-for.txt', 'replayed-to.txt') };
    expect(await sendRaw(portOf(server.endpoint), replayed, body)).toBe('HTTP/1.1 403 Forbidden');
    expect(await server.readObject('front/replayed-to.txt')).toBeUndefined();
  });

  it('refuses a correctly signed request whose body was changed (payload hash mismatch)', async () => {
    const request = await signedPut(server, 'front/tampered.txt', Buffer.from('original'));
    expect(await sendRaw(portOf(server.endpoint), request, Buffer.from('tampered'))).toBe('HTTP/1.1 400 Bad Request');
    expect(await server.readObject('front/tampered.txt')).toBeUndefined();
  });

  it('never forwards a body cut off before its Content-Length, so no short object appears', async () => {
    const body = Buffer.alloc(100_000, 'x');
    const request = await signedPut(server, 'front/cut.txt', body);
    const truncatedBefore = server.front.truncated;
    await sendRaw(portOf(server.endpoint), request, body.subarray(0, 40_000), true);
    await expect.poll(() => server.front.truncated).toBe(truncatedBefore + 1);
    expect(await server.readObject('front/cut.txt')).toBeUndefined();
    // Why the front exists: s3rver alone stores the 40,000 bytes it got as the object.
    const direct = await signedPut(server, 'front/cut.txt', body, { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' });
    await sendRaw(s3rverPort, { ...direct, headers: { ...direct.headers, host: `127.0.0.1:${s3rverPort}` } }, body.subarray(0, 40_000), true);
    await expect.poll(async () => (await server.readObject('front/cut.txt'))?.length).toBe(40_000);
  });

  it('decodes aws-chunked bodies and refuses cut-off framing', () => {
    const framed = Buffer.from('5\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n');
    expect(decodeAwsChunked(framed)?.toString()).toBe('hello world');
    expect(decodeAwsChunked(Buffer.from('5\r\nhello\r\n0\r\n\r\n'))?.toString()).toBe('hello');
    expect(decodeAwsChunked(framed.subarray(0, 14))).toBeUndefined();
    expect(decodeAwsChunked(Buffer.from('5\r\nhel'))).toBeUndefined();
  });

  it('computes the payload hash the SDK signs (sanity check of the captured request)', async () => {
    const body = Buffer.from('hash me');
    const request = await signedPut(server, 'front/hash.txt', body);
    expect(request.headers['x-amz-content-sha256']).toBe(createHash('sha256').update(body).digest('hex'));
  });
});
