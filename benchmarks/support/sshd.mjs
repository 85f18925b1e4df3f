// An OpenSSH sshd on 127.0.0.1 for benchmarks (STACK.md recipe): a temporary config, host key, user and SFTP root.
//
// The user logs in with a fresh Ed25519 key only (no password); `ForceCommand internal-sftp` gives it SFTP and
// nothing else. Paths are relative to its home (`root`), which it owns. `stop()` kills sshd by its PID, deletes the
// user and removes every temporary file; it is idempotent. Needs root (useradd, sshd) and Debian's openssh-server.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const SSHD = '/usr/sbin/sshd';

/** Why sshd cannot run here, or undefined when it can. */
export function sshdUnavailable() {
  if (!existsSync(SSHD)) return `${SSHD} is missing: install it with \`apt-get install -y openssh-server\``;
  if (process.getuid?.() !== 0) return 'starting a test sshd needs root (it creates a temporary user with useradd)';
  for (const tool of ['ssh-keygen', 'sftp', 'useradd']) {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    } catch {
      return `${tool} is missing: install it with \`apt-get install -y openssh-client openssh-server passwd\``;
    }
  }
  return undefined;
}

/**
 * Starts sshd and resolves once it accepts connections.
 * @returns `{ host, port, username, root, privateKey, privateKeyFile, hostKeyFingerprint, sftpArgs, stop }` where
 *   `sftpArgs` are the `sftp` options that log in non-interactively (append the batch options and the destination).
 */
export async function startSshd() {
  const unavailable = sshdUnavailable();
  if (unavailable !== undefined) throw new Error(`cannot start sshd: ${unavailable}`);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'activator-bench-sshd-'));
  chmodSync(dir, 0o755);
  const username = `abench${randomBytes(3).toString('hex')}`;
  const root = path.join(dir, 'home');
  let child;
  let userCreated = false;
  const stop = async () => {
    if (child !== undefined && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    child = undefined;
    if (userCreated) {
      // -f: a session process may still be exiting; -r is not used: its home is removed with `dir` below.
      execFileSync('userdel', ['-f', username], { stdio: 'ignore' });
      userCreated = false;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    // A uid of our own: other test helpers delete their users while session processes still hold their uids, so the
    // next free uid useradd would pick may already be some other process's.
    execFileSync('useradd', ['-M', '-d', root, '-s', '/usr/sbin/nologin', '-u', String(unusedUid()), username]);
    userCreated = true;
    // A locked account ('!') is refused when PAM is off; '*' allows key logins only.
    execFileSync('usermod', ['-p', '*', username]);
    const uid = Number(execFileSync('id', ['-u', username], { encoding: 'utf8' }));
    const gid = Number(execFileSync('id', ['-g', username], { encoding: 'utf8' }));
    mkdirSync(root);
    chownSync(root, uid, gid);
    const hostKey = path.join(dir, 'host_ed25519');
    const userKey = path.join(dir, 'user_ed25519');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKey]);
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', userKey]);
    const authorizedKeys = path.join(dir, 'authorized_keys');
    writeFileSync(authorizedKeys, readFileSync(`${userKey}.pub`));
    chmodSync(authorizedKeys, 0o644);
    const hostKeyFingerprint = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${hostKey}.pub`], { encoding: 'utf8' }).split(' ')[1];
    const port = await freePort();
    const config = path.join(dir, 'sshd_config');
    writeFileSync(
      config,
      [
        `Port ${port}`, 'ListenAddress 127.0.0.1', `HostKey ${hostKey}`, `PidFile ${path.join(dir, 'sshd.pid')}`,
        `AuthorizedKeysFile ${authorizedKeys}`, 'PasswordAuthentication no', 'KbdInteractiveAuthentication no', 'PubkeyAuthentication yes',
        'UsePAM no', 'StrictModes no', `AllowUsers ${username}`, 'Subsystem sftp internal-sftp', 'ForceCommand internal-sftp',
        'MaxStartups 100', 'MaxSessions 100', '',
      ].join('\n'),
    );
    mkdirSync('/run/sshd', { recursive: true });
    child = spawn(SSHD, ['-D', '-f', config, '-E', path.join(dir, 'sshd.log')], { stdio: 'ignore' });
    await waitForPort(port, child, path.join(dir, 'sshd.log'));
    return {
      host: '127.0.0.1', port, username, root, privateKeyFile: userKey, privateKey: readFileSync(userKey, 'utf8'), hostKeyFingerprint,
      sftpArgs: ['-q', '-P', String(port), '-i', userKey, '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR'],
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** A uid in 42000–59999 (below useradd's UID_MAX) that neither a user nor a running process has. */
function unusedUid() {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const uid = 42_000 + randomInt(18_000);
    const taken = (command, args) => {
      try {
        return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() !== '';
      } catch {
        return false;
      }
    };
    if (!taken('getent', ['passwd', String(uid)]) && !taken('ps', ['-o', 'pid=', '-u', String(uid)])) return uid;
  }
  throw new Error('no unused uid found for the sshd test user');
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port, child, log) {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`sshd exited with ${child.exitCode}: ${existsSync(log) ? readFileSync(log, 'utf8') : 'no log'}`);
    const open = await new Promise((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.end();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`sshd did not listen on 127.0.0.1:${port} within 10 s`);
}
