// The steps of a connection test (SPEC §6.7): each bounded by a timeout and timed, failures turned into the report's error.
import { ConnectorError, type ConnectorErrorCode } from '../../connectors/connector.js';
import type { Clock } from '../runtime.js';

/** The steps, in the order they run; the test stops at the first that fails. */
export type ConnectionTestStep = 'connect' | 'write' | 'delete';

/** The codes a test reports (SPEC §6.7): a connector's SERVER_ERROR is reported as UNREACHABLE. */
export type ConnectionTestErrorCode = Exclude<ConnectorErrorCode, 'SERVER_ERROR'>;

/** A record, so that a new connector error code breaks the build until the report's schema lists it. */
const REPORTED_CODES: Record<ConnectionTestErrorCode, true> = {
  AUTH_FAILED: true, NOT_FOUND: true, PERMISSION_DENIED: true, UNREACHABLE: true, TIMEOUT: true, HOST_KEY_MISMATCH: true, INVALID_CONFIGURATION: true,
};

/** Every code a report may carry (SPEC §6.7), for the response schema. */
export const CONNECTION_TEST_ERROR_CODES = Object.keys(REPORTED_CODES) as [ConnectionTestErrorCode, ...ConnectionTestErrorCode[]];

export interface ConnectionTestStepResult {
  readonly step: ConnectionTestStep;
  readonly status: 'ok' | 'failed';
  readonly durationMs: number;
}

/** Why a test failed: a code users can search for and a message naming the location and the likely fix. */
export interface ConnectionTestError {
  readonly code: ConnectionTestErrorCode;
  readonly message: string;
}

/** The outcome of one step: its value, or what it threw (a timeout is a ConnectorError TIMEOUT). */
export type StepOutcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

/** Resolves when `promise` settles or after `ms`, whichever comes first; never rejects. */
export async function settledWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const elapsed = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
    timer.unref();
  });
  await Promise.race([promise.then(() => undefined, () => undefined), elapsed]);
  clearTimeout(timer);
}

/** Runs steps one by one, recording each with its duration; every step gets a fresh abort signal and the same timeout. */
export class StepRunner {
  readonly steps: ConnectionTestStepResult[] = [];

  constructor(
    private readonly clock: Clock,
    readonly timeoutMs: number,
  ) {}

  async run<T>(step: ConnectionTestStep, action: (signal: AbortSignal) => Promise<T>): Promise<StepOutcome<T>> {
    const started = this.clock.now();
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        const error = new ConnectorError('TIMEOUT', `The ${step} step did not finish within ${formatSeconds(this.timeoutMs)}`);
        controller.abort(error);
        reject(error);
      }, this.timeoutMs);
    });
    // Through an async function, so that an action throwing synchronously fails its step like a rejection does.
    const work = (async () => action(controller.signal))();
    // The work may still reject after the timeout won the race; that rejection is expected and must not go unhandled.
    work.catch(() => undefined);
    try {
      const value = await Promise.race([work, timedOut]);
      this.record(step, 'ok', started);
      return { ok: true, value };
    } catch (error) {
      this.record(step, 'failed', started);
      return { ok: false, error };
    } finally {
      clearTimeout(timer);
    }
  }

  private record(step: ConnectionTestStep, status: 'ok' | 'failed', started: number): void {
    this.steps.push({ step, status, durationMs: Math.max(0, Math.round(this.clock.now() - started)) });
  }
}

function formatSeconds(ms: number): string {
  const seconds = ms / 1000;
  return `${seconds} second${seconds === 1 ? '' : 's'}`;
}

/** What the user can do about a failed step, when the connector's message does not say where it failed. */
const STEP_ADVICE: Record<ConnectionTestStep, string> = {
  connect: 'Check the host, port and credentials of the connection',
  write: 'Check that the credentials may create files in this folder',
  delete: 'Check that the credentials may delete files in this folder',
};

/** Where a test ran, in the connector's display form: the folder tested and the destination's root. */
export interface TestLocations {
  /** e.g. `s3://acme-crm-exports/activator/` */
  readonly folder: string;
  /** e.g. `s3://acme-crm-exports/`; connectors name it in connect-time messages. */
  readonly root: string;
}

/**
 * The report's error for what a step threw. A ConnectorError keeps its code (SERVER_ERROR → UNREACHABLE) and its
 * message, which connectors write to name the location and the fix; a message naming neither the folder nor the root
 * gets the folder and the step's advice added. Anything else is an Activator fault: a generic message, details for the
 * log only. Secrets are redacted either way.
 */
export function testErrorOf(step: ConnectionTestStep, error: unknown, locations: TestLocations, secrets: readonly string[]): ConnectionTestError {
  const { folder } = locations;
  if (error instanceof ConnectorError) {
    const code: ConnectionTestErrorCode = error.code === 'SERVER_ERROR' ? 'UNREACHABLE' : error.code;
    let message = error.message.trim();
    const namesLocation = message.includes(folder) || (locations.root !== '' && message.includes(locations.root));
    if (code === 'TIMEOUT' && !namesLocation) message = `${message.replace(/\.$/, '')} at ${folder}. Check that the server answers and is not overloaded, then test again.`;
    else if (!namesLocation) message = `${message.replace(/\.$/, '')} at ${folder}. ${STEP_ADVICE[step]}.`;
    return { code, message: redactSecrets(message, secrets) };
  }
  return {
    code: 'UNREACHABLE',
    message: `The ${step} step failed unexpectedly at ${folder}. Test again; if it keeps failing, the Activator log has the details.`,
  };
}

/** Replaces every occurrence of a secret by `********` (secrets shorter than 4 characters are too common to search for). */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let redacted = text;
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    if (secret.length >= 4) redacted = redacted.split(secret).join('********');
  }
  return redacted;
}
