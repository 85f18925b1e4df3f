// One embedded server per data directory (SPEC §13.4): an OS file lock that the holder's death releases.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Sqlite from 'better-sqlite3';

/** The lock file: a SQLite database held under an exclusive transaction for the life of the server. */
export const LOCK_FILE = 'serve.lock';
/** Informational only: who holds the lock, for the error message. */
const PID_FILE = 'serve.pid';

function holderPid(dataDir: string): string {
  try {
    const pid = readFileSync(path.join(dataDir, PID_FILE), 'utf8').trim();
    return /^\d+$/.test(pid) ? ` (pid ${pid})` : '';
  } catch {
    return '';
  }
}

/**
 * Takes `<dataDir>/serve.lock` and returns the release function; throws when another holder (another
 * process, or another caller in this one) has it.
 *
 * The lock is SQLite's exclusive transaction lock on the file (POSIX `fcntl` locks): taking it is one
 * atomic step of the operating system, there is no stale state to clean up, and the kernel releases it
 * when the holder exits, however it dies (kill -9 included).
 */
export function lockDataDir(dataDir: string): () => void {
  const connection = new Sqlite(path.join(dataDir, LOCK_FILE), { timeout: 0 });
  try {
    connection.pragma('journal_mode = DELETE');
    connection.exec('BEGIN EXCLUSIVE');
  } catch (error) {
    connection.close();
    if ((error as { code?: string }).code === 'SQLITE_BUSY') {
      throw new Error(`Another activator serve${holderPid(dataDir)} already uses the data directory ${dataDir}; stop it first or choose another --data-dir`, { cause: error });
    }
    throw error;
  }
  writeFileSync(path.join(dataDir, PID_FILE), `${process.pid}\n`, { mode: 0o600 });
  let released = false;
  return () => {
    if (released) return;
    released = true;
    rmSync(path.join(dataDir, PID_FILE), { force: true });
    connection.exec('ROLLBACK');
    connection.close();
  };
}
