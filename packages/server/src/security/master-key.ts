// The master key that encrypts secrets at rest (SPEC §2.8): from the environment, or a 0600 key file made on first start.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Raised when the key file is unusable; the message says how to fix it. */
export class MasterKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MasterKeyError';
  }
}

/**
 * Returns the 32-byte master key: `fromEnv` when given, else the key file, generating it (mode 0600)
 * when absent. Refuses a key file that group or others can read, or that does not hold 32 bytes.
 */
export function loadMasterKey(fromEnv: Buffer | undefined, keyFile: string): Buffer {
  if (fromEnv !== undefined) return fromEnv;
  let mode: number;
  try {
    mode = statSync(keyFile).mode;
  } catch {
    mkdirSync(path.dirname(keyFile), { recursive: true });
    const key = randomBytes(32);
    writeFileSync(keyFile, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    return key;
  }
  if ((mode & 0o077) !== 0) {
    throw new MasterKeyError(`${keyFile} is readable by group or others (mode ${(mode & 0o777).toString(8)}); run: chmod 600 ${keyFile}`);
  }
  const key = Buffer.from(readFileSync(keyFile, 'utf8').trim(), 'base64');
  if (key.length !== 32) throw new MasterKeyError(`${keyFile} must hold 32 bytes encoded as base64`);
  return key;
}
