// argon2id hashing of passwords and client secrets (the PasswordHasher port).
import { hash, verify } from '@node-rs/argon2';

/** Algorithm 2 = argon2id in @node-rs/argon2. */
const ARGON2ID = 2;

/** OWASP's minimum argon2id settings: 19 MiB, 2 iterations, 1 lane. */
export function createArgon2PasswordHasher(options: { memoryCost?: number; timeCost?: number } = {}): {
  hash(secret: string): Promise<string>;
  verify(hash: string, secret: string): Promise<boolean>;
} {
  const settings = { algorithm: ARGON2ID, memoryCost: options.memoryCost ?? 19_456, timeCost: options.timeCost ?? 2, parallelism: 1 };
  return {
    hash: (secret) => hash(secret, settings),
    verify: async (stored, secret) => {
      try {
        return await verify(stored, secret);
      } catch {
        return false;
      }
    },
  };
}
