import type { z } from 'zod';
import type { AppointmentDto, AppointmentListQuery, BookAppointmentBody, RescheduleBody } from '../contract/appointments.contract.ts';
import type { TicketDto } from '../contract/tickets.contract.ts';
import { qb, type Db } from '../db/sqlite.ts';
import { appendAudit } from '../db/repositories/audit.repository.ts';
import { invalidReference } from '../db/repositories/device-config.repository.ts';
import { appendOutbox } from '../db/repositories/outbox.repository.ts';
import type { AppointmentRow } from '../db/tables/appointment.table.ts';
import type { ServiceRow } from '../db/tables/service.table.ts';
import type { SiteRow } from '../db/tables/site.table.ts';
import { daySlots, isLocalDate, localTime, nextDate, slotStartingAt, zonedInstant, type Slot as SlotWindow } from '../domain/appointment-slots.ts';
import { bookingRule, slotConfig } from './booking-settings.ts';
import { isLateArrival } from '../domain/appointment-timeline.ts';
import { DomainError } from '../domain/errors.ts';
import { uuidv7 } from '../ids.ts';
import type { Caller, UseCaseDeps } from './deps.ts';
import type { DomainEvent } from './events.ts';
import { humanCode, normalizeHumanCode } from './human-code.ts';
import { issueTicket } from './issue-ticket.ts';
import { arriveRemote } from './remote-join.ts';

export const CHECK_IN_CODE_LENGTH = 6;

export type Slot = { starts_at: string; ends_at: string; available: number; capacity: number };

/**
 * The service and the site an appointment is at. Without `site`, the one site whose queues serve
 * the service; a service offered at several sites needs `site`.
 */
export function resolveServiceSite(db: Db, tenantId: string, serviceId: string, siteId: string | undefined): { service: ServiceRow; site: SiteRow } {
  const service = db.first(qb.selectFrom('service').selectAll().where('id', '=', serviceId).where('tenant_id', '=', tenantId).where('is_active', '=', 1));
  if (!service) throw invalidReference([{ field: 'service', message: 'unknown service' }]);
  const siteIds = [...new Set(db.all(qb.selectFrom('queue').select('site_id').where('tenant_id', '=', tenantId).where('service_id', '=', serviceId)).map((q) => q.site_id))];
  if (siteId !== undefined) {
    const site = db.first(qb.selectFrom('site').selectAll().where('id', '=', siteId).where('tenant_id', '=', tenantId));
    if (!site) throw invalidReference([{ field: 'site', message: 'unknown site' }]);
    if (!siteIds.includes(site.id)) throw invalidReference([{ field: 'site', message: `no queue serves "${service.name}" at this site` }]);
    return { service, site };
  }
  if (siteIds.length === 0) throw invalidReference([{ field: 'service', message: `no queue serves "${service.name}"` }]);
  if (siteIds.length > 1) {
    throw new DomainError('validation-failed', `site: "${service.name}" is offered at several sites; say which.`, [{ field: 'site', message: 'required for this service' }]);
  }
  const site = db.first(qb.selectFrom('site').selectAll().where('id', '=', siteIds[0]!))!;
  return { service, site };
}

/**
 * Places per slot: the service's capacity when set, else the agents whose skills include a queue of
 * the service at the site (at least one); `bookable` adds the overbooking places.
 */
export function slotPlaces(db: Db, tenantId: string, serviceId: string, siteId: string): { capacity: number; bookable: number } {
  const rule = bookingRule(db, serviceId);
  const capacity = rule.capacity ?? skilledAgents(db, tenantId, serviceId, siteId);
  return { capacity, bookable: capacity + rule.overbooking };
}

function skilledAgents(db: Db, tenantId: string, serviceId: string, siteId: string): number {
  const row = db.raw<{ n: number }>(
    `SELECT COUNT(DISTINCT aq.user_id) AS n FROM agent_queue aq
       JOIN queue q ON q.id = aq.queue_id
       JOIN tenant_membership m ON m.tenant_id = aq.tenant_id AND m.user_id = aq.user_id AND m.is_active = 1
     WHERE aq.tenant_id = ? AND q.service_id = ? AND q.site_id = ?`,
    tenantId, serviceId, siteId,
  )[0];
  return Math.max(1, row?.n ?? 0);
}

/** Non-cancelled bookings by slot start, in [from, to). */
function bookedBySlot(db: Db, tenantId: string, serviceId: string, siteId: string, from: number, to: number): Map<number, number> {
  const rows = db.raw<{ starts_at: number; n: number }>(
    `SELECT starts_at, COUNT(*) AS n FROM appointment
     WHERE tenant_id = ? AND service_id = ? AND site_id = ? AND status != 'cancelled' AND starts_at >= ? AND starts_at < ?
     GROUP BY starts_at`,
    tenantId, serviceId, siteId, from, to,
  );
  return new Map(rows.map((r) => [r.starts_at, r.n]));
}

