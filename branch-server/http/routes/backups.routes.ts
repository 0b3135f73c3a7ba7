import type { BackupDto, backupRoutes } from '../../contract/backups.contract.ts';
import type { BackupRecord } from '../../ops/backups.ts';
import type { Handlers } from '../context.ts';
import { requireBranchRole } from './sync.routes.ts';

const iso = (ms: number) => new Date(ms).toISOString();

function toDto(r: BackupRecord): BackupDto {
  return {
    file: r.file, kind: r.kind, started_at: iso(r.started_at), finished_at: iso(r.finished_at), bytes: r.bytes,
    ok: r.ok, integrity: r.integrity, tickets: r.tickets,
  };
}

export const backupHandlers: Handlers<typeof backupRoutes> = {
  listBackups(ctx) {
    requireBranchRole(ctx.deps.db, ctx.principal, ['admin', 'manager']);
    const { backups, sync } = ctx.deps;
    const list = backups.list();
    const good = list.find((r) => r.ok) ?? null;
    const failure = backups.lastFailure;
    const lastPush = sync.status();
    const reported = Math.max(lastPush.last_push_at ?? 0, lastPush.last_pull_at ?? 0);
    return {
      dir: backups.dir, interval_minutes: backups.options.intervalMinutes, nightly_hour: backups.options.nightlyHour,
      keep: backups.options.keep, keep_nightly: backups.options.keepNightly,
      last_good: good ? toDto(good) : null,
      last_failure: failure ? { at: iso(failure.at), error: failure.error } : null,
      last_reported_to_hq_at: sync.enrolled && reported > 0 ? iso(reported) : null,
      results: list.map(toDto),
    };
  },
  async takeBackup(ctx) {
    requireBranchRole(ctx.deps.db, ctx.principal, ['admin']);
    return toDto(await ctx.deps.backups.take('manual'));
  },
};
