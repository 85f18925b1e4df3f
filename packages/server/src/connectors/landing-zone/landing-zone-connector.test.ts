// Landing-zone specifics beyond the shared contract: owner-only modes, the temporary name, names at the 255-byte limit.
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConnectorError, type Connector } from '../connector.js';
import { landingZoneTargetOf, openLandingZoneConnector, temporaryNameOf } from './landing-zone-connector.js';

let base: string;
let root: string;
let connector: Connector;

beforeEach(async () => {
  base = await mkdtemp(path.join(tmpdir(), 'activator-dlz-unit-'));
  root = path.join(base, 'dlz', 'prod');
  connector = openLandingZoneConnector({ kind: 'landing-zone', root }, { callTimeoutMs: 1000 });
});
afterEach(async () => {
  await connector.close();
  await rm(base, { recursive: true, force: true });
});

const bodyOf = (text: string) => Readable.from([Buffer.from(text)]);

describe('landing-zone connector', () => {
  it('creates folders 0700 and files 0600, like the rest of the data directory', async () => {
    const upload = await connector.beginUpload({ folder: 'a/b', name: 'f.csv' });
    await upload.write(bodyOf('x\n'));
    await upload.publish();
    expect((await stat(root)).mode & 0o777).toBe(0o700);
    expect((await stat(path.join(root, 'a'))).mode & 0o777).toBe(0o700);
    expect((await stat(path.join(root, 'a', 'b'))).mode & 0o777).toBe(0o700);
    expect((await stat(path.join(root, 'a', 'b', 'f.csv'))).mode & 0o777).toBe(0o600);
  });

  it('writes to .<name>.part before publishing, and lists it as temporary', async () => {
    const upload = await connector.beginUpload({ folder: 'x', name: 'data.csv' });
    await upload.write(bodyOf('1\n'));
    expect(await readdir(path.join(root, 'x'))).toEqual(['.data.csv.part']);
    expect(await connector.list('x')).toEqual([expect.objectContaining({ name: '.data.csv.part', size: 2, temporary: true })]);
    await upload.publish();
    expect(await readdir(path.join(root, 'x'))).toEqual(['data.csv']);
    expect(await connector.list('x')).toEqual([expect.objectContaining({ name: 'data.csv', size: 2, temporary: false })]);
  });

  it('publishes a 255-byte name, whose temporary name is shortened to fit', async () => {
    const name = `${'n'.repeat(251)}.csv`;
    expect(Buffer.byteLength(temporaryNameOf(name))).toBeLessThanOrEqual(255);
    const upload = await connector.beginUpload({ folder: '', name });
    await upload.write(bodyOf('ok'));
    await upload.publish();
    expect((await readFile(path.join(root, name))).toString()).toBe('ok');
  });

  it('refuses a 256-byte name with INVALID_CONFIGURATION', async () => {
    await expect(connector.beginUpload({ folder: '', name: 'n'.repeat(256) })).rejects.toMatchObject({ code: 'INVALID_CONFIGURATION' });
  });

  it('reports a file standing where a folder is expected as INVALID_CONFIGURATION naming the folder', async () => {
    await connector.checkConnection();
    await writeFile(path.join(root, 'blocker'), 'x');
    const error = (await connector.beginUpload({ folder: 'blocker/inner', name: 'f.csv' }).catch((e: unknown) => e)) as ConnectorError;
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error.code).toBe('INVALID_CONFIGURATION');
    expect(error.message).toContain('dlz:///blocker/inner/');
    expect(error.message).not.toContain(base);
  });

  it('reports an unwritable folder as PERMISSION_DENIED, permanent', async (context) => {
    if (process.getuid?.() === 0) return context.skip('the tests run as root, which ignores file modes');
    const { chmod, mkdir } = await import('node:fs/promises');
    await mkdir(path.join(root, 'locked'), { recursive: true });
    await chmod(path.join(root, 'locked'), 0o500);
    const upload = await connector.beginUpload({ folder: 'locked', name: 'f.csv' });
    const error = (await upload.write(bodyOf('x')).catch((e: unknown) => e)) as ConnectorError;
    await upload.abort();
    await chmod(path.join(root, 'locked'), 0o700);
    expect(error.code).toBe('PERMISSION_DENIED');
    expect(error.transient).toBe(false);
  });

  it('writes even when the folder was removed between beginUpload and write (the sweep removes empty folders)', async () => {
    const upload = await connector.beginUpload({ folder: 'swept/away', name: 'f.csv' });
    await rm(path.join(root, 'swept'), { recursive: true });
    await upload.write(bodyOf('still here'));
    await upload.publish();
    expect((await readFile(path.join(root, 'swept', 'away', 'f.csv'))).toString()).toBe('still here');
  });

  it('publishes neither half-written file when two uploads of one name overlap, and the later one wins', async () => {
    const first = await connector.beginUpload({ folder: 'same', name: 'f.csv' });
    const second = await connector.beginUpload({ folder: 'same', name: 'f.csv' });
    await first.write(bodyOf('first'));
    await second.write(bodyOf('second'));
    await expect(first.publish()).rejects.toMatchObject({ code: 'SERVER_ERROR', transient: true });
    await first.abort();
    await second.publish();
    expect((await readFile(path.join(root, 'same', 'f.csv'))).toString()).toBe('second');
    expect(await readdir(path.join(root, 'same'))).toEqual(['f.csv']);
  });

  it('refuses a relative root', () => {
    expect(() => openLandingZoneConnector({ kind: 'landing-zone', root: 'data/dlz' }, { callTimeoutMs: 1 })).toThrow(ConnectorError);
  });

  it('places a sandbox landing zone at <dataDir>/dlz/<sandboxName> and refuses a name that is not one plain folder name', () => {
    expect(landingZoneTargetOf('/var/lib/activator', 'prod')).toEqual({ kind: 'landing-zone', root: '/var/lib/activator/dlz/prod' });
    for (const name of ['..', '.', '', 'a/b', '../prod', 'x\u0000']) {
      expect(() => landingZoneTargetOf('/var/lib/activator', name)).toThrow(ConnectorError);
    }
  });
});
