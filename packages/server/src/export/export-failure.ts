// Why an audience export failed, as a run error (SPEC §9.3): a code, the message users see, and whether a retry may help.
//
// Pure: `exportFailureOf` classifies whatever a pipeline step threw. The run layer stores `code`/`message` in the run's
// `statusSummary.errors` and retries only `transient` failures (SPEC §9.5).
import { ConnectorError, type ConnectorErrorCode } from '../connectors/connector.js';
import { assertNever } from '../errors.js';

/** The run error codes an export itself can produce (the 1001/1002/300x codes belong to the run layer). */
export type ExportErrorCode =
  | 'ACTIVATION_BATCH-0000-FAILED'
  | 'ACTIVATION_BATCH-1003-FAILED'
  | 'ACTIVATION_BATCH-2001-FAILED'
  | 'ACTIVATION_BATCH-2002-FAILED'
  | 'ACTIVATION_BATCH-2003-FAILED'
  | 'ACTIVATION_BATCH-2004-FAILED'
  | 'ACTIVATION_BATCH-2005-FAILED'
  | 'ACTIVATION_BATCH-2006-FAILED';

/** The message of an unexpected failure (its details go to the log under the run id, never to users). */
export const JOB_ABORTED_MESSAGE = 'Job aborted.';

/** The one error `runAudienceExport` throws. */
export class ExportFailure extends Error {
  constructor(
    readonly code: ExportErrorCode,
    message: string,
    /** A retry of the run may succeed (network, timeouts, 5xx); false = the user must change something. */
    readonly transient: boolean,
    /** The run was interrupted through its abort signal: the run layer reports its own reason (SPEC §7.6). */
    readonly aborted: boolean,
    options?: { readonly cause?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ExportFailure';
  }
}

/** A complete file name over 255 characters (SPEC §8.3). */
export class FileNameTooLongError extends Error {
  constructor(readonly fileName: string) {
    super(`File name exceeds 255 characters: ${fileName}`);
    this.name = 'FileNameTooLongError';
  }
}

/** Encryption of a file failed (unreadable key, a key that cannot encrypt, an encryption error). */
export class EncryptionError extends Error {
  constructor(readonly detail: string, options?: { readonly cause?: unknown }) {
    super(`Encryption failed: ${detail}`, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'EncryptionError';
  }
}

/** The run was interrupted (cancelled, dataflow disabled or deleted, process stopping). */
export class ExportAbortedError extends Error {
  constructor(options?: { readonly cause?: unknown }) {
    super(JOB_ABORTED_MESSAGE, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ExportAbortedError';
  }
}

/** What a run attempt knows when it classifies a failure. */
export interface FailureContext {
  /** Attempts made so far, this one included (the `<n>` of ACTIVATION_BATCH-2004-FAILED). */
  readonly attempts: number;
}

function connectorFailure(error: ConnectorError, context: FailureContext): ExportFailure {
  const code: ConnectorErrorCode = error.code;
  const failure = (runCode: ExportErrorCode, message: string) => new ExportFailure(runCode, message, error.transient, false, { cause: error });
  switch (code) {
    case 'AUTH_FAILED': return failure('ACTIVATION_BATCH-2001-FAILED', `Destination authentication failed: ${error.message}`);
    case 'NOT_FOUND': return failure('ACTIVATION_BATCH-2002-FAILED', `Destination location not found: ${error.message}`);
    // A folder the destination cannot hold (a file in its place, a name it refuses): the location is wrong.
    case 'INVALID_CONFIGURATION': return failure('ACTIVATION_BATCH-2002-FAILED', `Destination location not found: ${error.message}`);
    case 'PERMISSION_DENIED': return failure('ACTIVATION_BATCH-2003-FAILED', `Permission denied by destination: ${error.message}`);
    case 'UNREACHABLE':
    case 'TIMEOUT':
    case 'SERVER_ERROR':
      return failure('ACTIVATION_BATCH-2004-FAILED', `Destination unreachable after ${context.attempts} attempt${context.attempts === 1 ? '' : 's'}: ${error.message}`);
    case 'HOST_KEY_MISMATCH': {
      const expected = error.hostKey?.expected ?? 'the pinned fingerprint';
      const actual = error.hostKey?.actual ?? 'another key';
      return failure('ACTIVATION_BATCH-2005-FAILED', `SFTP host key mismatch: expected ${expected}, got ${actual}`);
    }
    default: return assertNever(code);
  }
}

/**
 * The run error of anything an export step threw. Connector errors keep their `transient` flag; everything not
 * recognised is an internal error (`Job aborted.`), permanent, with the original kept as `cause` for the log.
 */
export function exportFailureOf(error: unknown, context: FailureContext): ExportFailure {
  if (error instanceof ExportFailure) return error;
  if (error instanceof ConnectorError) return connectorFailure(error, context);
  if (error instanceof FileNameTooLongError) return new ExportFailure('ACTIVATION_BATCH-1003-FAILED', error.message, false, false, { cause: error });
  if (error instanceof EncryptionError) return new ExportFailure('ACTIVATION_BATCH-2006-FAILED', error.message, false, false, { cause: error });
  if (error instanceof ExportAbortedError) return new ExportFailure('ACTIVATION_BATCH-0000-FAILED', JOB_ABORTED_MESSAGE, false, true, { cause: error });
  return new ExportFailure('ACTIVATION_BATCH-0000-FAILED', JOB_ABORTED_MESSAGE, false, false, { cause: error });
}
