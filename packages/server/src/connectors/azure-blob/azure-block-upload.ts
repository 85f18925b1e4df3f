// One file written to Azure Blob Storage as a block blob (SPEC §8.4): blocks are staged on the final blob name and
// stay invisible until publish commits the block list, which makes the blob appear, or replaces it, atomically.
//
// What happens to staged blocks that are never committed (measured on Azurite 3.35, documented for Azure):
// - Azure keeps them invisible to readers and to plain listings, discards them on the next Put Block List or Put Blob
//   of that name, and garbage-collects them a week after the last Put Block. There is no API to drop uncommitted
//   blocks alone.
// - When no committed blob of that name exists, Delete Blob removes the uncommitted blob with its blocks, so abort
//   leaves nothing. When a published file of that name exists, abort must not touch it: its uncommitted blocks then
//   stay until the next publish of that name or Azure's one-week collection (Azurite never collects them).
import { randomBytes } from 'node:crypto';
import { ConnectorError, type PendingUpload, type PublishedFile } from '../connector.js';

/** What the upload needs from the SDK's BlockBlobClient (CONVENTIONS §3): a structural subset. */
export interface BlockBlobOperations {
  stageBlock(blockId: string, body: Buffer, contentLength: number, options: { abortSignal: AbortSignal }): Promise<unknown>;
  commitBlockList(blockIds: string[], options: { abortSignal: AbortSignal }): Promise<unknown>;
  /** False for a blob that has only uncommitted blocks. */
  exists(options: { abortSignal: AbortSignal }): Promise<boolean>;
  deleteIfExists(options: { abortSignal: AbortSignal }): Promise<unknown>;
}

/** Runs one SDK call with the connector's timeout and error mapping; `action` words the message. */
export type AzureCall = <T>(action: string, run: (signal: AbortSignal) => Promise<T>) => Promise<T>;

/** Block size: large enough for throughput, small enough that the blocks in flight bound memory (≤ 5 × 8 MiB). */
export const BLOCK_SIZE = 8 * 1024 * 1024;
/** Blocks uploaded concurrently; one more is being filled from the body. */
export const BLOCKS_IN_FLIGHT = 4;
/** Azure's limit of committed blocks per blob. */
const MAX_BLOCKS = 50_000;

/**
 * Block ids: base64 of `<12 hex upload id>-<6-digit index>`. Azure requires every block id of a blob to have the same
 * length, including blocks left by an earlier attempt, so the format never varies; the per-upload id keeps two
 * uploads of the same name from overwriting each other's blocks.
 */
export function blockIdOf(uploadId: string, index: number): string {
  return Buffer.from(`${uploadId}-${index.toString().padStart(6, '0')}`, 'ascii').toString('base64');
}

type State = 'open' | 'writing' | 'written' | 'failed' | 'published' | 'aborted';

export class AzureBlockUpload implements PendingUpload {
  private readonly uploadId = randomBytes(6).toString('hex');
  private readonly blockIds: string[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private firstFailure: Error | undefined;
  private state: State = 'open';
  private size = 0;
  private writing: Promise<void> | undefined;

  constructor(
    private readonly blob: BlockBlobOperations,
    private readonly call: AzureCall,
    private readonly file: { readonly folder: string; readonly name: string },
  ) {}

  write(body: AsyncIterable<Uint8Array>): Promise<void> {
    if (this.state !== 'open') return Promise.reject(new Error(`write() called on an upload that is ${this.state}`));
    this.state = 'writing';
    // An abort() during the write keeps the upload 'aborted'.
    this.writing = this.writeBlocks(body).then(
      () => {
        if (this.state === 'writing') this.state = 'written';
      },
      (error: unknown) => {
        if (this.state === 'writing') this.state = 'failed';
        throw error;
      },
    );
    return this.writing;
  }

  async publish(): Promise<PublishedFile> {
    if (this.state !== 'written') throw new Error(`publish() called on an upload that is ${this.state}`);
    await this.call('committing the block list of', (signal) => this.blob.commitBlockList(this.blockIds, { abortSignal: signal }));
    this.state = 'published';
    return { folder: this.file.folder, name: this.file.name, size: this.size };
  }

  async abort(): Promise<void> {
    if (this.state === 'published' || this.state === 'aborted') return;
    this.state = 'aborted';
    // The write stops staging and waits for its blocks in flight to be answered: a block cancelled on our side could
    // still be stored by the service after the delete below and bring the uncommitted blob back.
    await this.writing?.catch(() => undefined);
    if (this.blockIds.length === 0) return;
    try {
      const published = await this.call('checking for a published file at', (signal) => this.blob.exists({ abortSignal: signal }));
      // Between this check and the delete another writer could commit the same name; runs of one flow never overlap.
      if (!published) await this.call('removing the uncommitted blocks of', (signal) => this.blob.deleteIfExists({ abortSignal: signal }));
    } catch {
      // Best effort (port contract): what remains is invisible and Azure collects it within a week.
    }
  }

  private async writeBlocks(body: AsyncIterable<Uint8Array>): Promise<void> {
    let block = Buffer.allocUnsafe(BLOCK_SIZE);
    let filled = 0;
    try {
      for await (const chunk of body) {
        let offset = 0;
        while (offset < chunk.length) {
          const copied = Math.min(chunk.length - offset, BLOCK_SIZE - filled);
          block.set(chunk.subarray(offset, offset + copied), filled);
          filled += copied;
          offset += copied;
          if (filled === BLOCK_SIZE) {
            await this.stage(block, filled);
            block = Buffer.allocUnsafe(BLOCK_SIZE);
            filled = 0;
          }
        }
        this.throwIfFailed();
      }
      if (filled > 0) await this.stage(block, filled);
      await Promise.all(this.inFlight);
      this.throwIfFailed();
    } catch (error) {
      // Blocks in flight are not cancelled but awaited (bounded by BLOCKS_IN_FLIGHT and the call timeout), so that
      // once write() settles the service has answered every Put Block and abort() can remove them all.
      await Promise.allSettled(this.inFlight);
      throw this.firstFailure ?? error;
    }
  }

  /** Starts uploading one block, after waiting for a free slot; failures surface through {@link throwIfFailed}. */
  private async stage(block: Buffer, length: number): Promise<void> {
    while (this.inFlight.size >= BLOCKS_IN_FLIGHT) await Promise.race(this.inFlight);
    this.throwIfFailed();
    if (this.blockIds.length >= MAX_BLOCKS) {
      throw new ConnectorError('INVALID_CONFIGURATION', `The file is larger than Azure's ${MAX_BLOCKS} blocks of ${BLOCK_SIZE / 1024 / 1024} MiB; set a smaller maxFileRowCount.`);
    }
    const blockId = blockIdOf(this.uploadId, this.blockIds.length);
    this.blockIds.push(blockId);
    this.size += length;
    const data = length === block.length ? block : block.subarray(0, length);
    const staged: Promise<void> = this.call('staging a block of', (signal) =>
      this.blob.stageBlock(blockId, data, length, { abortSignal: signal }),
    ).then(
      () => {
        this.inFlight.delete(staged);
      },
      (error: unknown) => {
        this.inFlight.delete(staged);
        this.firstFailure ??= error instanceof Error ? error : new Error(String(error));
      },
    );
    this.inFlight.add(staged);
  }

  private throwIfFailed(): void {
    if (this.state === 'aborted') throw new Error('the upload was aborted while writing');
    if (this.firstFailure !== undefined) throw this.firstFailure;
  }
}
