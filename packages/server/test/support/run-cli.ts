// Test helper: runs the real `activator` bin (TypeScript sources through tsx) with a controlled environment.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const execute = promisify(execFile);
const bin = path.resolve(import.meta.dirname, '../../bin/activator.js');

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `activator <args>` with only PATH plus `env` (no inherited ACTIVATOR_* settings), never throwing on a non-zero exit. */
export async function runActivator(args: readonly string[], env: Record<string, string>): Promise<CliResult> {
  try {
    const { stdout, stderr } = await execute(process.execPath, [bin, ...args], {
      env: { PATH: process.env['PATH'] ?? '', NO_COLOR: '1', ACTIVATOR_CLI_FROM_SOURCE: '1', ...env },
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}
