import { createHash, timingSafeEqual } from 'node:crypto';
import type { Clock } from '@server/platform/clock';
import { GuessGuard, type FailureLog, type GuessLimits } from '@server/http/guess-guard';

/**
 * Compares an access code with the stored one in constant time: both are hashed first, so neither
 * the content nor the length of the stored code leaks through timing.
 */
export function codesMatch(given: string, stored: string): boolean {
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(stored, 'utf8').digest();
  return timingSafeEqual(a, b);
}

/** Wrong access codes: per address and space, and per space (see GuessGuard). */
export type GuardLimits = GuessLimits;

export const defaultGuardLimits: GuardLimits = {
  perAddress: 10,
  perTarget: 50,
  windowMs: 10 * 60_000,
  backoffMs: 30_000,
};

/** The guard on access codes: targets are space ids. */
export class AccessCodeGuard extends GuessGuard {
  constructor(clock: Clock, limits: GuardLimits = defaultGuardLimits, log?: FailureLog) {
    super(clock, limits, log);
  }
}
