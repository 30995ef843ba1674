import { readFileSync } from 'node:fs';
import { hash, verify } from '@node-rs/argon2';
import { PASSWORD_MIN_LENGTH } from '@common/limits';

/** argon2id cost. Production uses OWASP's recommendation; tests may pass a cheaper one. */
export interface HashCost {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

/** OWASP (2025) argon2id minimum: 19 MiB, 2 iterations, 1 lane. */
export const productionHashCost: HashCost = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };

const commonPasswords: ReadonlySet<string> = new Set(
  readFileSync(new URL('./common-passwords.txt', import.meta.url), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#')),
);

/** How many passwords the bundled list refuses (for tests and docs). */
export const commonPasswordCount = commonPasswords.size;

/** Why a password is refused, or undefined when it is strong enough. */
export function passwordWeakness(password: string): 'too_short' | 'too_common' | undefined {
  if ([...password].length < PASSWORD_MIN_LENGTH) return 'too_short';
  if (commonPasswords.has(password.toLowerCase())) return 'too_common';
  return undefined;
}

/** Hashes with argon2id (the library's default algorithm); the PHC string carries salt and cost. */
export function hashPassword(password: string, cost: HashCost): Promise<string> {
  return hash(password, cost);
}

/** True when the password matches the stored hash; false for a malformed hash, never a throw. */
export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}
