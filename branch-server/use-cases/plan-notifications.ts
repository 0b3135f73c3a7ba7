import { qb, type Db } from '../db/sqlite.ts';
import type { CustomerRow } from '../db/tables/customer.table.ts';
import type { NotificationChannel } from '../db/tables/notification.table.ts';
import type { TicketRow } from '../db/tables/ticket.table.ts';
import { localTime } from '../domain/appointment-slots.ts';
import type { TicketId } from '../domain/ids.ts';
import {
  consentedRecipients, expectationFor, messageForTicketEvent, type Expectation, type MessageKind,
} from '../domain/notification-rules.ts';
import { queueEtas, trackingUrl } from '../db/repositories/tickets.repository.ts';
import { uuidv7 } from '../ids.ts';
import { enqueueJob } from '../jobs/runner.ts';
import { renderTemplate, type TemplateValues } from '../notifications/template.ts';
import { notificationRules } from './notification-settings.ts';

export const SEND_NOTIFICATION_JOB = 'notification.send';
export const NOTIFICATION_MAX_ATTEMPTS = 8;

/** What the send job carries: the message, and what must still hold when it goes out. */
export type SendPayload = Readonly<{ notificationId: string; siteId: string | null; expect: Expectation }>;

/** A template for a kind that has none falls back to these keys, in order. */
const FALLBACK_KEYS: Readonly<Partial<Record<MessageKind, readonly string[]>>> = {
  ticket_recalled: ['ticket_called'],
  appointment_reminder_24h: ['appointment_reminder'],
  appointment_reminder_1h: ['appointment_reminder'],
};

type Template = Readonly<{ subject: string; body: string }>;

/** The active template for (kind, channel) in the customer's language, else the tenant's, else any. */
function findTemplate(db: Db, tenantId: string, kind: MessageKind, channel: NotificationChannel, languages: readonly string[]): Template | null {
  for (const key of [kind, ...(FALLBACK_KEYS[kind] ?? [])]) {
    const rows = db.all(qb.selectFrom('notification_template').select(['language', 'subject', 'body'])
      .where('tenant_id', '=', tenantId).where('key', '=', key).where('channel', '=', channel).where('is_active', '=', 1).orderBy('language'));
    if (rows.length === 0) continue;
    for (const language of languages) {
      const hit = rows.find((r) => r.language === language);
      if (hit) return hit;
    }
    return rows[0]!;
  }
  return null;
}

function hasProvider(db: Db, tenantId: string, channel: NotificationChannel): boolean {
  return db.first(qb.selectFrom('notification_provider').select('id').where('tenant_id', '=', tenantId).where('channel', '=', channel).where('is_active', '=', 1)) !== undefined;
}

function parseObject(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value) ? value as Record<string, unknown> : {};
  } catch {
    return {};
  }
}

export type PlannedMessage = Readonly<{
  tenantId: string;
  siteId: string | null;
  kind: MessageKind;
  /** Makes the message unique: the same event seen twice queues it once. */
  dedupeKey: string;
  ticket: TicketRow | null;
  appointmentId: string | null;
  customer: CustomerRow | null;
  contactPhone: string;
  /** Computed only when a message is actually queued (positions cost a sort of the waiting line). */
  values: () => TemplateValues;
  expect: Expectation;
}>;

export type QueuedOutcome = Readonly<{ id: string; channel: NotificationChannel; status: 'pending' | 'dropped' }>;

/**
 * Queues one message per channel the customer consented to, where the tenant has a provider and a
 * template: a `notification` row and its send job, in the caller's transaction. Over the per-ticket
 * limit the row is recorded as `dropped` (anti-spam) and nothing is sent.
 */
