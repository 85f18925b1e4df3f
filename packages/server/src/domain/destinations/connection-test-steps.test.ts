// Step runner, error mapping and secret redaction of the connection test (SPEC §6.7).
import { describe, expect, it } from 'vitest';
import { ConnectorError } from '../../connectors/connector.js';
import { redactSecrets, settledWithin, StepRunner, testErrorOf } from './connection-test-steps.js';

const clock = { now: () => Date.now() };
const LOCATION = 's3://acme-crm-exports/activator/';
const LOCATIONS = { folder: LOCATION, root: 's3://acme-crm-exports/' };

describe('StepRunner', () => {
  it('records each step with its status and a whole, non-negative duration', async () => {
    const runner = new StepRunner(clock, 5_000);
    expect(await runner.run('connect', () => Promise.resolve('value'))).toEqual({ ok: true, value: 'value' });
    const failure = new ConnectorError('AUTH_FAILED', 'denied');
    expect(await runner.run('write', () => Promise.reject(failure))).toEqual({ ok: false, error: failure });
    expect(runner.steps.map(({ step, status }) => ({ step, status }))).toEqual([{ step: 'connect', status: 'ok' }, { step: 'write', status: 'failed' }]);
    for (const step of runner.steps) expect(Number.isInteger(step.durationMs) && step.durationMs >= 0).toBe(true);
  });

  it('fails a step that outlives its timeout with TIMEOUT and aborts its signal', async () => {
    const runner = new StepRunner(clock, 20);
    let seen: AbortSignal | undefined;
    const outcome = await runner.run('connect', (signal) => {
      seen = signal;
      return new Promise<never>(() => undefined);
    });
    expect(outcome.ok).toBe(false);
    const error = (outcome as { error: unknown }).error;
    expect(error).toBeInstanceOf(ConnectorError);
    expect((error as ConnectorError).code).toBe('TIMEOUT');
    expect((error as ConnectorError).message).toBe('The connect step did not finish within 0.02 seconds');
    expect(seen?.aborted).toBe(true);
  });

  it('lets a step that rejects after its timeout fail quietly (no unhandled rejection)', async () => {
    const runner = new StepRunner(clock, 10);
    const outcome = await runner.run('delete', () => new Promise<never>((_resolve, reject) => setTimeout(() => reject(new Error('late')), 30)));
    expect(outcome.ok).toBe(false);
    await settledWithin(new Promise((resolve) => setTimeout(resolve, 40)), 100);
  });
});

describe('testErrorOf', () => {
  it('keeps a connector message that names the location, and its code', () => {
    const message = `Access denied writing ${LOCATION}activator-probe-4b1f.txt. The credentials need s3:PutObject and s3:DeleteObject on this prefix.`;
    expect(testErrorOf('write', new ConnectorError('PERMISSION_DENIED', message), LOCATIONS, [])).toEqual({ code: 'PERMISSION_DENIED', message });
  });

  it('reports SERVER_ERROR as UNREACHABLE and adds the location and advice the message lacks', () => {
    expect(testErrorOf('connect', new ConnectorError('SERVER_ERROR', 'The server answered 503.'), LOCATIONS, [])).toEqual({
      code: 'UNREACHABLE', message: `The server answered 503 at ${LOCATION}. Check the host, port and credentials of the connection.`,
    });
  });

  it('keeps a connect-time message that names the destination root rather than the folder', () => {
    const message = 'S3 refused the credentials for s3://acme-crm-exports/ (S3 error SignatureDoesNotMatch); check the access key id and secret.';
    expect(testErrorOf('connect', new ConnectorError('AUTH_FAILED', message), LOCATIONS, [])).toEqual({ code: 'AUTH_FAILED', message });
  });

  it('says where a timeout happened and what to check', () => {
    expect(testErrorOf('write', new ConnectorError('TIMEOUT', 'The write step did not finish within 30 seconds'), LOCATIONS, [])).toEqual({
      code: 'TIMEOUT', message: `The write step did not finish within 30 seconds at ${LOCATION}. Check that the server answers and is not overloaded, then test again.`,
    });
  });

  it('answers anything but a ConnectorError with a generic message that leaks no internals', () => {
    const result = testErrorOf('delete', new TypeError("Cannot read properties of undefined (reading 'secretThing')"), LOCATIONS, []);
    expect(result).toEqual({
      code: 'UNREACHABLE', message: `The delete step failed unexpectedly at ${LOCATION}. Test again; if it keeps failing, the Activator log has the details.`,
    });
  });

  it('redacts secrets a connector message would echo', () => {
    const result = testErrorOf('connect', new ConnectorError('AUTH_FAILED', `Login as acme with password hunter2-secret refused at ${LOCATION}`), LOCATIONS, ['hunter2-secret']);
    expect(result.message).toBe(`Login as acme with password ******** refused at ${LOCATION}`);
  });
});

describe('redactSecrets', () => {
  it('replaces every occurrence, longest secret first, and ignores secrets too short to search for', () => {
    expect(redactSecrets('key=abcdef; part=abcd; x=abc', ['abcd', 'abcdef', 'x'])).toBe('key=********; part=********; x=abc');
  });
});