export function listSlots(db: Db, tenantId: string, query: Readonly<{ service: string; date: string; site?: string | undefined }>, now: number): Slot[] {
  if (!isLocalDate(query.date)) throw new DomainError('validation-failed', `Query date: '${query.date}' is not a calendar date.`, [{ field: 'date', message: 'not a calendar date' }]);
  const { service, site } = resolveServiceSite(db, tenantId, query.service, query.site);
  const slots = daySlots(query.date, site.timezone, slotConfig(db, site.id, service.id));
  if (slots.length === 0) return [];
  const { capacity, bookable } = slotPlaces(db, tenantId, service.id, site.id);
  const booked = bookedBySlot(db, tenantId, service.id, site.id, slots[0]!.startsAt, slots.at(-1)!.endsAt);
  return slots.map((slot) => ({
    starts_at: new Date(slot.startsAt).toISOString(),
    ends_at: new Date(slot.endsAt).toISOString(),
    available: slot.startsAt <= now ? 0 : Math.max(0, bookable - (booked.get(slot.startsAt) ?? 0)),
    capacity,
  }));
}

export function toAppointmentDtos(db: Db, rows: readonly AppointmentRow[]): AppointmentDto[] {
  const ids = [...new Set(rows.map((r) => r.service_id))];
  const names = new Map(ids.length === 0 ? [] : db.all(qb.selectFrom('service').select(['id', 'name']).where('id', 'in', ids)).map((s) => [s.id, s.name]));
  return rows.map((row) => ({
    id: row.id, service: row.service_id, service_name: names.get(row.service_id) ?? '', site: row.site_id,
    customer: row.customer_id, customer_name: row.customer_name, customer_phone: row.customer_phone,
    starts_at: new Date(row.starts_at).toISOString(), ends_at: new Date(row.ends_at).toISOString(),
    status: row.status, check_in_code: row.check_in_code, ticket: row.ticket_id,
    created_at: new Date(row.created_at).toISOString(), updated_at: new Date(row.updated_at).toISOString(),
  }));
}

export function getAppointmentRow(db: Db, tenantId: string, id: string): AppointmentRow {
  const row = db.first(qb.selectFrom('appointment').selectAll().where('id', '=', id).where('tenant_id', '=', tenantId));
  if (!row) throw new DomainError('not-found', 'Appointment not found.');
  return row;
}

/** The filtered list query, by start time; `date` is each site's local day. */
export function appointmentListQuery(db: Db, tenantId: string, q: z.infer<typeof AppointmentListQuery>) {
  let query = qb.selectFrom('appointment').selectAll().where('tenant_id', '=', tenantId);
  if (q.status) query = query.where('status', '=', q.status);
  if (q.service) query = query.where('service_id', '=', q.service);
  if (q.site) query = query.where('site_id', '=', q.site);
  if (q.customer) query = query.where('customer_id', '=', q.customer);
  if (q.date) {
    const date = q.date;
    if (!isLocalDate(date)) throw new DomainError('validation-failed', `Query date: '${date}' is not a calendar date.`, [{ field: 'date', message: 'not a calendar date' }]);
    let sites = qb.selectFrom('site').select(['id', 'timezone']).where('tenant_id', '=', tenantId);
    if (q.site) sites = sites.where('id', '=', q.site);
    const ranges = db.all(sites).map((s) => ({ id: s.id, from: zonedInstant(date, 0, s.timezone), to: zonedInstant(nextDate(date), 0, s.timezone) }));
    query = ranges.length === 0
      ? query.where('site_id', '=', '')
      : query.where((eb) => eb.or(ranges.map((r) => eb.and([eb('site_id', '=', r.id), eb('starts_at', '>=', r.from), eb('starts_at', '<', r.to)]))));
  }
  return query.orderBy('starts_at').orderBy('id');
}

function freshCheckInCode(db: Db): string {
  for (;;) {
    const code = humanCode(CHECK_IN_CODE_LENGTH);
    if (!db.first(qb.selectFrom('appointment').select('id').where('check_in_code', '=', code))) return code;
  }
}

/**
 * The slot starting at `startsAt` if a booking still fits: on the service's grid within the site's
 * hours, not started, fewer bookings than capacity + overbooking. **Important**: call it inside the
 * transaction that inserts the booking; SQLite's single writer then makes check-and-insert atomic,
 * so concurrent bookings never exceed the places.
 */
