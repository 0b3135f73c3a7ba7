import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import type { PinHash } from './role-config.ts';

/** 4 to 8 digits: typed on a touch keypad by staff. */
export const PIN_PATTERN = /^[0-9]{4,8}$/;

export function hashPin(pin: string, salt: Buffer = randomBytes(16)): PinHash {
  if (!PIN_PATTERN.test(pin)) throw new Error('The PIN must be 4 to 8 digits.');
  return { salt: salt.toString('base64'), hash: scryptSync(pin, salt, 32).toString('base64') };
}

export function pinMatches(pin: string, stored: PinHash): boolean {
  if (!PIN_PATTERN.test(pin)) return false;
  const expected = Buffer.from(stored.hash, 'base64');
  const actual = scryptSync(pin, Buffer.from(stored.salt, 'base64'), expected.length);
  return timingSafeEqual(actual, expected);
}

export type ExitAttempts = Readonly<{ failures: number; lockedUntil: number }>;
export const NO_ATTEMPTS: ExitAttempts = { failures: 0, lockedUntil: 0 };

/** After this many wrong PINs in a row the prompt locks for LOCK_MS (a customer trying codes at the kiosk). */
export const MAX_FAILURES = 5;
export const LOCK_MS = 5 * 60_000;

export type ExitDecision =
  | Readonly<{ outcome: 'leave'; attempts: ExitAttempts }>
  | Readonly<{ outcome: 'wrong-pin'; attempts: ExitAttempts; remaining: number }>
  | Readonly<{ outcome: 'locked'; attempts: ExitAttempts; retryInMs: number }>;

/** Decides a PIN entered to leave kiosk (or display) mode; pure apart from the hash check. */
export function decideExit(pin: string, stored: PinHash, attempts: ExitAttempts, now: number): ExitDecision {
  if (attempts.lockedUntil > now) return { outcome: 'locked', attempts, retryInMs: attempts.lockedUntil - now };
  if (pinMatches(pin, stored)) return { outcome: 'leave', attempts: NO_ATTEMPTS };
  const failures = attempts.failures + 1;
  if (failures >= MAX_FAILURES) {
    const next = { failures: 0, lockedUntil: now + LOCK_MS };
    return { outcome: 'locked', attempts: next, retryInMs: LOCK_MS };
  }
  return { outcome: 'wrong-pin', attempts: { failures, lockedUntil: 0 }, remaining: MAX_FAILURES - failures };
}
