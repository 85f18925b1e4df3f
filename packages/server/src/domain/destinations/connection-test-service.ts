// Tests a destination connection (SPEC §6.7): connect, write a 64-byte probe the way exports write, delete it, and report.
import { Readable } from 'node:stream';
import { ConnectorError, type Connector, type ConnectorFactory, type ConnectorTarget, type FileLocation } from '../../connectors/connector.js';
import { AppError } from '../../errors.js';
import type { SandboxScopedStore } from '../../storage/store.js';
import type { Clock, IdGenerator } from '../runtime.js';
import { decodeBase64Text } from './auth-param-rules.js';
import { secretParamNames } from './auth-params.js';
import type { BaseConnection, TargetConnection, TargetParams } from './connection-types.js';
import {
  settledWithin, StepRunner, testErrorOf, type ConnectionTestError, type ConnectionTestStep, type ConnectionTestStepResult, type TestLocations,
} from './connection-test-steps.js';
import { connectorTargetOf } from './connector-targets.js';
import { resourceNotFound } from './entity-documents.js';

export type { ConnectionTestError, ConnectionTestStep, ConnectionTestStepResult } from './connection-test-steps.js';

/** SPEC §6.7: every step is bounded by 30 seconds. */
export const CONNECTION_TEST_STEP_TIMEOUT_MS = 30_000;
/** SPEC §6.7: the probe's size in bytes. */
export const PROBE_SIZE = 64;
/** The exact message when no target connection can be chosen (SPEC §6.7). */
export const SPECIFY_TARGET_MESSAGE = 'Specify targetConnectionId or params';

/** What to test the base connection against: a saved target connection, unsaved target params, or (neither) its only target. */
export interface ConnectionTestRequest {
  readonly targetConnectionId?: string;
  readonly params?: unknown;
}

/** The report of SPEC §6.7 (the POST answer; the GET answer is its `result`). */
export interface ConnectionTestReport {
  readonly result: boolean;
  readonly steps: readonly ConnectionTestStepResult[];
  /** The folder tested, in the connector's display form (`s3://bucket/path/`). */
  readonly location: string;
  readonly error?: ConnectionTestError;
  /** SFTP: the fingerprint the server presented (`SHA256:<base64>`), reported whether or not one is pinned. */
  readonly hostKeyFingerprint?: string;
}

export interface ConnectionTestOptions {
  /** Called with an exception that is not a ConnectorError (an Activator fault): the report stays generic, the log gets it. */
  readonly onUnexpectedError?: (error: unknown, step: ConnectionTestStep) => void;
}

export interface ConnectionTestDeps {
  readonly bases: { get(scope: SandboxScopedStore, id: string): Promise<BaseConnection> };
  readonly targets: {
    find(scope: SandboxScopedStore, id: string): Promise<TargetConnection | undefined>;
    list(scope: SandboxScopedStore): Promise<TargetConnection[]>;
    validateParams(base: BaseConnection, params: unknown): Promise<TargetParams>;
  };
  readonly connectors: ConnectorFactory;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  /** The landing zone lives at `<dataDir>/dlz/<sandboxName>` (SPEC §6.5). */
  readonly dataDir: string;
  /** Defaults to {@link CONNECTION_TEST_STEP_TIMEOUT_MS}; tests shorten it. */
  readonly stepTimeoutMs?: number;
}

function invalid(message: string): AppError {
  return new AppError('VALIDATION', message, { familyCode: 'FLOW-1420-400' });
}

/** The probe's content: one line of exactly {@link PROBE_SIZE} bytes saying what it is. */
export function probeContent(probeId: string): Buffer {
  const line = `Activator connection test ${probeId}`.slice(0, PROBE_SIZE - 1).padEnd(PROBE_SIZE - 1, ' ');
  return Buffer.from(`${line}\n`, 'ascii');
}

/** Everything of a base connection's auth that must never reach a message: secret values and the key's lines. */
function secretFragmentsOf(base: BaseConnection): string[] {
  const fragments: string[] = [];
  for (const name of secretParamNames(base.connectionSpecId, base.authSpecName)) {
    const value = base.authParams[name];
    if (typeof value !== 'string') continue;
    fragments.push(value);
    // A connection string's key, and a key file's body lines, could be echoed on their own.
    for (const part of value.split(';')) {
      const match = /^(?:AccountKey|SharedAccessSignature)=(.+)$/i.exec(part.trim());
      if (match?.[1] !== undefined) fragments.push(match[1]);
    }
    if (name === 'sshKey') fragments.push(...(decodeBase64Text(value) ?? value).split('\n').map((line) => line.trim()).filter((line) => line.length >= 16 && !line.startsWith('-----')));
  }
  return fragments;
}

/** A connector opened for one test, and where it reports the test ran. */
interface OpenedConnector {
  readonly connector: Connector;
  readonly locations: TestLocations;
}

export class ConnectionTestService {
  private readonly stepTimeoutMs: number;

  constructor(private readonly deps: ConnectionTestDeps) {
    this.stepTimeoutMs = deps.stepTimeoutMs ?? CONNECTION_TEST_STEP_TIMEOUT_MS;
  }

