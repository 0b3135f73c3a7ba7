import type { z } from 'zod';
import type { NotificationSettingsDto, UpdateNotificationSettingsBody } from '../contract/notifications.contract.ts';
import { appendAudit } from '../db/repositories/audit.repository.ts';
import { invalidReference } from '../db/repositories/device-config.repository.ts';
import { qb, type Db } from '../db/sqlite.ts';
import type { QuietHours } from '../domain/notification-rules.ts';
import type { Caller, UseCaseDeps } from './deps.ts';

type SettingsDto = z.infer<typeof NotificationSettingsDto>;

export type NotificationRules = Readonly<{ maxPerTicket: number; aheadPosition: number; staleAfterMs: number }>;

export const DEFAULT_RULES: NotificationRules = { maxPerTicket: 5, aheadPosition: 3, staleAfterMs: 900_000 };

export function notificationRules(db: Db, tenantId: string): NotificationRules {
  const row = db.first(qb.selectFrom('notification_settings').selectAll().where('tenant_id', '=', tenantId));
  return row ? { maxPerTicket: row.max_per_ticket, aheadPosition: row.ahead_position, staleAfterMs: row.stale_after_seconds * 1000 } : DEFAULT_RULES;
}

export function quietHoursOf(db: Db, siteId: string): QuietHours | null {
  const row = db.first(qb.selectFrom('notification_quiet_hours').selectAll().where('site_id', '=', siteId));
  return row ? { startMinute: row.start_minute, endMinute: row.end_minute } : null;
}

const hhmm = (minute: number) => `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
const minuteOf = (text: string) => Number(text.slice(0, 2)) * 60 + Number(text.slice(3, 5));

export function getNotificationSettings(db: Db, tenantId: string): SettingsDto {
  const rules = notificationRules(db, tenantId);
  const quiet = db.all(qb.selectFrom('notification_quiet_hours').selectAll().where('tenant_id', '=', tenantId).orderBy('site_id'));
  return {
    max_per_ticket: rules.maxPerTicket, ahead_position: rules.aheadPosition, stale_after_seconds: Math.round(rules.staleAfterMs / 1000),
    quiet_hours: quiet.map((q) => ({ site: q.site_id, start: hhmm(q.start_minute), end: hhmm(q.end_minute) })),
  };
}

export function updateNotificationSettings(deps: UseCaseDeps, caller: Caller, patch: z.infer<typeof UpdateNotificationSettingsBody>): SettingsDto {
  const { db } = deps;
  return db.tx(() => {
    const before = getNotificationSettings(db, caller.tenantId);
    if (patch.quiet_hours) {
      const sites = new Set(db.all(qb.selectFrom('site').select('id').where('tenant_id', '=', caller.tenantId)).map((s) => s.id));
      const issues = patch.quiet_hours.flatMap((q, i) => [
        ...(sites.has(q.site) ? [] : [{ field: `quiet_hours.${i}.site`, message: 'unknown site' }]),
        ...(patch.quiet_hours!.findIndex((o) => o.site === q.site) !== i ? [{ field: `quiet_hours.${i}.site`, message: 'one entry per site' }] : []),
      ]);
      if (issues.length > 0) throw invalidReference(issues);
    }
    const next = {
      max_per_ticket: patch.max_per_ticket ?? before.max_per_ticket,
      ahead_position: patch.ahead_position ?? before.ahead_position,
      stale_after_seconds: patch.stale_after_seconds ?? before.stale_after_seconds,
    };
    db.run(qb.insertInto('notification_settings').values({ tenant_id: caller.tenantId, ...next, updated_at: caller.now })
      .onConflict((oc) => oc.column('tenant_id').doUpdateSet({ ...next, updated_at: caller.now })));
    if (patch.quiet_hours) {
      db.run(qb.deleteFrom('notification_quiet_hours').where('tenant_id', '=', caller.tenantId));
      for (const q of patch.quiet_hours) {
        db.run(qb.insertInto('notification_quiet_hours').values({
          site_id: q.site, tenant_id: caller.tenantId, start_minute: minuteOf(q.start), end_minute: minuteOf(q.end), updated_at: caller.now,
        }));
      }
    }
    const after = getNotificationSettings(db, caller.tenantId);
    appendAudit(db, caller.actor, { tenantId: caller.tenantId, action: 'notification_settings.updated', entity: 'tenant', entityId: caller.tenantId, before, after }, caller.now);
    return after;
  });
}
