import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pino, type DestinationStream, type Logger } from 'pino';

/**
 * Structured JSON logs (pino). Written asynchronously (sonic-boom) to `<dir>/<name>.log`, rotated by
 * size: `<name>.log.1` … `<name>.log.<keep>`. Nothing secret or personal is ever written in clear:
 * known keys are redacted wherever they appear, and strings are scrubbed of phone numbers, JWTs and
 * device keys (a message may quote what a client sent).
 */
export type LogOptions = Readonly<{
  /** Directory for the log files; null logs to stdout (the CLIs' own output, tests that want it). */
  dir: string | null;
  /** File name without extension. */
  name: string;
  level?: string;
  /** Rotate when the file grows past this. */
  maxBytes?: number;
  /** Rotated files kept. */
  keep?: number;
  /** How often the size is looked at (ms). */
  checkEveryMs?: number;
}>;

export type AppLogger = Readonly<{
  logger: Logger;
  /** Rotates now if the file is over its size (the timer does this on its own). */
  rotateIfNeeded(): Promise<boolean>;
  /** Flushes and closes the file. */
  close(): Promise<void>;
}>;

/** Keys whose values never reach a log, at any depth pino's redaction reaches (top level and one below). */
const SECRET_KEYS = [
  'password', 'new_password', 'old_password', 'admin_password', 'password_hash', 'token', 'access_token', 'refresh_token',
  'device_key', 'pairing_code', 'authorization', 'cookie', 'private_key', 'device_private_key', 'secret', 'credentials',
  'api_key', 'auth_token', 'phone', 'customer_phone', 'recipient', 'email', 'customer_email', 'first_name', 'last_name',
  'customer_name', 'comment',
] as const;

export const REDACT_PATHS: readonly string[] = [
  ...SECRET_KEYS,
  ...SECRET_KEYS.map((k) => `*.${k}`),
  'req.headers.authorization', 'req.headers.cookie', 'headers.authorization', 'headers.cookie',
];

/**
 * Phone numbers (7+ digits, with spaces, dots, dashes or a leading +), JWTs and the branch's
 * base64url device keys (43 characters), wherever they show up in a string.
 */
const PHONE = /\+?\d(?:[\s.-]?\d){6,}/g;
const JWT = /eyJ[\w-]+\.[\w-]+\.[\w-]+/g;
const KEYLIKE = /\b[A-Za-z0-9_-]{40,}\b/g;

export function scrub(text: string): string {
  return text.replace(JWT, '[jwt]').replace(KEYLIKE, '[key]').replace(PHONE, '[phone]');
}

function errorSerializer(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const code = (error as { code?: unknown }).code;
  return {
    type: error.name,
    message: scrub(error.message),
    ...(typeof code === 'string' ? { code } : {}),
    stack: scrub(error.stack ?? ''),
  };
}

export function createLogger(options: LogOptions): AppLogger {
  const maxBytes = options.maxBytes ?? 10 * 1024 * 1024;
  const keep = Math.max(1, options.keep ?? 5);
  let file: string | null = null;
  let destination: DestinationStream & { reopen?(file?: string): void; flush?(cb?: (err?: Error) => void): void; end?(): void };
  if (options.dir) {
    mkdirSync(options.dir, { recursive: true });
    file = join(options.dir, `${options.name}.log`);
    // Asynchronous writes: a request never waits on the disk for its log line.
    destination = pino.destination({ dest: file, sync: false });
  } else {
    destination = pino.destination({ dest: 1, sync: false });
  }
  // A log file that cannot be written (disk full, folder removed) must never take the server down.
  (destination as unknown as NodeJS.EventEmitter).on('error', () => undefined);
  const logger = pino({
    level: options.level ?? 'info',
    base: { pid: process.pid, app: options.name },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: [...REDACT_PATHS], censor: '[redacted]' },
    serializers: { err: errorSerializer, error: errorSerializer },
    hooks: {
      // Messages are scrubbed too: they may quote input (a phone typed in the wrong field).
      logMethod(args, method) {
        for (let i = 0; i < args.length; i += 1) {
          const value = args[i];
          if (typeof value === 'string') args[i] = scrub(value);
        }
        return method.apply(this, args as Parameters<typeof method>);
      },
    },
  }, destination);

  let rotating = false;
  async function rotateIfNeeded(): Promise<boolean> {
    if (!file || rotating) return false;
    rotating = true;
    try {
      const size = (await stat(file).catch(() => null))?.size ?? 0;
      if (size < maxBytes) return false;
      const oldest = `${file}.${keep}`;
      if (existsSync(oldest)) rmSync(oldest, { force: true });
      for (let i = keep - 1; i >= 1; i -= 1) {
        if (existsSync(`${file}.${i}`)) renameSync(`${file}.${i}`, `${file}.${i + 1}`);
      }
      renameSync(file, `${file}.1`);
      // sonic-boom opens the path again: new lines go to a fresh file, nothing is lost in between.
      destination.reopen?.();
      return true;
    } finally {
      rotating = false;
    }
  }
  const timer = file ? setInterval(() => { void rotateIfNeeded().catch(() => undefined); }, options.checkEveryMs ?? 30_000) : null;
  timer?.unref();

  return {
    logger,
    rotateIfNeeded,
    close() {
      if (timer) clearInterval(timer);
      const boom = destination as unknown as NodeJS.EventEmitter & { fd: number; flushSync(): void; end(): void };
      return new Promise<void>((resolve) => {
        const finish = () => {
          if (!file) return resolve();
          // Everything buffered is written before the file closes ('close' once sonic-boom is done).
          boom.once('close', () => resolve());
          try {
            boom.flushSync();
          } catch {
            // A write in flight: end() still waits for it.
          }
          boom.end();
        };
        // Opened asynchronously: a server closed right after it started waits for its log file first.
        if (boom.fd < 0) {
          boom.once('ready', finish);
          boom.once('error', () => resolve());
        } else {
          finish();
        }
      });
    },
  };
}

/**
 * Where background work (jobs, the sync loop, the notification sender, clocks) reports a failure:
 * the server's logger, with its redaction and scrubbing, or stderr for a part run on its own without
 * one (a unit under test, a CLI).
 */
export function reportFailure(logger: Logger | undefined, message: string, error: unknown, fields: Readonly<Record<string, unknown>> = {}): void {
  if (logger) logger.error({ ...fields, err: error }, message);
  else console.error(message, error);
}
