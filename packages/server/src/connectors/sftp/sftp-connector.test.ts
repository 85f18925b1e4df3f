// The SFTP connector against a real OpenSSH sshd on loopback: every accepted key format, host key pinning, permission
// and path failures, timeouts, one connection per connector, and listings checked with OpenSSH's own `sftp` client.
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ed25519PublicKeyLine, sshKeygenKey } from '../../../test/support/ssh-keys.js';
import { sftpServerUnavailable, startSftpServer, type TestSftpServer } from '../../../test/support/with-sftp-server.js';
import { ConnectorError, type Connector, type SftpTarget } from '../connector.js';
import { openSftpConnector } from './sftp-connector.js';

const settings = { callTimeoutMs: 20_000 };
const reason = sftpServerUnavailable();

async function failureOf(promise: Promise<unknown>): Promise<ConnectorError> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(outcome).toBeInstanceOf(ConnectorError);
  return outcome as ConnectorError;
}

/** Opens a connector, runs `body`, closes it. */
async function using<T>(target: SftpTarget, body: (connector: Connector) => Promise<T>): Promise<T> {
  const connector = openSftpConnector(target, settings);
  try {
    return await body(connector);
  } finally {
    await connector.close();
  }
}

async function put(connector: Connector, folder: string, name: string, data: Buffer) {
  const upload = await connector.beginUpload({ folder, name });
  await upload.write(Readable.from([data]));
  return upload.publish();
}

