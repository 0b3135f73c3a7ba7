import { appendAudit, SYSTEM_ACTOR } from '../db/repositories/audit.repository.ts';
import { appendOutbox } from '../db/repositories/outbox.repository.ts';
import { qb, type Db } from '../db/sqlite.ts';
import type { AppointmentRow } from '../db/tables/appointment.table.ts';
import { dueReminders, isPastGrace, REMINDER_LEAD_MS, type ReminderKind } from '../domain/appointment-timeline.ts';
import { uuidv7 } from '../ids.ts';
import type { AppointmentReminders } from './appointment-reminders.ts';
import { bookingRule } from './booking-settings.ts';
import { rebookUrl } from './public-booking.ts';
import type { Logger } from 'pino';
import { reportFailure } from '../ops/logger.ts';

export type SentReminder = Readonly<{ appointmentId: string; kind: ReminderKind }>;

/**
 * Hands every reminder due at `now` to `reminders`, then records it on the appointment, so a restart
 * (the columns are the durable state) sends what is still due and never what was recorded. At least
 * once: a crash between `send` and the record sends that one reminder again after the restart.
 * **Important**: `send` runs outside any transaction (it may await the network).
 */
export async function sendDueReminders(db: Db, reminders: AppointmentReminders, now: number, logger?: Logger): Promise<SentReminder[]> {
  const candidates = db.raw<Pick<AppointmentRow, 'id' | 'starts_at' | 'created_at' | 'reminder_h24_at' | 'reminder_h1_at'>>(
    `SELECT id, starts_at, created_at, reminder_h24_at, reminder_h1_at FROM appointment INDEXED BY appointment_scheduled_start
     WHERE status = 'scheduled' AND starts_at > ? AND starts_at <= ? AND (reminder_h24_at IS NULL OR reminder_h1_at IS NULL)
     ORDER BY starts_at`, now, now + REMINDER_LEAD_MS.h24,
  );
  const sent: SentReminder[] = [];
  for (const a of candidates) {
    for (const kind of dueReminders({ startsAt: a.starts_at, createdAt: a.created_at, h24At: a.reminder_h24_at, h1At: a.reminder_h1_at }, now)) {
      try {
        await reminders.send(a.id, kind);
      } catch (error) {
        reportFailure(logger, 'appointment reminder failed; tried again on the next tick', error, { appointment_id: a.id, kind });
        continue;
      }
      const column = kind === 'h24' ? 'reminder_h24_at' : 'reminder_h1_at';
      db.run(qb.updateTable('appointment').set({ [column]: now }).where('id', '=', a.id).where(column, 'is', null));
      sent.push({ appointmentId: a.id, kind });
    }
  }
  return sent;
}

/**
 * Scheduled appointments whose grace after the slot start has passed become no-shows (audited,
 * synced); the customer gets a pending SMS with a link to book again.
 */
export function markNoShows(db: Db, now: number, publicBase: string): string[] {
  const overdue = db.raw<AppointmentRow>(
    `SELECT * FROM appointment INDEXED BY appointment_scheduled_start WHERE status = 'scheduled' AND starts_at < ? ORDER BY starts_at`, now,
  );
  const marked: string[] = [];
  for (const before of overdue) {
    if (!isPastGrace(before.starts_at, bookingRule(db, before.service_id).grace_minutes, now)) continue;
    db.tx(() => {
      const changed = db.run(qb.updateTable('appointment').set({ status: 'no_show', updated_at: now }).where('id', '=', before.id).where('status', '=', 'scheduled'));
      if (changed === 0) return;
      const after: AppointmentRow = { ...before, status: 'no_show', updated_at: now };
      const link = rebookUrl(publicBase, before.site_id, before.service_id);
      appendAudit(db, SYSTEM_ACTOR, { tenantId: before.tenant_id, action: 'appointment.no_show', entity: 'appointment', entityId: before.id, before, after: { ...after, rebook_url: link } }, now);
      appendOutbox(db, { tenantId: before.tenant_id, entity: 'appointment', entityId: before.id, op: 'update', payload: after }, now);
      if (before.customer_phone !== '') {
        db.run(qb.insertInto('notification').values({
          id: uuidv7(now), tenant_id: before.tenant_id, ticket_id: null, customer_id: before.customer_id, channel: 'sms',
          template_key: 'appointment.no_show', recipient: before.customer_phone,
          body: `Vous avez manqué votre rendez-vous. Reprenez rendez-vous : ${link}`,
          status: 'pending', provider_id: null, created_at: now, sent_at: null, updated_at: now,
        }));
      }
      marked.push(before.id);
    });
  }
  return marked;
}