function freeSlot(db: Db, caller: Caller, serviceId: string, site: SiteRow, startsAt: number): SlotWindow {
  const slot = slotStartingAt(startsAt, site.timezone, slotConfig(db, site.id, serviceId));
  if (!slot) {
    throw new DomainError('validation-failed', "starts_at: must be the start of a free slot within the site's opening hours, site time (see slots/).",
      [{ field: 'starts_at', message: 'not the start of a slot' }]);
  }
  if (slot.startsAt <= caller.now) throw new DomainError('slot-unavailable', 'This slot has already started. Choose a later one.');
  const { bookable } = slotPlaces(db, caller.tenantId, serviceId, site.id);
  const taken = bookedBySlot(db, caller.tenantId, serviceId, site.id, slot.startsAt, slot.endsAt).get(slot.startsAt) ?? 0;
  if (taken >= bookable) throw new DomainError('slot-unavailable', 'This slot is full. Choose another one.');
  return slot;
}

/** Books a slot: on a slot boundary, not started, not full; the customer gets a check-in code. */
export function bookAppointment(deps: UseCaseDeps, caller: Caller, body: z.infer<typeof BookAppointmentBody>): AppointmentDto {
  const { db } = deps;
  const row = db.tx(() => {
    const { service, site } = resolveServiceSite(db, caller.tenantId, body.service, body.site);
    const slot = freeSlot(db, caller, service.id, site, Date.parse(body.starts_at));
    let name = body.customer_name ?? '';
    let phone = body.customer_phone ?? '';
    if (body.customer) {
      const customer = db.first(qb.selectFrom('customer').selectAll().where('id', '=', body.customer).where('tenant_id', '=', caller.tenantId));
      if (!customer) throw invalidReference([{ field: 'customer', message: 'unknown customer' }]);
      name ||= `${customer.first_name} ${customer.last_name}`.trim();
      phone ||= customer.phone;
    }
    const row: AppointmentRow = {
      id: uuidv7(caller.now), tenant_id: caller.tenantId, site_id: site.id, service_id: service.id, customer_id: body.customer ?? null,
      customer_name: name, customer_phone: phone, starts_at: slot.startsAt, ends_at: slot.endsAt, status: 'scheduled',
      check_in_code: freshCheckInCode(db), ticket_id: null, reminder_h24_at: null, reminder_h1_at: null,
      created_at: caller.now, updated_at: caller.now,
    };
    db.run(qb.insertInto('appointment').values(row));
    appendAudit(db, caller.actor, { tenantId: caller.tenantId, action: 'appointment.created', entity: 'appointment', entityId: row.id, after: row }, caller.now);
    appendOutbox(db, { tenantId: caller.tenantId, entity: 'appointment', entityId: row.id, op: 'insert', payload: row }, caller.now);
    return row;
  });
  return toAppointmentDtos(db, [row])[0]!;
}

function notNow(status: AppointmentRow['status']): string {
  switch (status) {
    case 'checked_in': return 'This appointment has already been checked in.';
    case 'cancelled': return 'This appointment was cancelled.';
    case 'completed': return 'This appointment is already completed.';
    default: return 'This appointment was missed (no-show).';
  }
}

export type CheckInOptions = Readonly<{ channel: 'kiosk' | 'web'; kioskSiteId: string | null }>;

/**
 * The customer arrived: the appointment becomes a ticket in the queue of its service at its site,
 * called at its slot time. The ticket and the appointment change commit together; events follow.
 */
