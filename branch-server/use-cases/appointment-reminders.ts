import { qb, type Db } from '../db/sqlite.ts';
import type { ReminderKind } from '../domain/appointment-timeline.ts';
import { uuidv7 } from '../ids.ts';

/**
 * Where appointment reminders go. The notification system (templates, channels, delivery) plugs in
 * here; `send` may be asynchronous and may throw (the reminder is then tried again on a later tick).
 */
export type AppointmentReminders = Readonly<{
  send(appointmentId: string, kind: ReminderKind): void | Promise<void>;
}>;

export const REMINDER_TEMPLATE_KEYS: Readonly<Record<ReminderKind, string>> = {
  h24: 'appointment.reminder.h24',
  h1: 'appointment.reminder.h1',
};

function localWhen(instant: number, timeZone: string): string {
  return new Intl.DateTimeFormat('fr-FR', { timeZone, dateStyle: 'short', timeStyle: 'short' }).format(instant);
}

/**
 * Until the notification system is wired in: each reminder becomes a `pending` SMS row of the
 * `notification` table, addressed to the booking's phone number, so nothing is lost and a sender can
 * pick it up. A booking without a phone number gets none.
 */
export function notificationTableReminders(db: Db, now: () => number): AppointmentReminders {
  return {
    send(appointmentId, kind) {
      const at = now();
      const a = db.first(qb.selectFrom('appointment').innerJoin('site', 'site.id', 'appointment.site_id').innerJoin('service', 'service.id', 'appointment.service_id')
        .select(['appointment.tenant_id', 'appointment.customer_id', 'appointment.customer_phone', 'appointment.starts_at', 'appointment.check_in_code',
          'site.name as site_name', 'site.timezone', 'service.name as service_name'])
        .where('appointment.id', '=', appointmentId));
      if (!a || a.customer_phone === '') return;
      const when = localWhen(a.starts_at, a.timezone);
      const body = kind === 'h24'
        ? `Rappel : rendez-vous ${a.service_name} demain ${when} à ${a.site_name}. Code d'enregistrement ${a.check_in_code}.`
        : `Rappel : rendez-vous ${a.service_name} dans une heure (${when}) à ${a.site_name}. Code ${a.check_in_code} à la borne.`;
      db.run(qb.insertInto('notification').values({
        id: uuidv7(at), tenant_id: a.tenant_id, ticket_id: null, customer_id: a.customer_id, channel: 'sms',
        template_key: REMINDER_TEMPLATE_KEYS[kind], recipient: a.customer_phone, body, status: 'pending', provider_id: null,
        created_at: at, sent_at: null, updated_at: at,
      }));
    },
  };
}