  /**
   * Tests base connection `connectionId` of the scope's sandbox against a target (SPEC §6.7) and reports every step.
   * A failed test is a report with `result: false`, never an exception.
   *
   * @throws FLOW-1439-404 when the base connection, or the named target connection, does not exist in the sandbox.
   * @throws FLOW-1420-400 `Specify targetConnectionId or params` when no body names a target and the base connection
   *   has none or several; FLOW-1420-400 for invalid params or a target connection of another base connection.
   */
  async test(
    scope: SandboxScopedStore, sandboxName: string, connectionId: string, request: ConnectionTestRequest, options: ConnectionTestOptions = {},
  ): Promise<ConnectionTestReport> {
    const base = await this.deps.bases.get(scope, connectionId);
    const params = await this.targetParamsFor(scope, base, request);
    const { target, folder } = connectorTargetOf({
      connectionSpecId: base.connectionSpecId, authSpecName: base.authSpecName, authParams: base.authParams,
      targetParams: { ...params }, sandboxName, dataDir: this.deps.dataDir,
    });
    return this.probe(target, folder, secretFragmentsOf(base), options);
  }

  /** The target params to test: those of the named or only target connection, or the validated params sent. */
  private async targetParamsFor(scope: SandboxScopedStore, base: BaseConnection, request: ConnectionTestRequest): Promise<TargetParams> {
    const { targetConnectionId, params } = request;
    if (targetConnectionId !== undefined && params !== undefined) throw invalid('Send either targetConnectionId or params, not both');
    if (params !== undefined) return this.deps.targets.validateParams(base, params);
    if (targetConnectionId !== undefined) {
      const target = await this.deps.targets.find(scope, targetConnectionId);
      if (target === undefined) throw resourceNotFound('targetConnections', targetConnectionId);
      if (target.baseConnectionId !== base.id) {
        throw invalid(`Target connection ${target.id} uses base connection ${target.baseConnectionId}, not ${base.id}; test it with POST /connections/${target.baseConnectionId}/test`);
      }
      return target.params;
    }
    const using = (await this.deps.targets.list(scope)).filter((target) => target.baseConnectionId === base.id);
    const [only, ...others] = using;
    if (only === undefined || others.length > 0) throw invalid(SPECIFY_TARGET_MESSAGE);
    return only.params;
  }

  private async probe(target: ConnectorTarget, folder: string, secrets: readonly string[], options: ConnectionTestOptions): Promise<ConnectionTestReport> {
    const runner = new StepRunner(this.deps.clock, this.stepTimeoutMs);
    let opened: OpenedConnector | undefined;
    let hostKeyFingerprint: string | undefined;
    const fail = (step: ConnectionTestStep, error: unknown, locations: TestLocations, extra = ''): ConnectionTestReport => {
      // On a mismatch the presented key is what the user must compare with the server's (SPEC §6.3).
      if (error instanceof ConnectorError) hostKeyFingerprint = error.hostKey?.actual ?? hostKeyFingerprint;
      else options.onUnexpectedError?.(error, step);
      const testError = testErrorOf(step, error, locations, secrets);
      return {
        result: false, steps: runner.steps, location: locations.folder, error: { code: testError.code, message: `${testError.message}${extra}` },
        ...(hostKeyFingerprint === undefined ? {} : { hostKeyFingerprint }),
      };
    };
    try {
      const connected = await runner.run('connect', async (signal) => {
        const connector = this.deps.connectors.open(target);
        opened = { connector, locations: { folder: connector.describe(folder), root: connector.describe('') } };
        return connector.checkConnection({ signal });
      });
      const locations = opened?.locations ?? { folder: fallbackLocation(target, folder), root: '' };
      const location = locations.folder;
      if (!connected.ok) return fail('connect', connected.error, locations);
      const presented = connected.value.hostKeyFingerprint;
      if (presented !== undefined && presented !== '') hostKeyFingerprint = presented;
      const connector = (opened as OpenedConnector).connector;
      const probeId = this.deps.ids.uuid();
      const probe: FileLocation = { folder, name: `activator-probe-${probeId}.txt` };
      const written = await runner.run('write', (signal) => this.writeProbe(connector, probe, probeContent(probeId), signal));
      if (!written.ok) {
        // A write cut off by the timeout may still complete at the destination: say which file to look for.
        const late = written.error instanceof ConnectorError && written.error.code === 'TIMEOUT';
        return fail('write', written.error, locations, late ? ` If ${probe.name} appears in ${location}, delete it by hand.` : '');
      }
      const deleted = await runner.run('delete', (signal) => connector.delete(probe, { signal }));
      if (!deleted.ok) return fail('delete', deleted.error, locations, ` The probe file ${probe.name} is still in ${location}; delete it by hand.`);
      return { result: true, steps: runner.steps, location, ...(hostKeyFingerprint === undefined ? {} : { hostKeyFingerprint }) };
    } finally {
      if (opened !== undefined) await settledWithin(opened.connector.close(), this.stepTimeoutMs);
    }
  }

  /** Writes the probe exactly as exports write files: begin, stream, publish; aborted on any failure. */
  private async writeProbe(connector: Connector, probe: FileLocation, content: Buffer, signal: AbortSignal): Promise<void> {
    const upload = await connector.beginUpload(probe, { signal });
    let abortion: Promise<void> | undefined;
    // Once: a timeout aborts while the write is still pending, and the write's own failure then lands in the catch.
    const aborted = () => (abortion ??= settledWithin(upload.abort(), this.stepTimeoutMs));
    signal.addEventListener('abort', () => void aborted(), { once: true });
    try {
      await upload.write(oneChunk(content));
      await upload.publish();
    } catch (error) {
      await aborted();
      throw error;
    }
  }
}

/** A byte stream of one chunk, as the export pipeline's streams are consumed. */
function oneChunk(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  return Readable.from([bytes], { objectMode: false });
}

/** Where the test was going when no connector could be opened to describe it (an Activator fault). */
function fallbackLocation(target: ConnectorTarget, folder: string): string {
  return `${target.kind}:/${folder === '' ? '' : `${folder}/`}`;
}
