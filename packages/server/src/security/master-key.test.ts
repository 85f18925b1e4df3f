import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadMasterKey, MasterKeyError } from './master-key.js';

describe('loadMasterKey', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'activator-key-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('generates a 32-byte key file with mode 0600 on first use and reads the same key afterwards', () => {
    const file = path.join(tempDir(), 'nested', 'master.key');
    const first = loadMasterKey(undefined, file);
    expect(first).toHaveLength(32);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64').equals(first)).toBe(true);
    expect(loadMasterKey(undefined, file).equals(first)).toBe(true);
  });

  it('refuses a key file that group or others can read, saying how to fix it', () => {
    const file = path.join(tempDir(), 'master.key');
    loadMasterKey(undefined, file);
    chmodSync(file, 0o644);
    expect(() => loadMasterKey(undefined, file)).toThrow(MasterKeyError);
    expect(() => loadMasterKey(undefined, file)).toThrow(`chmod 600 ${file}`);
  });

  it('refuses a key file that does not hold 32 bytes', () => {
    const file = path.join(tempDir(), 'master.key');
    writeFileSync(file, Buffer.alloc(16).toString('base64'), { mode: 0o600 });
    expect(() => loadMasterKey(undefined, file)).toThrow(/32 bytes/);
  });

  it('prefers the key from the environment and creates no file', () => {
    const file = path.join(tempDir(), 'master.key');
    const key = Buffer.alloc(32, 1);
    expect(loadMasterKey(key, file)).toBe(key);
    expect(() => statSync(file)).toThrow();
  });
});
