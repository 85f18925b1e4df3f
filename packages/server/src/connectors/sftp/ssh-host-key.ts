// SSH host key fingerprints as OpenSSH prints them (`ssh-keygen -lf`: `SHA256:<base64 without padding>`), and pinning.
import { createHash } from 'node:crypto';

/** The SHA-256 fingerprint of a host key given as its SSH wire-format blob (what the server presents). */
export function sshFingerprint(keyBlob: Uint8Array): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

/**
 * Whether a pinned fingerprint designates the presented one. Tolerates what users paste around the value: surrounding
 * spaces, a missing `SHA256:` prefix and base64 padding; the base64 itself is compared exactly (it is case-sensitive).
 */
export function fingerprintMatches(pinned: string, actual: string): boolean {
  const normalised = (value: string) => value.trim().replace(/^SHA256:/i, '').replace(/=+$/, '');
  return normalised(pinned) !== '' && normalised(pinned) === normalised(actual);
}

/** Whether a pin has the shape of a SHA-256 fingerprint (43 base64 characters, optionally `SHA256:`-prefixed and padded). */
export function isSha256Fingerprint(pin: string): boolean {
  return /^(?:SHA256:)?[A-Za-z0-9+/]{43}=?$/i.test(pin.trim());
}