describe.skipIf(reason !== undefined)(`SFTP connector on OpenSSH${reason === undefined ? '' : ` (skipped: ${reason})`}`, () => {
  let server: TestSftpServer;
  let keys: string;

  beforeAll(async () => {
    server = await startSftpServer();
    keys = mkdtempSync(path.join(tmpdir(), 'activator-sftp-keys-'));
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    if (keys !== undefined) rmSync(keys, { recursive: true, force: true });
  });

  const keyTarget = (privateKey: string, overrides: Partial<SftpTarget> = {}): SftpTarget =>
    server.target({ username: server.users.key.username, auth: { type: 'key', privateKey }, ...overrides });

  /** sshd's log after `before` once it contains `pattern` (sshd writes it as the connection ends). */
  async function logAfter(before: string, pattern: RegExp): Promise<string> {
    for (let attempt = 0; attempt < 100; attempt += 1) {
      const after = (await server.log()).slice(before.length);
      if (pattern.test(after)) return after;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`sshd never logged ${pattern}: ${(await server.log()).slice(before.length)}`);
  }

  /** The key user's listing of `folder` by OpenSSH's sftp client in batch mode: file names with their sizes. */
  function listWithOpenSsh(folder: string): string[] {
    const output = execFileSync(
      'sftp',
      ['-b', '-', '-i', server.users.key.privateKeyFile, '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR', '-P', String(server.port), `${server.users.key.username}@127.0.0.1`],
      { input: `cd "${folder}"\nls -la\n` },
    ).toString();
    return output
      .split('\n')
      .filter((line) => line.startsWith('-'))
      .map((line) => {
        const fields = line.trim().split(/\s+/);
        return `${fields.slice(8).join(' ')} ${fields[4]}`;
      })
      .sort();
  }

  it.each([
    ['an OpenSSH Ed25519 key', () => sshKeygenKey(keys, 'ed25519', 'OPENSSH')],
    ['an OpenSSH RSA key', () => sshKeygenKey(keys, 'rsa', 'OPENSSH')],
    ['a PEM PKCS#1 RSA key', () => sshKeygenKey(keys, 'rsa', 'PEM')],
    ['a PKCS#8 RSA key', () => sshKeygenKey(keys, 'rsa', 'PKCS8')],
    ['a PKCS#8 ECDSA key', () => sshKeygenKey(keys, 'ecdsa', 'PKCS8')],
    [
      'a PKCS#8 Ed25519 key',
      () => {
        const pair = generateKeyPairSync('ed25519');
        return { privateKey: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), publicKey: ed25519PublicKeyLine(pair.publicKey) };
      },
    ],
  ])('logs in with %s and publishes a file', async (what, make) => {
    const { privateKey, publicKey } = make();
    await server.authorize(publicKey);
    const data = randomBytes(70_000);
    const name = `${what.replace(/[^a-z0-9]+/gi, '-')}.bin`;
    const published = await using(keyTarget(privateKey), (connector) => put(connector, 'keys', name, data));
    expect(published).toEqual({ folder: 'keys', name, size: data.length });
    expect(execFileSync('cat', [path.join(server.root, 'keys', name)]).equals(data)).toBe(true);
  });

  it('refuses a key it cannot use with INVALID_CONFIGURATION, listing the accepted formats and never the key', async () => {
    const encrypted = sshKeygenKey(keys, 'ed25519', 'OPENSSH', 'a passphrase').privateKey;
    const error = await failureOf(using(keyTarget(encrypted), (connector) => connector.checkConnection()));
    expect(error.code).toBe('INVALID_CONFIGURATION');
    expect(error.message).toContain(`sftp://127.0.0.1:${server.port}/`);
    expect(error.message).toContain('BEGIN PRIVATE KEY');
    expect(error.message).toMatch(/passphrase/);
    expect(error.message).not.toContain(encrypted.split('\n')[1]?.slice(0, 20));
  });

  it('reports a key the server does not know as AUTH_FAILED', async () => {
    const stranger = sshKeygenKey(keys, 'ed25519', 'OPENSSH').privateKey;
    const error = await failureOf(using(keyTarget(stranger), (connector) => connector.checkConnection()));
    expect(error.code).toBe('AUTH_FAILED');
    expect(error.message).toContain(server.users.key.username);
  });

  it('reports the host key fingerprint that ssh-keygen prints, pinned or not', async () => {
    expect(await using(server.target(), (connector) => connector.checkConnection())).toEqual({ hostKeyFingerprint: server.hostKeyFingerprint });
    const pinned = server.target({ hostKeyFingerprint: server.hostKeyFingerprint });
    expect(await using(pinned, (connector) => connector.checkConnection())).toEqual({ hostKeyFingerprint: server.hostKeyFingerprint });
  });

  it('refuses a host key other than the pinned one with HOST_KEY_MISMATCH, before logging in and without writing', async () => {
    const other = `SHA256:${randomBytes(32).toString('base64').replace(/=+$/, '')}`;
    const before = await server.log();
    const error = await failureOf(
      using(server.target({ hostKeyFingerprint: other }), async (connector) => {
        const upload = await connector.beginUpload({ folder: 'pinned', name: 'never.csv' });
        await upload.write(Readable.from([Buffer.from('x')]));
        await upload.publish();
      }),
    );
    expect(error.code).toBe('HOST_KEY_MISMATCH');
    expect(error.transient).toBe(false);
    expect(error.hostKey).toEqual({ expected: other, actual: server.hostKeyFingerprint });
    expect(error.message).toContain(`SFTP host key mismatch: expected ${other}, got ${server.hostKeyFingerprint}`);
    expect(() => statSync(path.join(server.root, 'pinned'))).toThrow();
    // The password was never offered: sshd logged the end of that connection and no authentication attempt.
    const during = await logAfter(before, /(?:Disconnected from|Connection (?:closed|reset) by) .*127\.0\.0\.1 port \d+/);
    expect(during).toContain('[preauth]');
    expect(during).not.toContain(server.users.password.username);
  });

  it('reports a folder the user may not write as PERMISSION_DENIED, naming the location and no secret', async () => {
    const readOnly = path.join(server.root, 'read-only');
    mkdirSync(readOnly);
    chownSync(readOnly, server.uid, server.gid);
    chmodSync(readOnly, 0o555);
    await using(server.target(), async (connector) => {
      const direct = await failureOf(connector.beginUpload({ folder: 'read-only', name: 'a.csv' }));
      expect(direct.code).toBe('PERMISSION_DENIED');
      expect(direct.transient).toBe(false);
      expect(direct.message).toContain(`sftp://127.0.0.1:${server.port}/read-only/.a.csv.part`);
      expect(direct.message).not.toContain(server.users.password.password);
      const nested = await failureOf(connector.beginUpload({ folder: 'read-only/sub', name: 'a.csv' }));
      expect(nested.code).toBe('PERMISSION_DENIED');
      expect(nested.message).toContain(`sftp://127.0.0.1:${server.port}/read-only/sub/`);
    });
    expect(execFileSync('ls', ['-A', readOnly]).toString()).toBe('');
  });

  it('reports a folder path through a file as NOT_FOUND', async () => {
    writeFileSync(path.join(server.root, 'plain-file'), 'x');
    const error = await failureOf(using(server.target(), (connector) => connector.beginUpload({ folder: 'plain-file/sub', name: 'a.csv' })));
    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toContain(`sftp://127.0.0.1:${server.port}/plain-file`);
  });

  it('publishes a file that OpenSSH sftp lists with its size, with no temporary file left', async () => {
    const data = randomBytes(123_457);
    await using(server.target(), (connector) => put(connector, 'cli check', 'audience 1.csv', data));
    expect(listWithOpenSsh('cli check')).toEqual([`audience 1.csv ${data.length}`]);
  });

  it('lists names, sizes and modification times, flagging an unfinished upload as temporary', async () => {
    await using(server.target(), async (connector) => {
      await put(connector, 'listing', 'b.csv', Buffer.from('12345'));
      await put(connector, 'listing/nested', 'ignored.csv', Buffer.from('x'));
      const pending = await connector.beginUpload({ folder: 'listing', name: 'a.csv' });
      await pending.write(Readable.from([Buffer.from('abc')]));
      const mtime = (name: string) => Math.floor(statSync(path.join(server.root, 'listing', name)).mtimeMs / 1000) * 1000;
      expect(await connector.list('listing')).toEqual([
        { name: '.a.csv.part', size: 3, modifiedAt: mtime('.a.csv.part'), temporary: true },
        { name: 'b.csv', size: 5, modifiedAt: mtime('b.csv'), temporary: false },
      ]);
      await pending.abort();
      expect((await connector.list('listing')).map((file) => file.name)).toEqual(['b.csv']);
    });
  });

  it('refuses to publish an upload whose temporary file a later upload of the same name replaced, and publishes the later one', async () => {
    await using(server.target(), async (connector) => {
      const first = await connector.beginUpload({ folder: 'overlap', name: 'same.csv' });
      await first.write(Readable.from([Buffer.from('first upload, complete\n')]));
      const second = await connector.beginUpload({ folder: 'overlap', name: 'same.csv' });
      const error = await failureOf(first.publish());
      expect(error.code).toBe('SERVER_ERROR');
      expect(() => statSync(path.join(server.root, 'overlap', 'same.csv'))).toThrow();
      await first.abort();
      expect(execFileSync('ls', ['-A', path.join(server.root, 'overlap')]).toString()).toBe('.same.csv.part\n');
      await second.write(Readable.from([Buffer.from('second\n')]));
      await second.publish();
      expect(execFileSync('cat', [path.join(server.root, 'overlap', 'same.csv')]).toString()).toBe('second\n');
    });
  });

  it('writes at the top of the home folder when the folder is empty', async () => {
    await using(server.target(), (connector) => put(connector, '', 'top.txt', Buffer.from('top')));
    expect(execFileSync('cat', [path.join(server.root, 'top.txt')]).toString()).toBe('top');
  });

  it('uses one SSH connection for all the calls of a connector', async () => {
    const before = await server.log();
    await using(server.target(), async (connector) => {
      await connector.checkConnection();
      await put(connector, 'one-connection', 'a.csv', Buffer.from('a'));
      await put(connector, 'one-connection', 'b.csv', Buffer.from('b'));
      await connector.list('one-connection');
      await connector.delete({ folder: 'one-connection', name: 'a.csv' });
    });
    const logins = (await server.log()).slice(before.length).match(/Accepted password for /g) ?? [];
    expect(logins).toHaveLength(1);
  });

  it('connects lazily: opening and closing a connector makes no connection', async () => {
    const before = await server.log();
    await using(server.target(), () => Promise.resolve());
    expect((await server.log()).slice(before.length)).not.toContain('Connection from');
  });

  it('reports a server that never answers as TIMEOUT, a transient failure', async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = silent.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    try {
      const connector = openSftpConnector(server.target({ port }), { callTimeoutMs: 300 });
      const error = await failureOf(connector.checkConnection());
      await connector.close();
      expect(error.code).toBe('TIMEOUT');
      expect(error.transient).toBe(true);
      expect(error.message).toContain(`sftp://127.0.0.1:${port}/`);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('reports a request the server stops answering as TIMEOUT, and the next call opens a new connection', async () => {
    const connector = openSftpConnector(server.target(), { callTimeoutMs: 1_000 });
    try {
      await connector.checkConnection();
      await server.signalSessions('SIGSTOP');
      const error = await failureOf(connector.list('')).finally(() => server.signalSessions('SIGCONT'));
      expect(error.code).toBe('TIMEOUT');
      expect(error.transient).toBe(true);
      expect(error.message).toContain(`sftp://127.0.0.1:${server.port}/ did not answer within 1 s`);
      await put(connector, 'after-timeout', 'a.csv', Buffer.from('a'));
      expect(execFileSync('cat', [path.join(server.root, 'after-timeout', 'a.csv')]).toString()).toBe('a');
    } finally {
      await connector.close();
    }
  });

  it('reports an unknown host name as UNREACHABLE', async () => {
    const error = await failureOf(using(server.target({ host: 'no-such-host.invalid' }), (connector) => connector.checkConnection()));
    expect(error.code).toBe('UNREACHABLE');
    expect(error.message).toContain('"no-such-host.invalid"');
  });

  it('fails a write as UNREACHABLE (transient) when the connection drops, and the next call reconnects', async () => {
    await using(server.target(), async (connector) => {
      const upload = await connector.beginUpload({ folder: 'dropped', name: 'cut.bin' });
      async function* body() {
        yield randomBytes(1024 * 1024);
        await server.dropConnections();
        for (let chunk = 0; chunk < 400; chunk += 1) yield randomBytes(256 * 1024);
      }
      const error = await failureOf(upload.write(body()));
      expect(error.code).toBe('UNREACHABLE');
      expect(error.transient).toBe(true);
      await upload.abort();
      const data = randomBytes(50_000);
      await put(connector, 'dropped', 'again.bin', data);
      expect(execFileSync('cat', [path.join(server.root, 'dropped', 'again.bin')]).equals(data)).toBe(true);
    });
    expect(() => statSync(path.join(server.root, 'dropped', 'cut.bin'))).toThrow();
  });

  it('pulls the body only as fast as the server writes it (at most 2 MiB in flight), so memory stays bounded', async () => {
    const chunk = 1024 * 1024;
    let yielded = 0;
    let furthestAhead = 0;
    const part = path.join(server.root, 'bounded', '.big.bin.part');
    async function* body() {
      for (let index = 0; index < 48; index += 1) {
        if (index > 0) furthestAhead = Math.max(furthestAhead, yielded - statSync(part).size);
        yielded += chunk;
        yield Buffer.alloc(chunk, index);
        // Let the event loop deliver acknowledgements, as a real producer (DuckDB, gzip) does between chunks.
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    await using(server.target(), async (connector) => {
      const upload = await connector.beginUpload({ folder: 'bounded', name: 'big.bin' });
      await upload.write(body());
      await upload.publish();
    });
    expect(statSync(path.join(server.root, 'bounded', 'big.bin')).size).toBe(48 * chunk);
    expect(furthestAhead).toBeLessThanOrEqual(2 * chunk + chunk);
  }, 60_000);

  it('stops a call when its signal aborts, without ending the connection other calls share', async () => {
    await using(server.target(), async (connector) => {
      const controller = new AbortController();
      const cancelled = connector.list('', { signal: controller.signal });
      const other = connector.checkConnection();
      controller.abort(new Error('the run was cancelled'));
      await expect(cancelled).rejects.toThrow('the run was cancelled');
      // The connection both calls share was not torn down by the cancelled one.
      expect(await other).toEqual({ hostKeyFingerprint: server.hostKeyFingerprint });
    });
  });
});
