import { z } from 'zod';
import { Empty, IsoDateTime, NullableIso } from './common.ts';
import { defineRoutes, USER } from './route.ts';

export const BackupDto = z.object({
  file: z.string().describe('file name in the backup folder'),
  kind: z.enum(['periodic', 'nightly', 'manual']),
  started_at: IsoDateTime,
  finished_at: IsoDateTime,
  bytes: z.number().int(),
  ok: z.boolean().describe('PRAGMA integrity_check of the copy said ok'),
  integrity: z.string().describe('what integrity_check said'),
  tickets: z.number().int().nullable().describe('tickets in the copy'),
});
export type BackupDto = z.infer<typeof BackupDto>;

export const BackupListDto = z.object({
  dir: z.string().describe('BACKUP_DIR: where the copies are written'),
  interval_minutes: z.number().int().describe('periodic backups (0: off)'),
  nightly_hour: z.number().int().nullable().describe('local hour of the nightly backup (null: off)'),
  keep: z.number().int(),
  keep_nightly: z.number().int(),
  last_good: BackupDto.nullable(),
  last_failure: z.object({ at: IsoDateTime, error: z.string() }).nullable(),
  last_reported_to_hq_at: NullableIso.describe('last successful sync, which carries the newest verified backup to HQ'),
  results: z.array(BackupDto).describe('newest first'),
});
export type BackupListDto = z.infer<typeof BackupListDto>;

/**
 * Online backups of the branch database (ARCHITECTURE §8). Not under a tenant: the database is the
 * branch's. Admins and managers of the branch's tenant see them; admins take one now.
 */
export const backupRoutes = defineRoutes({
  listBackups: {
    method: 'get', path: '/api/v1/backups/', tag: 'operations', access: USER,
    summary: 'Backups in BACKUP_DIR with their verification (integrity_check), newest first, and the schedule',
    response: BackupListDto,
  },
  takeBackup: {
    method: 'post', path: '/api/v1/backups/', tag: 'operations', access: USER, status: 201,
    summary: 'Takes a verified online backup now (SQLite backup API, then integrity_check)',
    body: Empty, response: BackupDto,
  },
});