export function checkIn(deps: UseCaseDeps, caller: Caller, input: string, options: CheckInOptions): TicketDto {
  const { db } = deps;
  const code = normalizeHumanCode(input, CHECK_IN_CODE_LENGTH);
  const unknown = () => invalidReference([{ field: 'code', message: 'no appointment has this check-in code' }]);
  if (code === null) throw unknown();
  const pending: DomainEvent[] = [];
  const buffered: UseCaseDeps = { db, events: { publish: (events) => { pending.push(...events); } } };
  const ticket = db.tx(() => {
    const before = db.first(qb.selectFrom('appointment').selectAll().where('tenant_id', '=', caller.tenantId).where('check_in_code', '=', code));
    if (!before) {
      const remote = arriveRemote(buffered, caller, code, options.kioskSiteId);
      if (remote) return remote;
      throw unknown();
    }
    if (before.status !== 'scheduled') throw new DomainError('illegal-transition', notNow(before.status));
    if (options.kioskSiteId !== null && options.kioskSiteId !== before.site_id) {
      throw invalidReference([{ field: 'code', message: 'this appointment is at another site' }]);
    }
    const site = db.first(qb.selectFrom('site').select('timezone').where('id', '=', before.site_id));
    const timezone = site?.timezone ?? 'UTC';
    const day = localTime(before.starts_at, timezone).date;
    if (day !== localTime(caller.now, timezone).date) {
      throw new DomainError('illegal-transition', `This appointment is on ${day}; check in on that day.`);
    }
    const queues = db.all(qb.selectFrom('queue').select(['id', 'status']).where('tenant_id', '=', caller.tenantId)
      .where('service_id', '=', before.service_id).where('site_id', '=', before.site_id).orderBy('created_at'));
    const queue = queues.find((q) => q.status === 'open') ?? queues[0];
    if (!queue) throw invalidReference([{ field: 'code', message: 'no queue serves this appointment\'s service at its site' }]);
    // Early: the ticket waits until its slot. Later than the grace: the slot is gone, a walk-in.
    const late = isLateArrival(before.starts_at, bookingRule(db, before.service_id).grace_minutes, caller.now);
    const ticket = issueTicket(buffered, caller, {
      queueId: queue.id, channel: options.channel, priority: 0, customerId: before.customer_id,
      customerName: before.customer_name, customerPhone: before.customer_phone,
      appointment: { id: before.id, startsAt: late ? null : before.starts_at },
    });
    const after: AppointmentRow = { ...before, status: 'checked_in', ticket_id: ticket.id, updated_at: caller.now };
    db.run(qb.updateTable('appointment').set({ status: 'checked_in', ticket_id: ticket.id, updated_at: caller.now }).where('id', '=', before.id));
    appendAudit(db, caller.actor, {
      tenantId: caller.tenantId, action: 'appointment.checked_in', entity: 'appointment', entityId: before.id, before, after: { ...after, late },
    }, caller.now);
    appendOutbox(db, { tenantId: caller.tenantId, entity: 'appointment', entityId: before.id, op: 'update', payload: after }, caller.now);
    return ticket;
  });
  deps.events.publish(pending);
  return ticket;
}

export function cancelAppointment(deps: UseCaseDeps, caller: Caller, id: string, reason: string): AppointmentDto {
  const { db } = deps;
  const after = db.tx(() => {
    const before = getAppointmentRow(db, caller.tenantId, id);
    if (before.status !== 'scheduled') throw new DomainError('illegal-transition', `Only a scheduled appointment can be cancelled. ${notNow(before.status)}`);
    const after: AppointmentRow = { ...before, status: 'cancelled', updated_at: caller.now };
    db.run(qb.updateTable('appointment').set({ status: 'cancelled', updated_at: caller.now }).where('id', '=', id));
    appendAudit(db, caller.actor, { tenantId: caller.tenantId, action: 'appointment.cancelled', entity: 'appointment', entityId: id, before, after: { ...after, reason } }, caller.now);
    appendOutbox(db, { tenantId: caller.tenantId, entity: 'appointment', entityId: id, op: 'update', payload: after }, caller.now);
    return after;
  });
  return toAppointmentDtos(db, [after])[0]!;
}

/** Moves a scheduled appointment to another free slot of its service; the code stays, reminders start over. */
export function rescheduleAppointment(deps: UseCaseDeps, caller: Caller, id: string, body: z.infer<typeof RescheduleBody>): AppointmentDto {
  const { db } = deps;
  const after = db.tx(() => {
    const before = getAppointmentRow(db, caller.tenantId, id);
    if (before.status !== 'scheduled') throw new DomainError('illegal-transition', `Only a scheduled appointment can be rescheduled. ${notNow(before.status)}`);
    const site = db.first(qb.selectFrom('site').selectAll().where('id', '=', before.site_id))!;
    const startsAt = Date.parse(body.starts_at);
    if (startsAt === before.starts_at) throw new DomainError('validation-failed', 'starts_at: this is already the time of the appointment.', [{ field: 'starts_at', message: 'unchanged' }]);
    const slot = freeSlot(db, caller, before.service_id, site, startsAt);
    const after: AppointmentRow = { ...before, starts_at: slot.startsAt, ends_at: slot.endsAt, reminder_h24_at: null, reminder_h1_at: null, updated_at: caller.now };
    db.run(qb.updateTable('appointment').set({ starts_at: slot.startsAt, ends_at: slot.endsAt, reminder_h24_at: null, reminder_h1_at: null, updated_at: caller.now }).where('id', '=', id));
    appendAudit(db, caller.actor, { tenantId: caller.tenantId, action: 'appointment.rescheduled', entity: 'appointment', entityId: id, before, after: { ...after, reason: body.reason } }, caller.now);
    appendOutbox(db, { tenantId: caller.tenantId, entity: 'appointment', entityId: id, op: 'update', payload: after }, caller.now);
    return after;
  });
  return toAppointmentDtos(db, [after])[0]!;
}
