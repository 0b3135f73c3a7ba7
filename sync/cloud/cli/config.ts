import { z } from 'zod';

/** The cloud's settings, from the environment, validated before anything starts. */
const CloudEnv = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8090),
  HOST: z.string().min(1).default('0.0.0.0'),
  /** PGlite's files when DATABASE_URL is not set. */
  DATA_DIR: z.string().min(1).default('./data-cloud'),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL').optional(),
  /** JSON logs go to stdout unless LOG_DIR names a folder (rotated files there). */
  LOG_DIR: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').max(256).optional(),
  /** The desktop app's release feed served at /updates/ (branches mirror it for their PCs). */
  UPDATES_DIR: z.string().min(1).optional(),
  /** UTC hour of the nightly retention, or `off`. */
  RETENTION_HOUR: z.union([z.literal('off'), z.coerce.number().int().min(0).max(23)]).default(3),
});

export type CloudCliConfig = Readonly<{
  port: number; host: string; dataDir: string; databaseUrl: string | undefined;
  logDir: string | null; logLevel: string; metricsToken: string | null; updatesDir: string | null; retentionHour: number | null;
}>;

export function loadCloudConfig(env: NodeJS.ProcessEnv = process.env): CloudCliConfig {
  const parsed = CloudEnv.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')));
  if (!parsed.success) {
    throw new Error(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n'));
  }
  const c = parsed.data;
  return {
    port: c.PORT, host: c.HOST, dataDir: c.DATA_DIR, databaseUrl: c.DATABASE_URL,
    logDir: c.LOG_DIR ?? null, logLevel: c.LOG_LEVEL, metricsToken: c.METRICS_TOKEN ?? null,
    updatesDir: c.UPDATES_DIR ?? null, retentionHour: c.RETENTION_HOUR === 'off' ? null : c.RETENTION_HOUR,
  };
}

/** Where the data lives, for messages (never the password of a database URL). */
export function describeStore(config: CloudCliConfig): string {
  if (!config.databaseUrl) return `PGlite in ${config.dataDir}`;
  const url = new URL(config.databaseUrl);
  url.password = '';
  return `PostgreSQL ${url.host}${url.pathname}`;
}
