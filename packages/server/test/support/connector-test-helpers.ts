// Small helpers the connector test files share: bodies in chunks, digests, and the ConnectorError a call rejects with.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { expect } from 'vitest';
import { ConnectorError, type ConnectorFactory, type ConnectorTarget, type PublishedFile } from '../../src/connectors/connector.js';

/** `data` as a stream of `size`-byte chunks (what an upload body looks like). */
export function chunksOf(data: Buffer, size: number): AsyncIterable<Uint8Array> {
  function* chunks() {
    for (let offset = 0; offset < data.length; offset += size) yield data.subarray(offset, offset + size);
  }
  return Readable.from(chunks());
}

/** Hex SHA-256 of `data`, undefined for a missing file. */
export const sha256 = (data: Buffer | undefined) => (data === undefined ? undefined : createHash('sha256').update(data).digest('hex'));

/** The ConnectorError a promise rejects with (fails the test when it resolves or rejects with anything else). */
export async function failureOf(promise: Promise<unknown>): Promise<ConnectorError> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(outcome).toBeInstanceOf(ConnectorError);
  return outcome as ConnectorError;
}

/** Opens a connector for `target`, uploads and publishes `data` (aborting on failure), and closes it. */
export async function putFile(factory: ConnectorFactory, target: ConnectorTarget, folder: string, name: string, data: Buffer): Promise<PublishedFile> {
  const connector = factory.open(target);
  try {
    const upload = await connector.beginUpload({ folder, name });
    try {
      await upload.write(chunksOf(data, 256 * 1024));
      return await upload.publish();
    } catch (error) {
      await upload.abort();
      throw error;
    }
  } finally {
    await connector.close();
  }
}
