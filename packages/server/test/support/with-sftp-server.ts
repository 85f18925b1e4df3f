// Test helper: a real OpenSSH sshd on 127.0.0.1 (temp config, per-run host key, a free high port, internal-sftp only)
// with two throwaway system users sharing one home folder: one logging in with a password, one with a key. Used by the
// connector contract suite (sftpEnvironment), the SFTP connector tests, the connection-test endpoint and the benchmark.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { appendFile, chmod, chown, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { SftpTarget } from '../../src/connectors/connector.js';
import type { ConnectorEnvironment, ConnectorEnvironmentProvider } from './connector-environment.js';

const run = promisify(execFile);
const SSHD = '/usr/sbin/sshd';

/**
 * Runs a shadow-utils command (useradd, usermod, userdel), retrying while another process holds the lock on
 * /etc/passwd (other test files create users concurrently; the tools then fail at once instead of waiting).
 */
async function runAccountTool(command: string, args: readonly string[], input?: string): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      const running = run(command, args);
      running.child.stdin?.end(input);
      await running;
      return;
    } catch (error) {
      const { stderr = '' } = error as { stderr?: string };
      if (attempt >= 100 || !/lock|try again/i.test(stderr)) throw new Error(`${command} ${args.join(' ')} failed: ${stderr.trim()}`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** A running sshd and its users; `stop` kills it, removes the users and every file. */
export interface TestSftpServer {
  readonly host: string;
  readonly port: number;
  readonly users: {
    readonly password: { readonly username: string; readonly password: string };
    /** `privateKeyPem`: an unencrypted OpenSSH-format Ed25519 key (ssh-keygen's default output). */
    readonly key: { readonly username: string; readonly privateKeyPem: string; readonly publicKey: string; readonly privateKeyFile: string };
  };
  /** Both users' home folder on this machine (SFTP paths are relative to it); files in it belong to the users' uid. */
  readonly root: string;
  /** `SHA256:…` of the host key, as `ssh-keygen -lf` prints it. */
  readonly hostKeyFingerprint: string;
  /** The uid and gid the users run as (for tests that prepare files in {@link root}). */
  readonly uid: number;
  readonly gid: number;
  /** sshd's log so far (LogLevel VERBOSE: logins, failed authentications, disconnects). */
  log(): Promise<string>;
  /** Kills this sshd's session processes (not the listener): every open SSH connection drops, as on a server restart. */
  dropConnections(): Promise<void>;
  /** Sends a signal to this sshd's session processes: SIGSTOP makes open connections hang (new ones still work), SIGCONT resumes them. */
  signalSessions(signal: 'SIGSTOP' | 'SIGCONT'): Promise<void>;
  /** Lets the key user log in with another public key (`ssh-ed25519 AAAA…` line). */
  authorize(publicKey: string): Promise<void>;
  /** A target for the password user (`auth` and fingerprint overridable). */
  target(overrides?: Partial<Omit<SftpTarget, 'kind'>>): SftpTarget;
  stop(): Promise<void>;
}

/** Why no sshd can be started here, or undefined. */
export function sftpServerUnavailable(): string | undefined {
  if (!existsSync(SSHD)) return `${SSHD} is missing (install openssh-server; scripts/ensure-test-deps.sh does it as root)`;
  if (!existsSync('/usr/bin/ssh-keygen')) return '/usr/bin/ssh-keygen is missing (install openssh-client; scripts/ensure-test-deps.sh does it as root)';
  if (!existsSync('/usr/sbin/useradd')) return '/usr/sbin/useradd is missing (the SFTP tests create throwaway users with shadow-utils)';
  if (process.getuid?.() !== 0) return 'the SFTP tests create throwaway system users and run sshd, which needs root';
  return undefined;
}

/** A port nothing listens on right now (the kernel picks it, so it is free and high). */
export async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port was assigned');
  return address.port;
}

async function waitForPort(port: number, daemon: ChildProcess, log: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    if (daemon.exitCode !== null) break;
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const logged = await readFile(log, 'utf8').catch(() => '');
  throw new Error(`sshd did not start on 127.0.0.1:${port}: ${logged.trim() || `exit code ${daemon.exitCode}`}`);
}

/** Starts sshd with fresh users; call `stop()` (also on failure paths) to remove them. */
export async function startSftpServer(): Promise<TestSftpServer> {
  const reason = sftpServerUnavailable();
  if (reason !== undefined) throw new Error(`No SFTP server can run here: ${reason}`);
  const dir = await mkdtemp(path.join(tmpdir(), 'activator-sshd-'));
  // mkdtemp makes a 0700 folder; the users must be able to reach their home inside it.
  await chmod(dir, 0o755);
  const root = path.join(dir, 'home');
  const suffix = randomBytes(4).toString('hex');
  const passwordUser = `actpw${suffix}`;
  const keyUser = `actkey${suffix}`;
  const password = randomBytes(12).toString('base64url');
  const created: string[] = [];
  let daemon: ChildProcess | undefined;
  const stop = async () => {
    if (daemon !== undefined && daemon.exitCode === null) {
      // Sessions outlive the listener: a client that was killed or leaked would keep writing into removed files.
      for (const pid of await descendantsOf(daemon.pid ?? -1)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
      const exited = new Promise((resolve) => daemon?.once('exit', resolve));
      daemon.kill('SIGTERM');
      await exited;
    }
    // -f: a session process of a killed client may still be exiting.
    const leftovers: string[] = [];
    for (const user of created.reverse()) await runAccountTool('userdel', ['-f', user]).catch((error: Error) => leftovers.push(error.message));
    created.length = 0;
    await rm(dir, { recursive: true, force: true });
    if (leftovers.length > 0) throw new Error(`The SFTP test users could not be removed: ${leftovers.join('; ')}`);
  };
  try {
    await mkdir(root);
    await runAccountTool('useradd', ['-M', '-d', root, '-s', '/usr/sbin/nologin', passwordUser]);
    created.push(passwordUser);
    const uid = Number((await run('id', ['-u', passwordUser])).stdout.trim());
    const gid = Number((await run('id', ['-g', passwordUser])).stdout.trim());
    // The key user shares the uid (useradd -o), so both users can replace each other's files in the shared home.
    await runAccountTool('useradd', ['-M', '-o', '-u', String(uid), '-g', String(gid), '-d', root, '-s', '/usr/sbin/nologin', keyUser]);
    created.push(keyUser);
    await runAccountTool('chpasswd', [], `${passwordUser}:${password}\n`);
    // A locked account ('!', useradd's default) is refused when PAM is off; '*' only disables password login.
    await runAccountTool('usermod', ['-p', '*', keyUser]);
    await chown(root, uid, gid);
    await chmod(root, 0o755);

    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'activator-test-host', '-f', path.join(dir, 'host_key')]);
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'activator-test-user', '-f', path.join(dir, 'user_key')]);
    const hostKeyFingerprint = (await run('ssh-keygen', ['-lf', path.join(dir, 'host_key.pub')])).stdout.split(' ')[1] ?? '';
    const publicKey = (await readFile(path.join(dir, 'user_key.pub'), 'utf8')).trim();
    const privateKeyPem = await readFile(path.join(dir, 'user_key'), 'utf8');
    const authorizedKeys = path.join(dir, 'authorized_keys');
    // Read by sshd as the target user: world-readable, outside the home so listings stay clean.
    await writeFile(authorizedKeys, `${publicKey}\n`, { mode: 0o644 });

    const port = await freeLoopbackPort();
    const config = path.join(dir, 'sshd_config');
    const log = path.join(dir, 'sshd.log');
    await writeFile(
      config,
      [
        `Port ${port}`,
        'ListenAddress 127.0.0.1',
        `HostKey ${path.join(dir, 'host_key')}`,
        `PidFile ${path.join(dir, 'sshd.pid')}`,
        `AuthorizedKeysFile ${authorizedKeys}`,
        'UsePAM no',
        'StrictModes no',
        'PasswordAuthentication yes',
        'KbdInteractiveAuthentication no',
        'PubkeyAuthentication yes',
        'PermitRootLogin no',
        `AllowUsers ${passwordUser} ${keyUser}`,
        'Subsystem sftp internal-sftp',
        'ForceCommand internal-sftp',
        'LogLevel VERBOSE',
        '',
      ].join('\n'),
    );
    await mkdir('/run/sshd', { recursive: true });
    daemon = spawn(SSHD, ['-D', '-f', config, '-E', log], { stdio: 'ignore' });
    await waitForPort(port, daemon, log);

    const signalSessions = async (signal: NodeJS.Signals) => {
      for (const pid of await descendantsOf(daemon?.pid ?? -1)) {
        try {
          process.kill(pid, signal);
        } catch {
          // Already gone.
        }
      }
    };
    const server: TestSftpServer = {
      host: '127.0.0.1',
      port,
      users: {
        password: { username: passwordUser, password },
        key: { username: keyUser, privateKeyPem, publicKey, privateKeyFile: path.join(dir, 'user_key') },
      },
      root,
      hostKeyFingerprint,
      uid,
      gid,
      log: () => readFile(log, 'utf8'),
      dropConnections: () => signalSessions('SIGTERM'),
      signalSessions,
      authorize: (line) => appendFile(authorizedKeys, `${line.trim()}\n`),
      target: (overrides) => ({
        kind: 'sftp',
        host: '127.0.0.1',
        port,
        username: passwordUser,
        auth: { type: 'password', password },
        ...overrides,
      }),
      stop,
    };
    return server;
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The processes below `pid` (children, grandchildren…), read from /proc. */
async function descendantsOf(pid: number): Promise<number[]> {
  const parents = new Map<number, number>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // Fields after the parenthesised command name: state, ppid, …
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (Number.isInteger(ppid)) parents.set(Number(entry), ppid);
  }
  const found: number[] = [];
  const walk = (parent: number) => {
    for (const [child, ppid] of parents) {
      if (ppid === parent) {
        found.push(child);
        walk(child);
      }
    }
  };
  walk(pid);
  return found;
}