export function queueMessage(db: Db, m: PlannedMessage, now: number): QueuedOutcome[] {
  const customer = m.customer;
  const recipients = consentedRecipients({
    customer: customer ? {
      phone: customer.phone, email: customer.email, notify_sms: customer.notify_sms, notify_email: customer.notify_email,
      notify_whatsapp: customer.notify_whatsapp, consents: parseObject(customer.consents), metadata: parseObject(customer.metadata),
    } : null,
    ticketPhone: m.contactPhone,
  });
  if (recipients.length === 0) return [];
  const rules = notificationRules(db, m.tenantId);
  const tenantLocale = db.first(qb.selectFrom('tenant').select('locale').where('id', '=', m.tenantId))?.locale ?? 'fr';
  const languages = [...new Set([customer?.language ?? '', tenantLocale, 'fr'].filter(Boolean))];
  const out: QueuedOutcome[] = [];
  let values: TemplateValues | null = null;
  for (const recipient of recipients) {
    if (!hasProvider(db, m.tenantId, recipient.channel)) continue;
    const template = findTemplate(db, m.tenantId, m.kind, recipient.channel, languages);
    if (!template) continue;
    const dedupeKey = `${m.dedupeKey}:${recipient.channel}`;
    if (db.first(qb.selectFrom('notification').select('id').where('tenant_id', '=', m.tenantId).where('dedupe_key', '=', dedupeKey))) continue;
    const overLimit = m.ticket !== null && (db.raw<{ n: number }>(
      `SELECT COUNT(*) AS n FROM notification WHERE ticket_id = ? AND channel = ? AND status != 'dropped'`, m.ticket.id, recipient.channel,
    )[0]?.n ?? 0) >= rules.maxPerTicket;
    const id = uuidv7(now);
    values ??= m.values();
    db.run(qb.insertInto('notification').values({
      id, tenant_id: m.tenantId, ticket_id: m.ticket?.id ?? null, customer_id: customer?.id ?? null, appointment_id: m.appointmentId,
      channel: recipient.channel, template_key: m.kind, recipient: recipient.to,
      subject: renderTemplate(template.subject, values), body: renderTemplate(template.body, values),
      status: overLimit ? 'dropped' : 'pending', last_error: overLimit ? `anti-spam: at most ${rules.maxPerTicket} messages per ticket on ${recipient.channel}` : '',
      provider_id: null, dedupe_key: dedupeKey, created_at: now, sent_at: null, delivered_at: null, updated_at: now,
    }));
    if (!overLimit) {
      const payload: SendPayload = { notificationId: id, siteId: m.siteId, expect: m.expect };
      enqueueJob(db, { type: SEND_NOTIFICATION_JOB, payload, maxAttempts: NOTIFICATION_MAX_ATTEMPTS }, now);
    }
    out.push({ id, channel: recipient.channel, status: overLimit ? 'dropped' : 'pending' });
  }
  return out;
}

type TicketContext = Readonly<{ ticket: TicketRow; queueName: string; serviceName: string; siteName: string; timezone: string; customer: CustomerRow | null }>;

function ticketContext(db: Db, ticket: TicketRow): TicketContext | null {
  const place = db.first(qb.selectFrom('queue')
    .innerJoin('service', 'service.id', 'queue.service_id').innerJoin('site', 'site.id', 'queue.site_id')
    .select(['queue.name as queue_name', 'service.name as service_name', 'site.name as site_name', 'site.timezone'])
    .where('queue.id', '=', ticket.queue_id));
  if (!place) return null;
  const customer = ticket.customer_id ? db.first(qb.selectFrom('customer').selectAll().where('id', '=', ticket.customer_id)) ?? null : null;
  return { ticket, queueName: place.queue_name, serviceName: place.service_name, siteName: place.site_name, timezone: place.timezone, customer };
}

function ticketValues(c: TicketContext, baseUrl: string, position: { position: number; etaSeconds: number } | undefined): TemplateValues {
  const tracking = trackingUrl(baseUrl, c.ticket.public_id);
  return {
    ticket_number: c.ticket.number, queue_name: c.queueName, service_name: c.serviceName, site_name: c.siteName,
    position: position?.position ?? '', eta_minutes: position ? Math.max(1, Math.round(position.etaSeconds / 60)) : '',
    counter: c.ticket.counter_label, tracking_url: tracking, feedback_url: `${tracking}#feedback`,
    appointment_time: c.ticket.appointment_at ? minutesToClock(localTime(c.ticket.appointment_at, c.timezone).minuteOfDay) : '',
  };
}

