// Prepares one uploaded file for reading: gzip (by magic bytes, whatever the name) is inflated to scratch space first.
//
// DuckDB reads gzip itself but does not notice a stream cut short at a line boundary (it returns the rows it
// got), and a single gzip stream cannot be split across threads. Inflating with zlib once verifies the
// trailer (CRC and length) and lets every later pass read a plain file in parallel.
import { createReadStream, createWriteStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';

/** A file ready for DuckDB: plain bytes on local disk. */
export type PreparedInput =
  | {
      readonly readable: true;
      /** The plain (inflated) file. */
      readonly path: string;
      /** Size as uploaded (compressed when gzip): the batch's `inputByteSize`. */
      readonly uploadedBytes: number;
      /** No bytes at all once inflated: the file has no rows. */
      readonly empty: boolean;
    }
  | { readonly readable: false; readonly uploadedBytes: number; readonly reason: string };

/** Inflates `stagedPath` into `workDir` when it is gzip (`fileIndex` names the scratch file). */
export async function prepareInput(stagedPath: string, workDir: string, fileIndex: number): Promise<PreparedInput> {
  const uploadedBytes = (await stat(stagedPath)).size;
  let plainPath = stagedPath;
  if (await isGzip(stagedPath)) {
    plainPath = path.join(workDir, `input-${fileIndex}.inflated`);
    try {
      await pipeline(createReadStream(stagedPath), createGunzip(), createWriteStream(plainPath));
    } catch (error) {
      // zlib reports bad or missing data as Z_* codes; anything else (disk full…) is not the file's fault.
      if (!String((error as { code?: unknown }).code).startsWith('Z_')) throw error;
      return { readable: false, uploadedBytes, reason: 'gzip data is truncated or corrupt' };
    }
  }
  const empty = (await stat(plainPath)).size === 0;
  return { readable: true, path: plainPath, uploadedBytes, empty };
}

async function isGzip(filePath: string): Promise<boolean> {
  const head = await readHead(filePath, 2);
  return head.length === 2 && head[0] === 0x1f && head[1] === 0x8b;
}

async function readHead(filePath: string, bytes: number): Promise<Buffer> {
  const handle = await open(filePath, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** The first byte that is not JSON whitespace (after a UTF-8 BOM), or undefined when the file has none. */
export async function firstSignificantByte(filePath: string): Promise<number | undefined> {
  let atStart = true;
  for await (const chunk of createReadStream(filePath, { highWaterMark: 64 << 10 })) {
    const bytes = chunk as Buffer;
    let index = 0;
    if (atStart && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) index = 3;
    atStart = false;
    for (; index < bytes.length; index++) {
      const byte = bytes[index] as number;
      if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d) return byte;
    }
  }
  return undefined;
}

/** Whether some line of the file (its bytes between line feeds) is longer than `maxBytes`; stops at the first. */
export async function hasLineLongerThan(filePath: string, maxBytes: number): Promise<boolean> {
  let current = 0;
  const stream = createReadStream(filePath, { highWaterMark: 1 << 20 });
  try {
    for await (const chunk of stream) {
      const bytes = chunk as Buffer;
      let start = 0;
      for (let newline = bytes.indexOf(0x0a); newline !== -1; newline = bytes.indexOf(0x0a, start)) {
        if (current + newline - start > maxBytes) return true;
        current = 0;
        start = newline + 1;
      }
      current += bytes.length - start;
      if (current > maxBytes) return true;
    }
    return false;
  } finally {
    stream.destroy();
  }
}
