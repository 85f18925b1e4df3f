// Start-up clean-up of the staging area: what a killed upload left half-written is removed, finished uploads stay.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLogger, startServer } from '../../src/main.js';

describe('staging at start-up', () => {
  let dataDir: string | undefined;
  afterEach(() => {
    if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
  });

  it('removes the .part file of an upload killed mid-way at the next start, and keeps staged uploads', async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'activator-sweep-'));
    const batchDir = path.join(dataDir, 'staging', '01KF0E44M0B5Q0JTC3VX38H3GY');
    mkdirSync(batchDir, { recursive: true });
    // A process killed while streaming leaves its temporary file (the catch that removes it never ran).
    writeFileSync(path.join(batchDir, '7d0c7a4e-94b2-4b5c-8d0e-1f2a3b4c5d6e.upload.part'), 'crmId\nC-1\n');
    writeFileSync(path.join(batchDir, '.crm.csv.part'), 'crmId\nC-2\n');
    writeFileSync(path.join(batchDir, '0f3e2d1c-94b2-4b5c-8d0e-1f2a3b4c5d6e.upload'), 'crmId\nC-3\n');
    const lines: string[] = [];
    const config = loadConfig({ ACTIVATOR_DATA_DIR: dataDir, ACTIVATOR_HOST: '127.0.0.1', ACTIVATOR_PORT: '0', ACTIVATOR_ADMIN_PASSWORD: 'a-long-test-password' });
    const server = await startServer(config, createLogger(config, { write: (line: string) => void lines.push(line) }));
    try {
      expect(readdirSync(batchDir)).toEqual(['0f3e2d1c-94b2-4b5c-8d0e-1f2a3b4c5d6e.upload']);
      expect(lines.some((line) => line.includes('"files":2'))).toBe(true);
    } finally {
      await server.stop();
    }
    expect(existsSync(batchDir)).toBe(true);
  });
});
