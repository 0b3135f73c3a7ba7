import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';

/** Every setting, from environment variables (and an optional JSON config file), validated at start. */
const ConfigSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATA_DIR: z.string().min(1).default('./data'),
  PUBLIC_URL: z.string().url().optional(),
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(30).max(86_400).default(900),
  REFRESH_TOKEN_TTL_SECONDS: z.coerce.number().int().min(300).max(365 * 86_400).default(30 * 86_400),
  PAIRING_CODE_TTL_SECONDS: z.coerce.number().int().min(60).max(7 * 86_400).default(15 * 60),
  DEMO_TENANT: z.enum(['true', 'false']).default('true'),
  WS_HEARTBEAT_SECONDS: z.coerce.number().min(0.05).max(3600).default(30),
  WS_MAX_BUFFERED_BYTES: z.coerce.number().int().min(1024).max(256 * 1024 * 1024).default(1024 * 1024),
  TICKET_FONT: z.string().min(1).optional(),
  PRINTER_HEALTH_SECONDS: z.coerce.number().int().min(0).max(86_400).default(60),
  CLOUD_URL: z.string().url().refine((url) => /^https?:\/\//i.test(url), 'must be an http(s) URL').optional(),
  ENROLL_TOKEN: z.string().trim().min(16).max(128).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').max(256).optional(),
  BACKUP_DIR: z.string().min(1).optional(),
  BACKUP_INTERVAL_MINUTES: z.coerce.number().int().min(0).max(24 * 60).default(15),
  BACKUP_NIGHTLY_HOUR: z.union([z.literal('off'), z.coerce.number().int().min(0).max(23)]).default(2),
  BACKUP_KEEP: z.coerce.number().int().min(1).max(1000).default(8),
  BACKUP_KEEP_NIGHTLY: z.coerce.number().int().min(1).max(1000).default(7),
  RETENTION_HOUR: z.union([z.literal('off'), z.coerce.number().int().min(0).max(23)]).default(3),
});

export type BranchConfig = Readonly<{
  port: number;
  host: string;
  dataDir: string;
  publicUrl: string | null;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  pairingCodeTtlSeconds: number;
  demoTenant: boolean;
  wsHeartbeatMs: number;
  wsMaxBufferedBytes: number;
  /** A TrueType font with Arabic glyphs for printed tickets; null: look for DejaVu Sans and the like. */
  ticketFont: string | null;
  /** Idle printers have their status read this often (0: only before jobs). */
  printerHealthMs: number;
  /** The cloud to enroll with (with enrollToken), or to follow once enrolled. */
  cloudUrl: string | null;
  /** A single-use enrollment token from HQ: enrolls on start if this branch is not enrolled yet. */
  enrollToken: string | null;
  logLevel: string;
  /** Opens /metrics to the network with `Authorization: Bearer <token>`; without it, loopback only. */
  metricsToken: string | null;
  /** Where verified backups go (a second disk, a USB stick); DATA_DIR/backups when null. */
  backupDir: string | null;
  backupIntervalMinutes: number;
  backupNightlyHour: number | null;
  backupKeep: number;
  backupKeepNightly: number;
  /** Local hour of the nightly retention job; null: off. */
  retentionHour: number | null;
}>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * Reads `SMARTQUEUE_CONFIG` (a JSON file of the same keys) then the environment (which wins).
 * Any invalid value stops the start with a message naming the variable.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Readonly<Record<string, string>> = {}): BranchConfig {
  let fileValues: Record<string, unknown> = {};
  const file = env['SMARTQUEUE_CONFIG'];
  if (file) {
    if (!existsSync(file)) throw new ConfigError(`SMARTQUEUE_CONFIG: file not found: ${file}`);
    try {
      fileValues = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    } catch (error) {
      throw new ConfigError(`SMARTQUEUE_CONFIG: ${file} is not valid JSON (${(error as Error).message})`);
    }
  }
  const merged: Record<string, unknown> = { ...fileValues };
  for (const key of Object.keys(ConfigSchema.shape)) {
    if (env[key] !== undefined && env[key] !== '') merged[key] = env[key];
  }
  // Command-line flags (`npm start -- --cloud-url … --enroll …`) win over the environment.
  Object.assign(merged, overrides);
  const parsed = ConfigSchema.safeParse(merged);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const c = parsed.data;
  return {
    port: c.PORT,
    host: c.HOST,
    dataDir: resolve(c.DATA_DIR),
    publicUrl: c.PUBLIC_URL ? c.PUBLIC_URL.replace(/\/+$/, '') : null,
    accessTokenTtlSeconds: c.ACCESS_TOKEN_TTL_SECONDS,
    refreshTokenTtlSeconds: c.REFRESH_TOKEN_TTL_SECONDS,
    pairingCodeTtlSeconds: c.PAIRING_CODE_TTL_SECONDS,
    demoTenant: c.DEMO_TENANT === 'true',
    wsHeartbeatMs: Math.round(c.WS_HEARTBEAT_SECONDS * 1000),
    wsMaxBufferedBytes: c.WS_MAX_BUFFERED_BYTES,
    ticketFont: c.TICKET_FONT ? resolve(c.TICKET_FONT) : null,
    printerHealthMs: c.PRINTER_HEALTH_SECONDS * 1000,
    cloudUrl: c.CLOUD_URL ? c.CLOUD_URL.replace(/\/+$/, '') : null,
    enrollToken: c.ENROLL_TOKEN ?? null,
    logLevel: c.LOG_LEVEL,
    metricsToken: c.METRICS_TOKEN ?? null,
    backupDir: c.BACKUP_DIR ? resolve(c.BACKUP_DIR) : null,
    backupIntervalMinutes: c.BACKUP_INTERVAL_MINUTES,
    backupNightlyHour: c.BACKUP_NIGHTLY_HOUR === 'off' ? null : c.BACKUP_NIGHTLY_HOUR,
    backupKeep: c.BACKUP_KEEP,
    backupKeepNightly: c.BACKUP_KEEP_NIGHTLY,
    retentionHour: c.RETENTION_HOUR === 'off' ? null : c.RETENTION_HOUR,
  };
}
