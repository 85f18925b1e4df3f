// The effects every domain service receives from the composition root: time, ids and password hashing.

/** The current time in epoch milliseconds; tests pass a fake. */
export interface Clock {
  now(): number;
}

/** Generates identifiers; tests may pass a deterministic one. */
export interface IdGenerator {
  /** A lower-case UUID v4. */
  uuid(): string;
}

/** Hashes and verifies user passwords (argon2id in production; also client secrets stored before keyed digests). */
export interface PasswordHasher {
  hash(secret: string): Promise<string>;
  verify(hash: string, secret: string): Promise<boolean>;
}

/**
 * Stores and checks client secrets (SPEC §2.5): 256 random bits need no slow hashing, so a keyed SHA-256
 * (HMAC under a server key) compared in constant time.
 */
export interface SecretDigest {
  /** The stored form of `secret`. */
  digest(secret: string): string;
  /** Whether `stored` was made by {@link digest} (otherwise it is an older, argon2id hash). */
  owns(stored: string): boolean;
  /** Whether `secret` is the one `stored` was made from; constant time. */
  matches(stored: string, secret: string): boolean;
}

/**
 * Encrypts secret values at rest (SPEC §2.8). `context` is bound to the ciphertext as additional
 * authenticated data (e.g. `<connectionId>:<paramName>`), so a value moved elsewhere fails to decrypt.
 */
export interface SecretCipher {
  encrypt(plaintext: string, context: string): string;
  /** @throws when the value was altered, or encrypted under another key or context. */
  decrypt(stored: string, context: string): string;
}

/** The principal a change is attributed to (`createdBy`, audit actor). */
export type Actor =
  | { readonly type: 'user'; readonly id: string; readonly name: string }
  | { readonly type: 'credential'; readonly id: string; readonly name: string; readonly clientId: string }
  | { readonly type: 'system'; readonly id: null; readonly name: 'system' };

export const SYSTEM_ACTOR: Actor = Object.freeze({ type: 'system', id: null, name: 'system' });

/** What `createdBy`/`updatedBy` hold for an actor (SPEC §2.5): the e-mail, the client id or `system`. */
export function actorLabel(actor: Actor): string {
  return actor.type === 'credential' ? actor.clientId : actor.name;
}
