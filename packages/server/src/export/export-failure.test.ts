// The run error of every kind of export failure (SPEC §9.3), table-driven.
import { describe, expect, it } from 'vitest';
import { ConnectorError, type ConnectorErrorCode } from '../connectors/connector.js';
import { EncryptionError, ExportAbortedError, ExportFailure, FileNameTooLongError, exportFailureOf } from './export-failure.js';

const connectorCases: readonly [ConnectorErrorCode, string, string, boolean][] = [
  ['AUTH_FAILED', 'ACTIVATION_BATCH-2001-FAILED', 'Destination authentication failed: DETAIL', false],
  ['NOT_FOUND', 'ACTIVATION_BATCH-2002-FAILED', 'Destination location not found: DETAIL', false],
  ['INVALID_CONFIGURATION', 'ACTIVATION_BATCH-2002-FAILED', 'Destination location not found: DETAIL', false],
  ['PERMISSION_DENIED', 'ACTIVATION_BATCH-2003-FAILED', 'Permission denied by destination: DETAIL', false],
  ['UNREACHABLE', 'ACTIVATION_BATCH-2004-FAILED', 'Destination unreachable after 3 attempts: DETAIL', true],
  ['TIMEOUT', 'ACTIVATION_BATCH-2004-FAILED', 'Destination unreachable after 3 attempts: DETAIL', true],
  ['SERVER_ERROR', 'ACTIVATION_BATCH-2004-FAILED', 'Destination unreachable after 3 attempts: DETAIL', true],
];

describe('exportFailureOf', () => {
  it.each(connectorCases)('turns the connector error %s into %s with the SPEC message', (connectorCode, runCode, message, transient) => {
    const failure = exportFailureOf(new ConnectorError(connectorCode, 'DETAIL'), { attempts: 3 });
    expect([failure.code, failure.message, failure.transient, failure.aborted]).toEqual([runCode, message, transient, false]);
  });

  it('says "1 attempt" in the singular', () => {
    expect(exportFailureOf(new ConnectorError('TIMEOUT', 'slow'), { attempts: 1 }).message).toBe('Destination unreachable after 1 attempt: slow');
  });

  it('names both fingerprints of a host key mismatch', () => {
    const error = new ConnectorError('HOST_KEY_MISMATCH', 'mismatch', { hostKeyFingerprint: { expected: 'SHA256:aaa', actual: 'SHA256:bbb' } });
    const failure = exportFailureOf(error, { attempts: 1 });
    expect([failure.code, failure.message, failure.transient]).toEqual(['ACTIVATION_BATCH-2005-FAILED', 'SFTP host key mismatch: expected SHA256:aaa, got SHA256:bbb', false]);
  });

  it.each([
    ['a file name over 255 characters', new FileNameTooLongError('x.csv'), 'ACTIVATION_BATCH-1003-FAILED', 'File name exceeds 255 characters: x.csv', false],
    ['an encryption error', new EncryptionError('the public key could not be read'), 'ACTIVATION_BATCH-2006-FAILED', 'Encryption failed: the public key could not be read', false],
    ['anything else', new TypeError('boom at line 3'), 'ACTIVATION_BATCH-0000-FAILED', 'Job aborted.', false],
    ['a thrown string', 'boom', 'ACTIVATION_BATCH-0000-FAILED', 'Job aborted.', false],
  ] as const)('classifies %s', (_what, error, code, message, transient) => {
    const failure = exportFailureOf(error, { attempts: 2 });
    expect([failure.code, failure.message, failure.transient, failure.aborted]).toEqual([code, message, transient, false]);
    expect(failure.cause).toBe(error);
  });

  it('marks an interrupted run as aborted so the run layer can give its own reason', () => {
    const failure = exportFailureOf(new ExportAbortedError(), { attempts: 1 });
    expect([failure.code, failure.message, failure.aborted, failure.transient]).toEqual(['ACTIVATION_BATCH-0000-FAILED', 'Job aborted.', true, false]);
  });

  it('passes an ExportFailure through unchanged', () => {
    const failure = new ExportFailure('ACTIVATION_BATCH-2003-FAILED', 'Permission denied by destination: x', false, false);
    expect(exportFailureOf(failure, { attempts: 4 })).toBe(failure);
  });
});
