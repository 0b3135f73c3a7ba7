/**
 * The closed set of error codes the domain and use-cases may raise. The HTTP edge maps each code to
 * a status and the contract's error body; the ws hub sends the same code. Adding a code means adding
 * its HTTP status in `ERROR_STATUS` below, which the type system enforces.
 */
export const ERROR_STATUS = {
  'validation-failed': 400,
  'malformed-json': 400,
  'illegal-transition': 400,
  'agent-has-active-ticket': 400,
  'agent-not-available': 400,
  'queue-closed': 400,
  'queue-full': 400,
  'not-ticket-holder': 403,
  'queue-not-in-skills': 400,
  'same-queue-transfer': 400,
  'invalid-pairing-code': 400,
  'email-taken': 400,
  'slug-taken': 400,
  'invalid-reference': 400,
  'slot-unavailable': 400,
  'not-authenticated': 401,
  'invalid-credentials': 401,
  'token-expired': 401,
  'token-invalid': 401,
  'token-revoked': 401,
  'device-revoked': 401,
  'forbidden': 403,
  'not-a-member': 403,
  'missing-scope': 403,
  'not-found': 404,
  'no-ticket-waiting': 404,
  'method-not-allowed': 405,
  'conflict': 409,
  'sync-gap': 409,
  'snapshot-required': 410,
  'protocol-unsupported': 400,
  'enrollment-token-invalid': 400,
  'payload-too-large': 413,
  'unsupported-media-type': 415,
  'rate-limited': 429,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class DomainError extends Error {
  readonly code: ErrorCode;
  readonly details: unknown;

  constructor(code: ErrorCode, message?: string, details?: unknown) {
    super(message ?? code);
    this.name = 'DomainError';
    this.code = code;
    this.details = details;
  }
}
