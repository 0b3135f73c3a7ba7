import { qb, type Db } from '../db/sqlite.ts';
import { localTime } from '../domain/appointment-slots.ts';
import type { ReminderKind } from '../domain/appointment-timeline.ts';
import { DomainError } from '../domain/errors.ts';
import { expectationFor, type MessageKind } from '../domain/notification-rules.ts';
import { minutesToClock, queueMessage, type QueuedOutcome } from './plan-notifications.ts';

const KINDS: Readonly<Record<ReminderKind, MessageKind>> = { h24: 'appointment_reminder_24h', h1: 'appointment_reminder_1h' };

export type ReminderDeps = Readonly<{
  db: Db;
  now: () => number;
  /** Base of the tracking links in messages (PUBLIC_URL); optional, reminders rarely carry one. */
  publicUrl?: string | null;
}>;

/**
 * The appointments code calls this when a reminder is due (24 h and 1 h before the slot): it queues
 * the reminder on each channel the customer consented to — a phone given when booking is consent
 * to SMS — using the template `appointment_reminder_24h` / `appointment_reminder_1h` (falling back
 * to `appointment_reminder`). Idempotent: a second call for the same appointment and kind queues
 * nothing. The message is dropped at send time if the appointment was cancelled, checked in or has
 * started by then; quiet hours hold it back. Returns what was queued (empty: no consent, provider
 * or template).
 */
export function enqueueAppointmentReminder(deps: ReminderDeps, appointmentId: string, kind: ReminderKind): QueuedOutcome[] {
  const { db } = deps;
  const now = deps.now();
  return db.tx(() => {
    const appointment = db.first(qb.selectFrom('appointment').selectAll().where('id', '=', appointmentId));
    if (!appointment) throw new DomainError('not-found', 'Appointment not found.');
    if (appointment.status !== 'scheduled' || appointment.starts_at <= now) return [];
    const service = db.first(qb.selectFrom('service').select('name').where('id', '=', appointment.service_id));
    const site = db.first(qb.selectFrom('site').select(['name', 'timezone']).where('id', '=', appointment.site_id));
    const place = service && site ? { service_name: service.name, site_name: site.name, timezone: site.timezone } : null;
    const customer = appointment.customer_id ? db.first(qb.selectFrom('customer').selectAll().where('id', '=', appointment.customer_id)) ?? null : null;
    const messageKind = KINDS[kind];
    const local = place ? localTime(appointment.starts_at, place.timezone) : null;
    return queueMessage(db, {
      tenantId: appointment.tenant_id, siteId: appointment.site_id, kind: messageKind, dedupeKey: `${messageKind}:${appointment.id}:${appointment.starts_at}`,
      ticket: null, appointmentId: appointment.id, customer, contactPhone: appointment.customer_phone,
      values: () => ({
        service_name: place?.service_name ?? '', queue_name: place?.service_name ?? '', site_name: place?.site_name ?? '',
        appointment_time: local ? `${local.date} ${minutesToClock(local.minuteOfDay)}` : '',
        tracking_url: deps.publicUrl ?? '', ticket_number: appointment.check_in_code,
      }),
      expect: expectationFor(messageKind, 0),
    }, now);
  });
}

/**
 * Where the day keeper (jobs/appointment-clock.ts) sends a due reminder. `send` may be asynchronous
 * and may throw (the reminder is then tried again on a later tick).
 */
export type AppointmentReminders = Readonly<{
  send(appointmentId: string, kind: ReminderKind): void | Promise<void>;
}>;

/** Reminders through the notification system: templates, consent, quiet hours, durable delivery. */
export function notificationReminders(deps: ReminderDeps): AppointmentReminders {
  return { send: (appointmentId, kind) => void enqueueAppointmentReminder(deps, appointmentId, kind) };
}