export function minutesToClock(minute: number): string {
  return `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
}

const TICKET_CURSOR = 'notifications:ticket_event';
const BATCH = 500;

export function readCursor(db: Db, name: string, table: string): number {
  const row = db.first(qb.selectFrom('event_cursor').select('position').where('name', '=', name));
  if (row) return row.position;
  // First run (a fresh install or an upgrade): start at the head, so history is never re-announced.
  const head = db.raw<{ head: number | null }>(`SELECT MAX(rowid) AS head FROM "${table}"`)[0]?.head ?? 0;
  db.run(qb.insertInto('event_cursor').values({ name, position: head }));
  return head;
}

export function writeCursor(db: Db, name: string, position: number): void {
  db.run(qb.updateTable('event_cursor').set({ position }).where('name', '=', name));
}

type EventRow = Readonly<{ rowid: number; id: string; tenant_id: string; ticket_id: string; type: string; from_status: string | null; data: string; created_at: number }>;

/**
 * Reads the ticket journal from where it stopped and queues the messages its events call for, then
 * the "N people ahead of you" message of every waiting ticket that reached the tenant's position in
 * the queues those events touched. Everything, cursor included, commits in one transaction: a crash
 * replays the batch and the dedupe keys keep each message single. Returns how many events it read.
 */
export function planTicketNotifications(db: Db, baseUrl: string, now: number): number {
  return db.tx(() => {
    const from = readCursor(db, TICKET_CURSOR, 'ticket_event');
    const events = db.raw<EventRow>(
      `SELECT rowid, id, tenant_id, ticket_id, type, from_status, data, created_at FROM ticket_event WHERE rowid > ? ORDER BY rowid LIMIT ?`, from, BATCH,
    );
    if (events.length === 0) return 0;
    const touchedQueues = new Map<string, string>();
    const sends = new Map<string, boolean>();
    const tenantSends = (tenantId: string) => {
      let any = sends.get(tenantId);
      if (any === undefined) {
        any = db.first(qb.selectFrom('notification_provider').select('id').where('tenant_id', '=', tenantId).where('is_active', '=', 1)) !== undefined;
        sends.set(tenantId, any);
      }
      return any;
    };
    for (const event of events) {
      // A tenant with no provider sends nothing: its events only move the cursor.
      if (!tenantSends(event.tenant_id)) continue;
      const kind = messageForTicketEvent(event.type, parseObject(event.data), event.from_status);
      const ticket = db.first(qb.selectFrom('ticket').selectAll().where('id', '=', event.ticket_id));
      if (!ticket) continue;
      // Tickets move up only when one ahead leaves the waiting line (called, transferred, no-show).
      if (event.from_status === 'en_attente') touchedQueues.set(ticket.queue_id, ticket.tenant_id);
      if (!kind) continue;
      const context = ticketContext(db, ticket);
      if (!context) continue;
      // The call this message is about: a recall carries the count of recalls up to this event.
      const recallCount = kind === 'ticket_called' || kind === 'ticket_recalled'
        ? db.raw<{ n: number }>(`SELECT COUNT(*) AS n FROM ticket_event WHERE ticket_id = ? AND type = 'ticket.recalled' AND rowid <= ?`, ticket.id, event.rowid)[0]?.n ?? 0
        : 0;
      const position = () => (kind === 'ticket_created' && ticket.status === 'en_attente'
        ? queueEtas(db, ticket.queue_id, now).etas.get(ticket.id as TicketId) : undefined);
      queueMessage(db, {
        tenantId: ticket.tenant_id, siteId: ticket.site_id, kind, dedupeKey: `${kind}:${ticket.id}:${recallCount}`, ticket,
        appointmentId: ticket.appointment_id, customer: context.customer, contactPhone: ticket.customer_phone,
        values: () => ticketValues(context, baseUrl, position()), expect: expectationFor(kind, recallCount),
      }, now);
    }
    for (const [queueId, tenantId] of touchedQueues) planAheadMessages(db, tenantId, queueId, baseUrl, now);
    writeCursor(db, TICKET_CURSOR, events.at(-1)!.rowid);
    return events.length;
  });
}

/**
 * "N people ahead of you": once per ticket, when it has moved up to the tenant's position. A ticket
 * issued at or before that position is never told (its confirmation already said so), because only
 * departures from the line trigger this check.
 */
function planAheadMessages(db: Db, tenantId: string, queueId: string, baseUrl: string, now: number): void {
  const { aheadPosition } = notificationRules(db, tenantId);
  if (!db.first(qb.selectFrom('notification_template').select('id').where('tenant_id', '=', tenantId).where('key', '=', 'ticket_ahead').where('is_active', '=', 1))) return;
  const { ordered, etas } = queueEtas(db, queueId, now);
  const target = ordered[aheadPosition - 1];
  if (!target) return;
  const ticket = db.first(qb.selectFrom('ticket').selectAll().where('id', '=', target.id));
  if (!ticket || ticket.status !== 'en_attente') return;
  const context = ticketContext(db, ticket);
  if (!context) return;
  const eta = etas.get(target.id);
  queueMessage(db, {
    tenantId, siteId: ticket.site_id, kind: 'ticket_ahead', dedupeKey: `ticket_ahead:${ticket.id}`, ticket, appointmentId: ticket.appointment_id,
    customer: context.customer, contactPhone: ticket.customer_phone, values: () => ticketValues(context, baseUrl, eta), expect: expectationFor('ticket_ahead', 0),
  }, now);
}
