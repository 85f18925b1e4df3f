// The error table for failures a loopback sshd cannot produce on demand (no route to host, a refused subsystem, an
// unsupported request); the others are exercised against the real server in sftp-connector.test.ts.
import { describe, expect, it } from 'vitest';
import { connectionFailure, operationFailure } from './sftp-errors.js';

const endpoint = { url: 'sftp://files.example.com:22/', host: 'files.example.com', username: 'crm' };

function sshError(message: string, fields: { code?: unknown; level?: string }): Error {
  return Object.assign(new Error(message), fields);
}

describe('SFTP error mapping', () => {
  it.each([
    [sshError('All configured authentication methods failed', { level: 'client-authentication' }), 'AUTH_FAILED', false],
    [sshError('Timed out while waiting for handshake', { level: 'client-timeout' }), 'TIMEOUT', true],
    [sshError('getaddrinfo ENOTFOUND files.example.com', { code: 'ENOTFOUND', level: 'client-socket' }), 'UNREACHABLE', true],
    [sshError('connect EHOSTUNREACH 10.0.0.9:22', { code: 'EHOSTUNREACH', level: 'client-socket' }), 'UNREACHABLE', true],
    [sshError('read ECONNRESET', { code: 'ECONNRESET', level: 'client-socket' }), 'UNREACHABLE', true],
    [sshError('Connection lost before handshake', { level: 'protocol' }), 'UNREACHABLE', true],
    [sshError('sftp: Unable to start subsystem: sftp', {}), 'INVALID_CONFIGURATION', false],
  ])('maps the connection failure %s to %s (transient: %s)', (error, code, transient) => {
    const mapped = connectionFailure(error, endpoint, 30_000);
    expect([mapped.code, mapped.transient]).toEqual([code, transient]);
    expect(mapped.message).toContain('sftp://files.example.com:22/');
    expect(mapped.cause).toBe(error);
  });

  it.each([
    [sshError('Permission denied', { code: 3 }), 'PERMISSION_DENIED'],
    [sshError('No such file', { code: 2 }), 'NOT_FOUND'],
    [sshError('Failure', { code: 4 }), 'SERVER_ERROR'],
    [sshError('Operation unsupported', { code: 8 }), 'SERVER_ERROR'],
    [sshError('Connection lost', { code: 7 }), 'UNREACHABLE'],
    [sshError('No response from server', {}), 'UNREACHABLE'],
  ])('maps the SFTP failure %s to %s', (error, code) => {
    const mapped = operationFailure(error, endpoint, 'writing', 'sftp://files.example.com:22/crm/a.csv');
    expect(mapped.code).toBe(code);
    expect(mapped.message).toContain('sftp://files.example.com:22/');
  });
});
