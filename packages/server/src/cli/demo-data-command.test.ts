import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { formatBytes, registerDemoDataCommand } from './demo-data-command.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'activator-demo-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function capture(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({ write(chunk: Buffer, _encoding, done) { text += chunk.toString(); done(); } });
  return { stream, text: () => text };
}

/** Runs `activator demo-data <args>` in-process with a fixed clock; commander errors are thrown, not exits. */
async function run(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  const stdout = capture();
  const stderr = capture();
  const program = new Command().name('activator').exitOverride().configureOutput({ writeOut: () => {}, writeErr: () => {} });
  registerDemoDataCommand(program, { stdout: stdout.stream, stderr: stderr.stream, now: () => new Date('2025-03-04T23:59:00Z') });
  await program.parseAsync(['demo-data', ...args], { from: 'user' });
  return { stdout: stdout.text(), stderr: stderr.text() };
}

describe('activator demo-data', () => {
  it('writes the three files and prints a table of file, rows, size and time', async () => {
    const out = path.join(tmp, 'table');
    const { stdout, stderr } = await run('--profiles', '1_000', '--events', '5000', '--out', out);
    expect(readdirSync(out).sort()).toEqual(['events.csv', 'loyalty.csv', 'profiles.csv']);
    expect(stderr).toContain('Generating 1,000 profiles and 5,000 events (seed 42, as of 2025-03-04) as csv');
    expect(stderr).toMatch(/wrote events\.csv \(5,000 rows, [\d.]+ [kM]B\) in [\d.]+ s/);
    for (const title of ['File', 'Rows', 'Size', 'Time']) expect(stdout).toContain(title);
    expect(stdout).toMatch(/profiles\.csv.*Demo CRM profiles.*1,000/);
    expect(stdout).toMatch(/loyalty\.csv.*Demo loyalty members.*250/);
    expect(stdout).toMatch(/total.*6,250/);
  });

  it('prints JSON for scripts, with the options it used', async () => {
    const out = path.join(tmp, 'json');
    const { stdout } = await run('--profiles', '8', '--events', '3', '--format', 'parquet', '--seed', '7', '--as-of', '2024-02-29', '--out', out, '--json');
    expect(JSON.parse(stdout)).toMatchObject({
      seed: 7, asOf: '2024-02-29', format: 'parquet',
      files: [{ file: 'profiles.parquet', rows: 8 }, { file: 'loyalty.parquet', rows: 2 }, { file: 'events.parquet', rows: 3 }],
    });
  });

  it.each([
    [['--events', '1'], "required option '--profiles <n>' not specified"],
    [['--profiles', '0', '--events', '1'], 'expected a whole number from 1 to 100,000,000'],
    [['--profiles', '10k', '--events', '1'], 'expected a whole number from 1'],
    [['--profiles', '10', '--events', '-5'], 'expected a whole number from 0'],
    [['--profiles', '10', '--events', '1', '--seed', '1.5'], 'expected a whole number'],
    [['--profiles', '10', '--events', '1', '--format', 'xml'], 'Allowed choices are csv, ndjson, parquet'],
    [['--profiles', '10', '--events', '1', '--as-of', '2025-02-29'], 'expected a date written YYYY-MM-DD'],
  ])('refuses %j with a clear error and writes nothing', async (args, message) => {
    const out = path.join(tmp, 'refused');
    await expect(run(...args, '--out', out)).rejects.toThrow(message);
    expect(existsSync(out)).toBe(false);
  });

  it('formats sizes in decimal units', () => {
    expect([0, 999, 1_000, 1_234_567, 2_029_585_292].map(formatBytes)).toEqual(['0 B', '999 B', '1.0 kB', '1.2 MB', '2.0 GB']);
  });
});
