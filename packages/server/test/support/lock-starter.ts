// Test fixture process: takes data-directory locks on command (stdin lines), so a test can race real processes.
// Commands: `lock <dir>` → prints `won <dir>` or `lost <dir>`; `release` → releases every lock taken; `hold <dir>…` takes
// locks and prints `held` (a test then SIGKILLs the process to leave stale locks behind).
import { createInterface } from 'node:readline';
import { lockDataDir } from '../../src/security/data-dir-lock.js';

const held: (() => void)[] = [];
const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  const [command, ...dirs] = line.trim().split(' ');
  if (command === 'lock' || command === 'hold') {
    const results: string[] = [];
    for (const dir of dirs) {
      try {
        held.push(lockDataDir(dir));
        results.push(`won ${dir}`);
      } catch {
        results.push(`lost ${dir}`);
      }
    }
    process.stdout.write(command === 'hold' ? 'held\n' : `${results.join('\n')}\n`);
  } else if (command === 'release') {
    for (const release of held.splice(0)) release();
    process.stdout.write('released\n');
  }
});
process.stdout.write('ready\n');
