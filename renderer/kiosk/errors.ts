import { ApiError } from '../shared/api.ts';
import type { KioskKey } from './i18n.ts';

/** Whether the branch server could not be reached or failed: the customer sees "momentarily unavailable". */
export function isUnavailable(error: unknown): boolean {
  return !(error instanceof ApiError) || error.status >= 500 || error.status === 429;
}

/** What a customer reads when a ticket could not be issued. */
export function issueErrorKey(error: unknown): KioskKey {
  if (error instanceof ApiError && error.code === 'queue-closed') return 'serviceClosed';
  if (error instanceof ApiError && error.code === 'queue-full') return 'serviceFull';
  return 'unavailable';
}

/** What a customer reads when an appointment could not be checked in. */
export function checkInErrorKey(error: unknown): KioskKey {
  if (error instanceof ApiError && (error.code === 'invalid-reference' || error.code === 'validation-failed')) return 'codeUnknown';
  if (error instanceof ApiError && error.code === 'illegal-transition') return 'codeNotNow';
  if (error instanceof ApiError && error.code === 'queue-closed') return 'serviceClosed';
  if (error instanceof ApiError && error.code === 'queue-full') return 'serviceFull';
  return 'unavailable';
}
