// The connection test (SPEC §6.7) against the real landing-zone connector on a temporary data directory.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createConnectorFactory } from '../../connectors/connector-factory.js';
import type { Connector, ConnectorFactory } from '../../connectors/connector.js';
import { AppError } from '../../errors.js';
import type { SandboxScopedStore } from '../../storage/store.js';
import { ConnectionTestService, probeContent, SPECIFY_TARGET_MESSAGE, type ConnectionTestDeps } from './connection-test-service.js';
import type { BaseConnection, TargetConnection } from './connection-types.js';
import { resourceNotFound } from './entity-documents.js';
import { TargetConnectionService } from './target-connection-service.js';

const DLZ = '10440537-2a7b-4583-ac39-ed38d4b848e8';
const SCOPE = { sandboxId: 'sandbox-1' } as unknown as SandboxScopedStore;
const STAMP = { createdAt: 0, updatedAt: 0, createdBy: 't', updatedBy: 't', createdClient: 't', updatedClient: 't' };
const CSV = { delimiter: ',', quote: '"', escape: '\\', nullValue: '', emptyValue: '', header: true, quoteAll: false } as const;

function dlzBase(id: string): BaseConnection {
  return { ...STAMP, id, sandboxId: 'sandbox-1', name: id, description: '', connectionSpecId: DLZ, authSpecName: undefined, authParams: {}, state: 'enabled', etag: '"1"' };
}

function dlzTarget(id: string, baseConnectionId: string, targetPath: string): TargetConnection {
  return {
    ...STAMP, id, sandboxId: 'sandbox-1', name: id, description: '', connectionSpecId: DLZ, baseConnectionId, state: 'enabled', etag: '"1"',
    params: { path: targetPath, fileType: 'CSV', compression: 'NONE', csvOptions: CSV, includeFileManifest: false },
  };
}

/** These tests send no PGP key; the key checker itself is tested in security/. */
const noPgpKeys = { findProblem: () => Promise.resolve(undefined) };

/** Base and target connections held in memory; params are validated by the real target connection rules. */
class Connections {
  readonly bases = new Map<string, BaseConnection>();
  readonly targetList: TargetConnection[] = [];
  private readonly validator = new TargetConnectionService({ ids: { uuid: () => 'unused' }, maxFileRows: 5_000_000, pgpKeyChecker: noPgpKeys });

  deps(): Pick<ConnectionTestDeps, 'bases' | 'targets'> {
    return {
      bases: {
        get: (_scope, id) => {
          const base = this.bases.get(id);
          return base === undefined ? Promise.reject(resourceNotFound('connections', id)) : Promise.resolve(base);
        },
      },
      targets: {
        find: (_scope, id) => Promise.resolve(this.targetList.find((t) => t.id === id)),
        list: () => Promise.resolve([...this.targetList]),
        validateParams: (base, params) => this.validator.validateParams(base, params),
      },
    };
  }
}

/** Sequential UUIDs, so a test knows the probe's name in advance. */
function sequentialIds() {
  let next = 0;
  return { uuid: () => `00000000-0000-4000-8000-${String(++next).padStart(12, '0')}` };
}

/** The real factory, with a spy on what each opened connector was asked to do. */
function spiedFactory(calls: string[], breakDelete = false, stallWrite = false): ConnectorFactory {
  const real = createConnectorFactory({ callTimeoutMs: 5_000 });
  return {
    open(target) {
      const connector = real.open(target);
      const spied: Connector = {
        capabilities: connector.capabilities,
        describe: (folder) => connector.describe(folder),
        checkConnection: (options) => (calls.push('checkConnection'), connector.checkConnection(options)),
        beginUpload: async (location, options) => {
          calls.push(`beginUpload ${location.folder}/${location.name}`);
          const upload = await connector.beginUpload(location, options);
          if (!stallWrite) return upload;
          // Stands for a destination that stops answering mid-write (neither real connector can be made to stall here).
          return { write: () => new Promise<never>(() => undefined), publish: () => upload.publish(), abort: () => (calls.push('abort'), upload.abort()) };
        },
        delete: (location, options) => {
          calls.push(`delete ${location.folder}/${location.name}`);
          // Stands for a bug in Activator's own code: no real connector throws anything but a ConnectorError.
          if (breakDelete) throw new TypeError("Cannot read properties of undefined (reading 'internalDetail')");
          return connector.delete(location, options);
        },
        list: (folder, options) => connector.list(folder, options),
        close: () => (calls.push('close'), connector.close()),
      };
      return spied;
    },
  };
}

