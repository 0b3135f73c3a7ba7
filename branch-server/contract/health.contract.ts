import { z } from 'zod';
import { IsoDateTime, NullableIso } from './common.ts';
import { defineRoutes, PUBLIC } from './route.ts';

/** `ok`: all good; `degraded`: serving, but someone should look; `failing`: cannot serve correctly. */
export const HealthStatus = z.enum(['ok', 'degraded', 'failing']);
export type HealthStatus = z.infer<typeof HealthStatus>;

const why = z.string().optional().describe('why the check is not ok');

export const HealthDto = z.object({
  status: HealthStatus.describe('the worst status of the checks'),
  version: z.string(),
  checks: z.object({
    database: z.object({ status: HealthStatus, latency_ms: z.number().nullable(), detail: why }),
    disk: z.object({ status: HealthStatus, free_bytes: z.number().int().nullable().describe('free space in DATA_DIR'), detail: why }),
    migrations: z.object({
      status: HealthStatus,
      applied: z.number().int(),
      expected: z.number().int().describe('migrations this build knows'),
      detail: why,
    }),
    clock: z.object({ status: HealthStatus, now: IsoDateTime, detail: why }),
    sync: z.object({
      status: HealthStatus,
      state: z.enum(['online', 'offline', 'enrolling', 'error', 'not_enrolled']),
      outbox_depth: z.number().int(),
      oldest_unsent_age_ms: z.number().int().nullable(),
      detail: why,
    }).describe('upload to HQ: degraded when refused or when changes wait more than an hour'),
    printers: z.object({
      status: HealthStatus,
      total: z.number().int(),
      not_ready: z.array(z.object({ id: z.string(), name: z.string(), state: z.string() })).describe('printers whose last status read was not ready'),
      detail: why,
    }),
    backups: z.object({
      status: HealthStatus,
      last_good_at: NullableIso.describe('newest backup that passed integrity_check'),
      last_good_file: z.string().nullable(),
      detail: why,
    }).describe('degraded when the newest verified backup is older than two backup intervals, or the last attempt failed'),
  }),
});
export type HealthDto = z.infer<typeof HealthDto>;

export const healthRoutes = defineRoutes({
  health: {
    method: 'get', path: '/api/v1/health/', tag: 'operations', access: PUBLIC,
    summary: 'Health of this branch server: database, disk, migrations, clock, sync, printers and backups. 200 when ok or degraded, 503 when failing',
    response: HealthDto,
  },
});
