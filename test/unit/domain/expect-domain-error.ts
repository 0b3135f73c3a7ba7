import { expect } from 'vitest';
import { DomainError, type ErrorCode } from '../../../branch-server/domain/errors.ts';

/** Runs `fn` and asserts it throws a DomainError with `code`; returns the error for further checks. */
export function expectDomainError(fn: () => unknown, code: ErrorCode): DomainError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe(code);
    return error as DomainError;
  }
  throw new Error(`expected a DomainError '${code}', nothing was thrown`);
}