function expectAppError(promise: Promise<unknown>, familyCode: string, message: string): Promise<void> {
  return expect(promise).rejects.toSatisfy((error: unknown) => {
    expect(error).toBeInstanceOf(AppError);
    expect({ familyCode: (error as AppError).familyCode, message: (error as AppError).message }).toEqual({ familyCode, message });
    return true;
  });
}

/** Whether `chattr +i` works here (ext4 and most local filesystems, as root). */
function immutableFlagWorks(dir: string): boolean {
  try {
    execFileSync('chattr', ['+i', dir], { stdio: 'ignore' });
    execFileSync('chattr', ['-i', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('ConnectionTestService on the landing zone', () => {
  let dataDir: string;
  let connections: Connections;
  let calls: string[];
  let unexpected: Array<{ error: unknown; step: string }>;
  const root = () => path.join(dataDir, 'dlz', 'prod');
  const service = (overrides: Partial<ConnectionTestDeps> = {}) =>
    new ConnectionTestService({ ...connections.deps(), connectors: spiedFactory(calls), clock: { now: () => Date.now() }, ids: sequentialIds(), dataDir, ...overrides });
  const options = { onUnexpectedError: (error: unknown, step: string) => void unexpected.push({ error, step }) };

  beforeEach(() => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'activator-conntest-'));
    connections = new Connections();
    connections.bases.set('base-1', dlzBase('base-1'));
    calls = [];
    unexpected = [];
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('tests the only target connection of the base connection: connect, write, delete, all ok, probe gone', async () => {
    connections.targetList.push(dlzTarget('target-1', 'base-1', 'exports/%SEGMENT_NAME%/%SEGMENT_ID%'));
    const report = await service().test(SCOPE, 'prod', 'base-1', {}, options);
    expect({ ...report, steps: report.steps.map(({ step, status }) => ({ step, status })) }).toEqual({
      result: true, location: 'dlz:///exports/',
      steps: [{ step: 'connect', status: 'ok' }, { step: 'write', status: 'ok' }, { step: 'delete', status: 'ok' }],
    });
    const probe = 'exports/activator-probe-00000000-0000-4000-8000-000000000001.txt';
    expect(calls).toEqual(['checkConnection', `beginUpload ${probe}`, `delete ${probe}`, 'close']);
    expect(readdirSync(path.join(root(), 'exports'))).toEqual([]);
    expect(unexpected).toEqual([]);
  });

  it('tests unsaved params sent in the body, validated like a target connection', async () => {
    const report = await service().test(SCOPE, 'prod', 'base-1', { params: { path: 'crm/%SEGMENT_ID%' } }, options);
    expect(report.result).toBe(true);
    expect(report.location).toBe('dlz:///crm/');
    await expectAppError(
      service().test(SCOPE, 'prod', 'base-1', { params: { path: 'a/../b' } }),
      'FLOW-1420-400', "params.path must not contain a '..' folder",
    );
  });

  it('tests the target connection named in the body when the base connection has several', async () => {
    connections.targetList.push(dlzTarget('target-1', 'base-1', 'one'), dlzTarget('target-2', 'base-1', 'two'));
    const report = await service().test(SCOPE, 'prod', 'base-1', { targetConnectionId: 'target-2' }, options);
    expect(report.location).toBe('dlz:///two/');
    expect(report.result).toBe(true);
  });

  it('answers FLOW-1420-400 "Specify targetConnectionId or params" without a body when there are no or several target connections', async () => {
    await expectAppError(service().test(SCOPE, 'prod', 'base-1', {}), 'FLOW-1420-400', SPECIFY_TARGET_MESSAGE);
    connections.targetList.push(dlzTarget('target-1', 'base-1', 'one'), dlzTarget('target-2', 'base-1', 'two'));
    await expectAppError(service().test(SCOPE, 'prod', 'base-1', {}), 'FLOW-1420-400', 'Specify targetConnectionId or params');
    expect(calls).toEqual([]);
  });

  it('refuses both a target connection and params, and a target connection of another base connection', async () => {
    connections.bases.set('base-2', dlzBase('base-2'));
    connections.targetList.push(dlzTarget('target-2', 'base-2', 'two'));
    await expectAppError(service().test(SCOPE, 'prod', 'base-1', { targetConnectionId: 'target-2', params: {} }), 'FLOW-1420-400', 'Send either targetConnectionId or params, not both');
    await expectAppError(
      service().test(SCOPE, 'prod', 'base-1', { targetConnectionId: 'target-2' }),
      'FLOW-1420-400', 'Target connection target-2 uses base connection base-2, not base-1; test it with POST /connections/base-2/test',
    );
  });

  it('answers an unknown base or target connection with FLOW-1439-404 naming it', async () => {
    await expectAppError(service().test(SCOPE, 'prod', 'nope', {}), 'FLOW-1439-404', 'The requested connections resource nope is not found. Verify the resource ID before trying again.');
    await expectAppError(
      service().test(SCOPE, 'prod', 'base-1', { targetConnectionId: 'gone' }),
      'FLOW-1439-404', 'The requested targetConnections resource gone is not found. Verify the resource ID before trying again.',
    );
  });

  it('reports a folder the landing zone may not write to as PERMISSION_DENIED at the write step', async (context) => {
    mkdirSync(path.join(root(), 'locked'), { recursive: true });
    if (!immutableFlagWorks(path.join(root(), 'locked'))) context.skip('chattr +i is not available on this filesystem, so no folder can refuse writes to root');
    execFileSync('chattr', ['+i', path.join(root(), 'locked')]);
    try {
      const report = await service().test(SCOPE, 'prod', 'base-1', { params: { path: 'locked' } }, options);
      expect(report.result).toBe(false);
      expect(report.steps.map(({ step, status }) => `${step} ${status}`)).toEqual(['connect ok', 'write failed']);
      expect(report.error?.code).toBe('PERMISSION_DENIED');
      expect(report.error?.message).toContain('dlz:///locked/');
      expect(calls.at(-1)).toBe('close');
    } finally {
      execFileSync('chattr', ['-i', path.join(root(), 'locked')]);
    }
  });

  it('reports a file standing where the folder should be as INVALID_CONFIGURATION at the write step', async () => {
    mkdirSync(root(), { recursive: true });
    writeFileSync(path.join(root(), 'taken'), 'not a folder');
    const report = await service().test(SCOPE, 'prod', 'base-1', { params: { path: 'taken' } }, options);
    expect(report.result).toBe(false);
    expect(report.steps.map(({ step, status }) => `${step} ${status}`)).toEqual(['connect ok', 'write failed']);
    expect(report.error?.code).toBe('INVALID_CONFIGURATION');
    expect(report.error?.message).toContain('dlz:///taken/');
  });

  it('turns an exception of Activator\'s own code into a generic failure, hands it to the log, and still closes the connector', async () => {
    const report = await service({ connectors: spiedFactory(calls, true) }).test(SCOPE, 'prod', 'base-1', { params: { path: 'x' } }, options);
    expect(report).toMatchObject({
      result: false, location: 'dlz:///x/',
      error: {
        code: 'UNREACHABLE',
        message: 'The delete step failed unexpectedly at dlz:///x/. Test again; if it keeps failing, the Activator log has the details. The probe file activator-probe-00000000-0000-4000-8000-000000000001.txt is still in dlz:///x/; delete it by hand.',
      },
    });
    expect(report.steps.map(({ step, status }) => `${step} ${status}`)).toEqual(['connect ok', 'write ok', 'delete failed']);
    expect(unexpected).toHaveLength(1);
    expect(unexpected[0]?.step).toBe('delete');
    expect(unexpected[0]?.error).toBeInstanceOf(TypeError);
    expect(calls.at(-1)).toBe('close');
    // The probe really was written, 64 bytes, under its final name (and nothing temporary is left).
    expect(readdirSync(path.join(root(), 'x'))).toEqual(['activator-probe-00000000-0000-4000-8000-000000000001.txt']);
    expect(readFileSync(path.join(root(), 'x', 'activator-probe-00000000-0000-4000-8000-000000000001.txt'))).toEqual(probeContent('00000000-0000-4000-8000-000000000001'));
  });
});

describe('ConnectionTestService when the destination stops answering during the write', () => {
  it('fails the write step with TIMEOUT, aborts the upload, names the probe that may still appear, and closes the connector', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'activator-conntest-'));
    try {
      const connections = new Connections();
      connections.bases.set('base-1', dlzBase('base-1'));
      const calls: string[] = [];
      const service = new ConnectionTestService({
        ...connections.deps(), connectors: spiedFactory(calls, false, true), clock: { now: () => Date.now() }, ids: sequentialIds(), dataDir, stepTimeoutMs: 200,
      });
      const report = await service.test(SCOPE, 'prod', 'base-1', { params: { path: 'slow' } });
      const probe = 'activator-probe-00000000-0000-4000-8000-000000000001.txt';
      expect({ result: report.result, steps: report.steps.map(({ step, status }) => `${step} ${status}`), error: report.error }).toEqual({
        result: false, steps: ['connect ok', 'write failed'],
        error: {
          code: 'TIMEOUT',
          message: `The write step did not finish within 0.2 seconds at dlz:///slow/. Check that the server answers and is not overloaded, then test again. If ${probe} appears in dlz:///slow/, delete it by hand.`,
        },
      });
      expect(calls).toEqual(['checkConnection', `beginUpload slow/${probe}`, 'abort', 'close']);
      expect(readdirSync(path.join(dataDir, 'dlz', 'prod', 'slow'))).toEqual([]);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('ConnectionTestService on a server that accepts connections and never answers', () => {
  const SFTP = '36965a81-b1c6-401b-99f8-22508f1e6a26';
  let server: Server;
  let port: number;
  const sockets: Socket[] = [];
  const closed: Promise<void>[] = [];

  beforeEach(async () => {
    sockets.length = 0;
    closed.length = 0;
    server = createServer((socket) => {
      // Read (and drop) what the client sends: a paused socket never sees the client's FIN, so 'close' would not fire.
      socket.resume();
      sockets.push(socket);
      closed.push(new Promise((resolve) => socket.once('close', () => resolve())));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  afterEach(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const sftpService = (stepTimeoutMs: number, calls: string[]) => {
    const connections = new Connections();
    connections.bases.set('sftp-1', {
      ...dlzBase('sftp-1'), connectionSpecId: SFTP, authSpecName: 'Basic Authentication for sftp',
      authParams: { domain: '127.0.0.1', port, username: 'nobody', password: 'S3CR3T-never-sent' },
    });
    return new ConnectionTestService({
      ...connections.deps(), connectors: spiedFactory(calls), clock: { now: () => Date.now() }, ids: sequentialIds(), dataDir: os.tmpdir(), stepTimeoutMs,
    });
  };

  it('fails the connect step with TIMEOUT after the step timeout, naming the location, and closes the connector', async () => {
    const calls: string[] = [];
    const report = await sftpService(300, calls).test(SCOPE, 'prod', 'sftp-1', { params: { path: 'in' } });
    expect({ result: report.result, steps: report.steps.map(({ step, status }) => `${step} ${status}`), location: report.location }).toEqual({
      result: false, steps: ['connect failed'], location: `sftp://127.0.0.1:${port}/in/`,
    });
    expect(report.error).toEqual({
      code: 'TIMEOUT',
      message: `The connect step did not finish within 0.3 seconds at sftp://127.0.0.1:${port}/in/. Check that the server answers and is not overloaded, then test again.`,
    });
    expect(calls).toEqual(['checkConnection', 'close']);
    expect(sockets).toHaveLength(1);
  });

  it('closes the TCP connection of the connect step it timed out', async () => {
    await sftpService(300, []).test(SCOPE, 'prod', 'sftp-1', { params: { path: 'in' } });
    await Promise.all(closed);
  });
});

describe('probeContent', () => {
  it('is one line of exactly 64 bytes naming the probe', () => {
    const content = probeContent('4b1f0c2e-8d3a-4f5b-9c6d-7e8f9a0b1c2d');
    expect(content.length).toBe(64);
    expect(content.toString('ascii')).toBe(`${'Activator connection test 4b1f0c2e-8d3a-4f5b-9c6d-7e8f9a0b1c2d'.padEnd(63, ' ')}\n`);
  });
});
