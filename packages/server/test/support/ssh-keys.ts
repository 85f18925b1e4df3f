// Test helper: SSH key pairs made by OpenSSH's ssh-keygen in each private key format, and the OpenSSH public key line
// of a node:crypto Ed25519 key (ssh-keygen 9.2 cannot read PKCS#8 Ed25519 keys, so tests derive it from the SPKI).
import { execFileSync } from 'node:child_process';
import type { KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';

let counter = 0;

/**
 * A fresh key made by ssh-keygen in `dir`, written in `format` (OPENSSH, PEM = PKCS#1 for RSA, PKCS8) and encrypted with
 * `passphrase` when given. `publicKey` is the `.pub` line.
 */
export function sshKeygenKey(
  dir: string,
  type: 'ed25519' | 'rsa' | 'ecdsa',
  format: 'OPENSSH' | 'PEM' | 'PKCS8',
  passphrase = '',
): { readonly privateKey: string; readonly publicKey: string; readonly file: string } {
  counter += 1;
  const file = path.join(dir, `${type}-${format}-${counter}`);
  execFileSync('ssh-keygen', ['-q', '-t', type, ...(type === 'rsa' ? ['-b', '2048'] : []), ...(format === 'OPENSSH' ? [] : ['-m', format]), '-N', passphrase, '-C', 'test', '-f', file]);
  return { privateKey: readFileSync(file, 'utf8'), publicKey: readFileSync(`${file}.pub`, 'utf8').trim(), file };
}

/** `ssh-ed25519 <base64>` of an Ed25519 public key: the SSH wire blob is the type string then the 32 raw key bytes. */
export function ed25519PublicKeyLine(publicKey: KeyObject): string {
  const raw = publicKey.export({ type: 'spki', format: 'der' }).subarray(-32);
  const field = (data: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, data.length]), data]);
  return `ssh-ed25519 ${Buffer.concat([field(Buffer.from('ssh-ed25519')), field(raw)]).toString('base64')}`;
}
