// One S3 upload: parts go out while the stream arrives, and nothing is visible until publish() commits them.
//
// Below one part (8 MiB) the bytes stay in memory and publish() sends a single PutObject; from the first full part on,
// a multipart upload is created and publish() sends CompleteMultipartUpload. Memory stays bounded by
// (MAX_PARTS_IN_FLIGHT + 1) × PART_SIZE whatever the file's size.
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  UploadPartCommand,
  type CompletedPart,
  type S3Client,
} from '@aws-sdk/client-s3';
import { ConnectorError, type FileLocation, type PendingUpload, type PublishedFile } from '../connector.js';
import type { S3Operation } from './s3-errors.js';

/** Size of every part but the last; also the threshold below which a single PutObject is used (SPEC §8.4). */
export const PART_SIZE = 8 * 1024 * 1024;
/** Parts uploaded concurrently while the stream continues. */
export const MAX_PARTS_IN_FLIGHT = 2;
/** S3's limit on parts per upload: with 8 MiB parts a file may hold up to 80 GiB. */
export const MAX_PARTS = 10_000;

/**
 * Runs one SDK call with the connector's timeout, cancellation and error mapping. `detached` calls ignore the
 * caller's cancellation (cleanup after a cancelled run must still reach the store) but keep the timeout.
 */
export type S3Call = <T>(
  operation: S3Operation,
  location: string,
  run: (abortSignal: AbortSignal) => Promise<T>,
  options?: { readonly detached?: boolean },
) => Promise<T>;

export interface S3UploadTarget {
  readonly client: S3Client;
  readonly bucket: string;
  readonly key: string;
  readonly location: FileLocation;
  /** Display form of the object for messages (`s3://bucket/folder/name`). */
  readonly display: string;
  readonly call: S3Call;
}

type State = 'new' | 'writing' | 'written' | 'failed' | 'published' | 'aborted';

export class S3PendingUpload implements PendingUpload {
  private state: State = 'new';
  private uploadId: string | undefined;
  private readonly parts: CompletedPart[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private partFailure: unknown;
  private buffer: Buffer | undefined;
  private buffered = 0;
  private total = 0;

  constructor(private readonly target: S3UploadTarget) {}

  async write(body: AsyncIterable<Uint8Array>): Promise<void> {
    if (this.state !== 'new') throw new Error(`write() may be called once, before publish or abort (upload is ${this.state})`);
    this.state = 'writing';
    try {
      for await (const chunk of body) await this.append(chunk);
      if (this.uploadId !== undefined && this.buffered > 0) await this.sendPart();
      await this.settleParts();
      this.state = 'written';
    } catch (error) {
      this.state = 'failed';
      await this.abortMultipart();
      throw error;
    }
  }

  async publish(): Promise<PublishedFile> {
    if (this.state !== 'written') throw new Error(`publish() needs a finished write (upload is ${this.state})`);
    const { client, bucket, key, display, call } = this.target;
    try {
      if (this.uploadId === undefined) {
        const body = (this.buffer ?? Buffer.alloc(0)).subarray(0, this.buffered);
        await call('write', display, (abortSignal) =>
          client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentLength: body.length }), { abortSignal }),
        );
      } else {
        const uploadId = this.uploadId;
        await call('write', display, (abortSignal) =>
          client.send(
            new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId, MultipartUpload: { Parts: this.parts } }),
            { abortSignal },
          ),
        );
        this.uploadId = undefined;
      }
    } catch (error) {
      this.state = 'failed';
      await this.abortMultipart();
      throw error;
    }
    this.state = 'published';
    this.buffer = undefined;
    return { folder: this.target.location.folder, name: this.target.location.name, size: this.total };
  }

  async abort(): Promise<void> {
    if (this.state === 'published' || this.state === 'aborted') return;
    this.state = 'aborted';
    await this.abortMultipart();
  }

  /** Copies a chunk into the part buffer (the producer may reuse its chunk), sending each part as it fills. */
  private async append(chunk: Uint8Array): Promise<void> {
    let offset = 0;
    while (offset < chunk.length) {
      this.buffer ??= Buffer.allocUnsafe(PART_SIZE);
      const take = Math.min(chunk.length - offset, PART_SIZE - this.buffered);
      this.buffer.set(chunk.subarray(offset, offset + take), this.buffered);
      this.buffered += take;
      this.total += take;
      offset += take;
      if (this.buffered === PART_SIZE) await this.sendPart();
    }
  }

  /** Starts uploading the buffered bytes as the next part; waits while too many parts are in flight. */
  private async sendPart(): Promise<void> {
    const { client, bucket, key, display, call } = this.target;
    // abort() while write() still runs: stop instead of starting a new multipart upload nobody would abort.
    if (this.state !== 'writing') throw new Error(`The upload of ${display} was aborted while it was being written`);
    if (this.uploadId === undefined) {
      const created = await call('write', display, (abortSignal) =>
        client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }), { abortSignal }),
      );
      if (created.UploadId === undefined) throw new Error(`The store returned no upload id for ${display}`);
      this.uploadId = created.UploadId;
    }
    while (this.inFlight.size >= MAX_PARTS_IN_FLIGHT) await Promise.race(this.inFlight);
    this.throwPartFailure();
    const body = this.buffer === undefined ? Buffer.alloc(0) : this.buffer.subarray(0, this.buffered);
    this.buffer = undefined;
    this.buffered = 0;
    const partNumber = this.parts.length + 1;
    if (partNumber > MAX_PARTS) {
      throw new ConnectorError('INVALID_CONFIGURATION', `${display} would exceed ${MAX_PARTS} parts of 8 MiB (80 GiB); lower maxFileRowCount so the export is split into smaller files.`);
    }
    const uploadId = this.uploadId;
    this.parts.push({ PartNumber: partNumber });
    const sent = call('write', display, (abortSignal) =>
      client.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumber: partNumber, Body: body, ContentLength: body.length }), {
        abortSignal,
      }),
    ).then(
      (result) => {
        this.parts[partNumber - 1] = { PartNumber: partNumber, ETag: result.ETag };
      },
      (error: unknown) => {
        this.partFailure ??= error;
      },
    );
    this.inFlight.add(sent);
    void sent.finally(() => this.inFlight.delete(sent));
  }

  private async settleParts(): Promise<void> {
    await Promise.all(this.inFlight);
    this.throwPartFailure();
  }

  private throwPartFailure(): void {
    const failure = this.partFailure;
    if (failure !== undefined) throw failure instanceof Error ? failure : new Error('An upload part failed', { cause: failure });
  }

  /** Best effort: waits for parts still in flight, then aborts the multipart upload so no parts are kept. */
  private async abortMultipart(): Promise<void> {
    this.buffer = undefined;
    this.buffered = 0;
    await Promise.allSettled(this.inFlight);
    const uploadId = this.uploadId;
    if (uploadId === undefined) return;
    this.uploadId = undefined;
    const { client, bucket, key, display, call } = this.target;
    await call('write', display, (abortSignal) => client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }), { abortSignal }), {
      detached: true,
    }).catch(() => undefined);
  }
}
