import type { ErrorRequestHandler, Response } from 'express';
import { ZodError } from 'zod';
import type { Logger } from 'pino';
import { DomainError, ERROR_STATUS } from '../domain/errors.ts';
import { requestId } from './observability.ts';

/**
 * One refused field, as the API's `details` carry it: the field's path, an English message, and
 * what a client needs to say it in its own language: the check that failed (`code`: zod's issue
 * code, or `required` for a field that was not sent) and its bound or format.
 */
export type FieldIssue = {
  field: string;
  message: string;
  code: string;
  minimum?: number;
  maximum?: number;
  /** What was measured: `string` (characters), `array` (items), `number`… */
  origin?: string;
  format?: string;
};

/**
 * Zod issues as a flat, readable list: `[{ field: "queue", message: "must be a UUID", code… }]`. An
 * issue about the whole input (unknown keys, a cross-field rule) is reported on `root`; with the
 * `input`, a field that was not sent is told from one of the wrong type (`required`).
 */
export function describeZodError(
  error: ZodError,
  root: '(body)' | '(query)' = '(body)',
  input?: unknown,
): { message: string; details: FieldIssue[] } {
  const details = error.issues.map((issue): FieldIssue => ({
    field: issue.path.map(String).join('.') || root,
    message: issue.message,
    ...issueFacts(issue, input),
  }));
  const first = details[0];
  return { message: first ? `${first.field}: ${first.message}` : 'Invalid input.', details };
}

function issueFacts(issue: ZodError['issues'][number], input: unknown): Omit<FieldIssue, 'field' | 'message'> {
  switch (issue.code) {
    case 'too_small':
      return { code: issue.code, minimum: Number(issue.minimum), origin: issue.origin };
    case 'too_big':
      return { code: issue.code, maximum: Number(issue.maximum), origin: issue.origin };
    case 'invalid_format':
      return { code: issue.code, format: issue.format };
    case 'invalid_type':
      return { code: input !== undefined && valueAt(input, issue.path) === undefined ? 'required' : issue.code };
    default:
      return { code: issue.code };
  }
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let at = value;
  for (const key of path) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<PropertyKey, unknown>)[key];
  }
  return at;
}

export function sendError(res: Response, error: DomainError): void {
  const status = ERROR_STATUS[error.code];
  if (status === 401 || status === 403 || status === 404) {
    if (status === 401) res.setHeader('WWW-Authenticate', 'Bearer');
    res.status(status).json({ detail: error.message, code: error.code });
    return;
  }
  const body: Record<string, unknown> = { error: error.message, code: error.code };
  if (error.details !== undefined) body['details'] = error.details;
  res.status(status).json(body);
}

/** Maps every thrown thing to the contract's error shape. No stack trace ever reaches a client. */
export const errorHandler: ErrorRequestHandler = (error: unknown, req, res, _next) => {
  if (res.headersSent) return;
  if (error instanceof DomainError) return sendError(res, error);
  if (error instanceof ZodError) {
    const { message, details } = describeZodError(error);
    return sendError(res, new DomainError('validation-failed', message, details));
  }
  const httpError = error as { type?: string; status?: number; expose?: boolean; message?: string };
  if (httpError.type === 'entity.parse.failed') {
    return sendError(res, new DomainError('malformed-json', 'Malformed JSON in request body.'));
  }
  if (httpError.type === 'entity.too.large') {
    return sendError(res, new DomainError('payload-too-large', 'Request body is too large.'));
  }
  if (httpError.type === 'encoding.unsupported' || httpError.type === 'charset.unsupported') {
    return sendError(res, new DomainError('unsupported-media-type', 'Unsupported body encoding.'));
  }
  if (typeof httpError.status === 'number' && httpError.status >= 400 && httpError.status < 500) {
    return sendError(res, new DomainError('validation-failed', httpError.expose ? String(httpError.message) : 'Bad request.'));
  }
  if (isConstraintError(error)) {
    return sendError(res, new DomainError('conflict', 'The change conflicts with existing data.'));
  }
  const logger = req.app.locals['logger'] as Logger | undefined;
  if (logger) logger.error({ req_id: requestId(req), err: error, route: req.route?.path }, 'unhandled error');
  else console.error('unhandled error', error);
  res.status(500).json({ error: 'Internal server error.', code: 'internal' });
};

function isConstraintError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = String((error as { code?: unknown }).code);
  // SQLite on the branch; PostgreSQL's integrity-constraint class (23xxx) in the cloud.
  return code.startsWith('SQLITE_CONSTRAINT') || /^23\d{3}$/.test(code);
}
