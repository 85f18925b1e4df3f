// The data-directory lock under a real race: separate processes, stale locks left by a SIGKILLed holder.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { lockDataDir } from './data-dir-lock.js';

const FIXTURE = path.resolve(import.meta.dirname, '../../test/support/lock-starter.ts');

/** A starter process and a way to wait for its next output lines. */
interface Starter {
  readonly child: ChildProcessWithoutNullStreams;
  send(line: string, expectedLines: number): Promise<string[]>;
}

function startStarter(): Promise<Starter> {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE], { stdio: ['pipe', 'pipe', 'pipe'] });
  const queue: string[] = [];
  let waiter: (() => void) | undefined;
  createInterface({ input: child.stdout }).on('line', (line) => {
    queue.push(line);
    waiter?.();
  });
  const next = async (count: number): Promise<string[]> => {
    while (queue.length < count) await new Promise<void>((resolve) => { waiter = resolve; });
    return queue.splice(0, count);
  };
  const starter: Starter = {
    child,
    async send(line, expectedLines) {
      child.stdin.write(`${line}\n`);
      return next(expectedLines);
    },
  };
  return next(1).then(() => starter);
}

describe('lockDataDir', () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'activator-lock-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('refuses a second holder in the same process and is free again once released', () => {
    const dir = path.join(root, 'same-process');
    mkdirSync(dir);
    const release = lockDataDir(dir);
    expect(() => lockDataDir(dir)).toThrow(/already uses the data directory/);
    release();
    lockDataDir(dir)();
  });

  it('lets exactly one of many racing processes win, every round, over a lock left by a SIGKILLed holder', async () => {
    const rounds = 30;
    const dirs = Array.from({ length: rounds }, (_, i) => path.join(root, `round-${i}`));
    for (const dir of dirs) mkdirSync(dir);
    // A holder takes every round's lock and dies without releasing anything: all locks are stale.
    const victim = await startStarter();
    expect(await victim.send(`hold ${dirs.join(' ')}`, 1)).toEqual(['held']);
    const exited = new Promise((resolve) => victim.child.once('exit', resolve));
    victim.child.kill('SIGKILL');
    await exited;

    const starters = await Promise.all(Array.from({ length: 6 }, () => startStarter()));
    try {
      const winnersPerRound: number[] = [];
      for (const dir of dirs) {
        const answers = await Promise.all(starters.map((s) => s.send(`lock ${dir}`, 1)));
        winnersPerRound.push(answers.flat().filter((answer) => answer === `won ${dir}`).length);
        await Promise.all(starters.map((s) => s.send('release', 1)));
      }
      expect(winnersPerRound).toEqual(dirs.map(() => 1));
    } finally {
      for (const s of starters) s.child.kill('SIGKILL');
    }
  }, 120_000);
});