/** Runs `body` with a started server and always stops it. */
export async function withSftpServer<T>(body: (server: TestSftpServer) => Promise<T>): Promise<T> {
  const server = await startSftpServer();
  try {
    return await body(server);
  } finally {
    await server.stop();
  }
}

/** Every file under `dir`, `/`-separated relative names (folders themselves are not listed). */
async function filesUnder(dir: string, prefix = ''): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const names: string[] = [];
  for (const entry of entries) {
    if (entry.isDirectory()) names.push(...(await filesUnder(path.join(dir, entry.name), `${prefix}${entry.name}/`)));
    else names.push(`${prefix}${entry.name}`);
  }
  return names.sort();
}

export const sftpEnvironment: ConnectorEnvironmentProvider = {
  name: 'sftp',
  unavailable: sftpServerUnavailable,
  async start(): Promise<ConnectorEnvironment> {
    const server = await startSftpServer();
    const target = server.target({ hostKeyFingerprint: server.hostKeyFingerprint });
    const closedPort = await freeLoopbackPort().catch(async (error: unknown) => {
      await server.stop();
      throw error;
    });
    return {
      target,
      badCredentials: server.target({ auth: { type: 'password', password: 'wrong-secret' } }),
      // SFTP has no bucket or root to be missing: folders are created under the login's home, and a home that does
      // not exist makes sshd start the session in "/" instead (writes there fail with PERMISSION_DENIED, not NOT_FOUND).
      // NOT_FOUND for a folder path that cannot be created is covered in sftp-connector.test.ts.
      unreachable: { ...target, port: closedPort },
      async readBack(folder, name) {
        return readFile(path.join(server.root, folder, name)).catch(() => undefined);
      },
      listAll: () => filesUnder(server.root),
      pendingUploads: () => Promise.resolve([]),
      stop: () => server.stop(),
    };
  },
};
