// The connector contract: one suite every transport passes against its real server (landing zone, OpenSSH SFTP,
// S3 through s3rver behind a signature-checking front, Azurite). Files are read back without the connector under test.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectorEnvironment } from '../../test/support/connector-environment.js';
import { CONNECTOR_ENVIRONMENTS } from '../../test/support/connector-environments.js';
import { createConnectorFactory } from './connector-factory.js';
import { ConnectorError, type Connector, type ConnectorTarget } from './connector.js';

const factory = createConnectorFactory({ callTimeoutMs: 20_000 });
const here = path.dirname(fileURLToPath(import.meta.url));
const uploadChild = path.resolve(here, '../../test/support/connector-upload-child.ts');
const tsx = path.resolve(here, '../../../../node_modules/.bin/tsx');

function chunksOf(data: Buffer, size: number): AsyncIterable<Uint8Array> {
  function* chunks() {
    for (let offset = 0; offset < data.length; offset += size) yield data.subarray(offset, offset + size);
  }
  return Readable.from(chunks());
}

const sha256 = (data: Buffer | undefined) => (data === undefined ? undefined : createHash('sha256').update(data).digest('hex'));

/** Uploads and publishes `data` through a fresh connector. */
async function put(target: ConnectorTarget, folder: string, name: string, data: Buffer) {
  const connector = factory.open(target);
  try {
    const upload = await connector.beginUpload({ folder, name });
    await upload.write(chunksOf(data, 64 * 1024));
    return await upload.publish();
  } finally {
    await connector.close();
  }
}

/** The error a promise rejects with (fails the test when it resolves). */
async function failureOf(promise: Promise<unknown>): Promise<ConnectorError> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(outcome).toBeInstanceOf(ConnectorError);
  return outcome as ConnectorError;
}

/** Starts an upload in a child process, waits until more than 10 MiB went out, then kills it with SIGKILL. */
async function killMidUpload(target: ConnectorTarget, folder: string, name: string): Promise<void> {
  // Detached: the child leads its own process group. The tsx CLI runs the script in a node grandchild and cannot
  // relay SIGKILL, so the whole group is killed — killing only tsx would leave the upload running as an orphan.
  const child = spawn(tsx, [uploadChild, JSON.stringify({ target, folder, name })], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let stderr = '';
  child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
  const killGroup = () => {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // The group is gone already.
    }
  };
  const exited = new Promise((resolve) => child.once('exit', resolve));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the upload child never reported progress: ${stderr}`)), 60_000);
    child.stdout.on('data', (data: Buffer) => {
      if (data.toString().includes('UPLOADING')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the upload child exited (${code}) before it was killed: ${stderr}`));
    });
  }).catch((error: unknown) => {
    // Never leave the uploader (tsx's grandchild) running when the test gives up.
    killGroup();
    throw error;
  });
  killGroup();
  await exited;
}

