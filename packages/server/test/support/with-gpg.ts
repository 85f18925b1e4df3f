// A throwaway GnuPG home with one key pair, for checking encrypted exports with `gpg --decrypt` (Debian gnupg), not our code.
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** undefined when gpg can run here; else why the encryption checks are skipped. */
export function gpgUnavailable(): string | undefined {
  return existsSync('/usr/bin/gpg') ? undefined : 'gpg is not installed (apt-get install gnupg)';
}

export interface GpgHome {
  /** The public key, ASCII-armoured, as a target connection stores it. */
  readonly armouredPublicKey: string;
  /** Decrypts a file with the secret key; rejects when gpg cannot. */
  decryptFile(file: string): Promise<Buffer>;
  /** `gpg --list-packets` of a file (to check it is binary OpenPGP, not armoured). */
  listPackets(file: string): Promise<string>;
  remove(): Promise<void>;
}

/** Creates a GnuPG home with an ed25519/cv25519 key without passphrase. */
export async function createGpgHome(): Promise<GpgHome> {
  const home = await mkdtemp(path.join(tmpdir(), 'activator-gpg-'));
  const env = { ...process.env, GNUPGHOME: home };
  const gpg = (...args: string[]) => run('gpg', ['--batch', '--no-tty', ...args], { env, maxBuffer: 64 * 1024 * 1024, encoding: 'buffer' });
  await gpg('--passphrase', '', '--quick-gen-key', 'Activator Test <test@example.com>', 'future-default', 'default', 'never');
  const exported = await gpg('--armor', '--export', 'test@example.com');
  return {
    armouredPublicKey: exported.stdout.toString('utf8'),
    decryptFile: (file) =>
      new Promise<Buffer>((resolve, reject) => {
        const child = spawn('gpg', ['--batch', '--no-tty', '--quiet', '--decrypt', file], { env, stdio: ['ignore', 'pipe', 'pipe'] });
        const out: Buffer[] = [];
        let err = '';
        child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
        child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
        child.on('error', reject);
        child.on('close', (code) => (code === 0 ? resolve(Buffer.concat(out)) : reject(new Error(`gpg --decrypt exited ${code}: ${err}`))));
      }),
    listPackets: async (file) => (await gpg('--list-packets', file)).stdout.toString('utf8'),
    remove: () => rm(home, { recursive: true, force: true }),
  };
}
