// Host key fingerprints compared with what OpenSSH's own `ssh-keygen -lf` prints for the same keys.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fingerprintMatches, isSha256Fingerprint, sshFingerprint } from './ssh-host-key.js';

const dir = mkdtempSync(path.join(tmpdir(), 'activator-hostkey-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('SSH host key fingerprints', () => {
  it.each([['ed25519'], ['rsa'], ['ecdsa']])('computes the fingerprint of an %s key exactly as ssh-keygen -lf does', (type) => {
    const file = path.join(dir, type);
    execFileSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-f', file]);
    const [, blob] = readFileSync(`${file}.pub`, 'utf8').split(' ');
    const expected = execFileSync('ssh-keygen', ['-lf', `${file}.pub`]).toString().split(' ')[1];
    expect(sshFingerprint(Buffer.from(blob ?? '', 'base64'))).toBe(expected);
  });

  it.each([
    ['SHA256:abc+/def', 'SHA256:abc+/def', true],
    ['  SHA256:abc+/def= ', 'SHA256:abc+/def', true],
    ['abc+/def', 'SHA256:abc+/def', true],
    ['sha256:abc+/def', 'SHA256:abc+/def', true],
    ['SHA256:ABC+/def', 'SHA256:abc+/def', false],
    ['SHA256:abc+/de', 'SHA256:abc+/def', false],
    ['', 'SHA256:', false],
  ])('matches the pin %j against %j: %s', (pinned, actual, matches) => {
    expect(fingerprintMatches(pinned, actual)).toBe(matches);
  });

  it.each([
    ['SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s', true],
    ['uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s=', true],
    [' SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s ', true],
    ['MD5:16:27:ac:a5:76:28:2d:36:63:1b:56:4d:eb:df:a6:48', false],
    ['SHA256:tooshort', false],
    ['SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s!', false],
  ])('recognises %j as a SHA-256 fingerprint: %s', (pin, valid) => {
    expect(isSha256Fingerprint(pin)).toBe(valid);
  });
});