for (const provider of CONNECTOR_ENVIRONMENTS) {
  const reason = provider.unavailable();
  describe.skipIf(reason !== undefined)(`connector contract: ${provider.name}${reason === undefined ? '' : ` (skipped: ${reason})`}`, () => {
    let env: ConnectorEnvironment;
    let connector: Connector;

    beforeAll(async () => {
      env = await provider.start();
      connector = factory.open(env.target);
    }, 120_000);
    afterAll(async () => {
      await connector?.close();
      await env?.stop();
    });

    it('connects and authenticates without writing anything', async () => {
      const before = await env.listAll();
      await connector.checkConnection();
      expect(await env.listAll()).toEqual(before);
    });

    it('publishes a streamed file under its final name with exactly the bytes written, creating folders as needed', async () => {
      const data = randomBytes(300_000);
      const published = await put(env.target, 'exports/Flash sale VIP/été', 'audience_1.csv', data);
      expect(published).toEqual({ folder: 'exports/Flash sale VIP/été', name: 'audience_1.csv', size: data.length });
      expect(sha256(await env.readBack('exports/Flash sale VIP/été', 'audience_1.csv'))).toBe(sha256(data));
      const listed = await connector.list('exports/Flash sale VIP/été');
      expect(listed.filter((file) => !file.temporary).map((file) => [file.name, file.size])).toEqual([['audience_1.csv', data.length]]);
    });

    it('shows nothing under the final name before publish, and the file after it', async () => {
      const upload = await connector.beginUpload({ folder: 'pending', name: 'late.csv' });
      await upload.write(chunksOf(Buffer.from('a,b\n1,2\n'), 3));
      expect(await env.readBack('pending', 'late.csv')).toBeUndefined();
      expect((await connector.list('pending')).filter((file) => !file.temporary)).toEqual([]);
      await upload.publish();
      expect((await env.readBack('pending', 'late.csv'))?.toString()).toBe('a,b\n1,2\n');
    });

    it('streams a file larger than one part (20 MiB) intact', async () => {
      const data = randomBytes(20 * 1024 * 1024 + 12_345);
      await put(env.target, 'big', 'large.bin', data);
      expect(sha256(await env.readBack('big', 'large.bin'))).toBe(sha256(data));
    }, 120_000);

    it('writes an empty file', async () => {
      await put(env.target, 'empty', 'zero.json', Buffer.alloc(0));
      expect((await env.readBack('empty', 'zero.json'))?.length).toBe(0);
    });

    it('replaces a published file of the same name atomically', async () => {
      await put(env.target, 'replace', 'same.csv', Buffer.from('old\n'));
      await put(env.target, 'replace', 'same.csv', Buffer.from('new content\n'));
      expect((await env.readBack('replace', 'same.csv'))?.toString()).toBe('new content\n');
      expect((await connector.list('replace')).map((file) => file.name)).toEqual(['same.csv']);
    });

    it('leaves no file, temporary object or pending upload after abort', async () => {
      const upload = await connector.beginUpload({ folder: 'aborted', name: 'gone.csv' });
      await upload.write(chunksOf(randomBytes(9 * 1024 * 1024), 1024 * 1024));
      await upload.abort();
      expect((await env.listAll()).filter((name) => name.startsWith('aborted/'))).toEqual([]);
      expect(await env.pendingUploads()).toEqual([]);
    }, 60_000);

    it('publishes nothing when the body fails half-way, and abort then cleans up', async () => {
      const upload = await connector.beginUpload({ folder: 'broken', name: 'half.csv' });
      function* failing() {
        yield randomBytes(6 * 1024 * 1024);
        throw new Error('the export query failed');
      }
      await expect(upload.write(Readable.from(failing()))).rejects.toThrow();
      await upload.abort();
      expect(await env.readBack('broken', 'half.csv')).toBeUndefined();
      expect((await env.listAll()).filter((name) => name.startsWith('broken/'))).toEqual([]);
      expect(await env.pendingUploads()).toEqual([]);
    }, 60_000);

    it('deletes a file, and deleting a missing file is not an error', async () => {
      await put(env.target, 'delete', 'probe.txt', Buffer.from('x'.repeat(64)));
      await connector.delete({ folder: 'delete', name: 'probe.txt' });
      expect(await env.readBack('delete', 'probe.txt')).toBeUndefined();
      await connector.delete({ folder: 'delete', name: 'probe.txt' });
    });

    it('lists a missing folder as empty', async () => {
      expect(await connector.list('no/such/folder')).toEqual([]);
    });

    it.each([
      ['a parent segment in the folder', '../escape', 'x.csv'],
      ['an absolute folder', '/etc', 'x.csv'],
      ['a slash in the name', 'ok', 'a/b.csv'],
      ['a backslash in the name', 'ok', 'a\\b.csv'],
      ['a dot-dot name', 'ok', '..'],
      ['an empty name', 'ok', ''],
      ['a control character in the name', 'ok', 'a\u0000b.csv'],
    ])('refuses %s with INVALID_CONFIGURATION and writes nothing', async (_what, folder, name) => {
      const before = await env.listAll();
      const error = await failureOf(
        (async () => {
          const upload = await connector.beginUpload({ folder, name });
          await upload.write(chunksOf(Buffer.from('hostile'), 7));
          await upload.publish();
        })(),
      );
      expect(error.code).toBe('INVALID_CONFIGURATION');
      expect(await env.listAll()).toEqual(before);
    });

    it('reports wrong credentials as AUTH_FAILED (permanent) with a message free of the secret', async (context) => {
      if (env.badCredentials === undefined) return context.skip();
      const bad = factory.open(env.badCredentials);
      try {
        const error = await failureOf(bad.checkConnection());
        expect(error.code).toBe('AUTH_FAILED');
        expect(error.transient).toBe(false);
        expect(error.message).not.toMatch(/wrong-secret/);
      } finally {
        await bad.close();
      }
    });

    it('reports a missing bucket, container or root as NOT_FOUND when writing', async (context) => {
      if (env.missingLocation === undefined) return context.skip();
      const missing = factory.open(env.missingLocation);
      try {
        const error = await failureOf(
          (async () => {
            const upload = await missing.beginUpload({ folder: 'x', name: 'y.csv' });
            try {
              await upload.write(chunksOf(Buffer.from('a'), 1));
              await upload.publish();
            } catch (failure) {
              await upload.abort();
              throw failure;
            }
          })(),
        );
        expect(error.code).toBe('NOT_FOUND');
        expect(error.transient).toBe(false);
      } finally {
        await missing.close();
      }
    });

    it('reports a closed port as UNREACHABLE, a transient failure', async (context) => {
      if (env.unreachable === undefined) return context.skip();
      const closed = factory.open(env.unreachable);
      try {
        const error = await failureOf(closed.checkConnection());
        expect(error.code).toBe('UNREACHABLE');
        expect(error.transient).toBe(true);
      } finally {
        await closed.close();
      }
    });

    it('leaves no file under the final name when the process is killed in the middle of an upload, and a new attempt publishes', async () => {
      await killMidUpload(env.target, 'killed', 'cut.csv.gz');
      expect(await env.readBack('killed', 'cut.csv.gz')).toBeUndefined();
      expect((await connector.list('killed')).filter((file) => !file.temporary)).toEqual([]);
      const data = randomBytes(100_000);
      await put(env.target, 'killed', 'cut.csv.gz', data);
      expect(sha256(await env.readBack('killed', 'cut.csv.gz'))).toBe(sha256(data));
    }, 120_000);
  });
}
