// Streaming OpenPGP encryption of export files, checked by decrypting with GnuPG (`gpg --decrypt`), not with openpgp.
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGpgHome, gpgUnavailable, type GpgHome } from '../../test/support/with-gpg.js';
import { createOpenPgpFileEncryptor } from './openpgp-file-encryptor.js';

const reason = gpgUnavailable();
const encryptor = createOpenPgpFileEncryptor();
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

describe.skipIf(reason !== undefined)(`OpenPGP file encryption${reason === undefined ? '' : ` (skipped: ${reason})`}`, () => {
  let gpg: GpgHome;
  let dir: string;
  beforeAll(async () => {
    gpg = await createGpgHome();
    dir = await mkdtemp(path.join(tmpdir(), 'activator-pgp-'));
  }, 60_000);
  afterAll(async () => {
    await gpg?.remove();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  async function encryptToFile(name: string, publicKey: string, plain: AsyncIterable<Uint8Array>): Promise<string> {
    const file = path.join(dir, name);
    await pipeline(Readable.from(encryptor.encrypt(publicKey, plain)), createWriteStream(file));
    return file;
  }

  it('writes a binary OpenPGP message that gpg decrypts to exactly the input', async () => {
    const data = Buffer.from('Email,segmentMembership_status\njohn@example.com,Active\n');
    const file = await encryptToFile('small.csv.gpg', gpg.armouredPublicKey, Readable.from([data]));
    const bytes = await readFile(file);
    expect(bytes.subarray(0, 10).toString('latin1')).not.toContain('-----BEGIN');
    expect(await gpg.listPackets(file)).toMatch(/encrypted data packet/);
    expect(await gpg.decryptFile(file)).toEqual(data);
  });

  it('streams a 24 MiB body in chunks and gpg decrypts it intact', async () => {
    const data = randomBytes(24 * 1024 * 1024);
    function* chunks() {
      for (let offset = 0; offset < data.length; offset += 64 * 1024) yield data.subarray(offset, offset + 64 * 1024);
    }
    const file = await encryptToFile('large.bin.gpg', gpg.armouredPublicKey, Readable.from(chunks()));
    expect(sha256(await gpg.decryptFile(file))).toBe(sha256(data));
  }, 120_000);

  it('accepts the key as Base64 of its armoured text', async () => {
    const file = await encryptToFile('b64.gpg', Buffer.from(gpg.armouredPublicKey).toString('base64'), Readable.from([Buffer.from('x')]));
    expect((await gpg.decryptFile(file)).toString()).toBe('x');
  });

  it('encrypts an empty body to a message gpg decrypts to nothing', async () => {
    const file = await encryptToFile('empty.gpg', gpg.armouredPublicKey, Readable.from([]));
    expect((await gpg.decryptFile(file)).length).toBe(0);
  });

  it('rejects a key it cannot read, with a reason and no key material', async () => {
    const failure = await encryptToFile('bad.gpg', 'not a key at all', Readable.from([Buffer.from('x')])).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toBe('the public key could not be read as an OpenPGP key');
  });

  it("propagates the body's own error", async () => {
    function* failing() {
      yield Buffer.alloc(1024);
      throw new Error('the staged file vanished');
    }
    await expect(encryptToFile('broken.gpg', gpg.armouredPublicKey, Readable.from(failing()))).rejects.toThrow('the staged file vanished');
  });
});
