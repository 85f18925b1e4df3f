// Random identifiers and secrets of the access layer, and the one-way hash used to store tokens.
import { createHash, randomBytes, randomInt } from 'node:crypto';

/** `act_` + 43 URL-safe base64 characters (32 random bytes). */
export function generateAccessToken(): string {
  return `act_${randomBytes(32).toString('base64url')}`;
}

/** 43 URL-safe base64 characters (32 random bytes). */
export function generateClientSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** 32 lower-case hex characters. */
export function generateClientId(): string {
  return randomBytes(16).toString('hex');
}

/** An opaque, unguessable value for cookies and CSRF tokens. */
export function generateOpaqueToken(): string {
  return randomBytes(32).toString('base64url');
}

const PASSWORD_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';

/** A random password of `length` characters from an unambiguous alphabet. */
export function generatePassword(length = 20): string {
  let password = '';
  for (let i = 0; i < length; i += 1) password += PASSWORD_ALPHABET[randomInt(PASSWORD_ALPHABET.length)];
  return password;
}

/** SHA-256 in hex: how tokens and session ids are stored, so a database leak reveals no usable token. */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}
