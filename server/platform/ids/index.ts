import { randomBytes } from 'node:crypto';

/** A random id: 128 bits, base64url (22 characters), safe in URLs and as a primary key. */
export function newId(): string {
  return randomBytes(16).toString('base64url');
}

/** A secret token for links and sessions: 256 bits, base64url. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** A branded string: `Brand<string, 'MemberId'>` is a string the compiler keeps apart. */
export type Brand<T, B extends string> = T & { readonly __brand: B };
