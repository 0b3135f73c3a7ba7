import type { z } from 'zod';
import type { PublicJoinBody, PublicJoinDto } from '../contract/public-booking.contract.ts';
import type { TicketDto } from '../contract/tickets.contract.ts';
import { invalidReference } from '../db/repositories/device-config.repository.ts';
import { getTicketRow, toTicketDto } from '../db/repositories/tickets.repository.ts';
import { qb, type Db } from '../db/sqlite.ts';
import type { SiteRow } from '../db/tables/site.table.ts';
import type { TicketRow } from '../db/tables/ticket.table.ts';
import { DomainError } from '../domain/errors.ts';
import { businessDate } from '../domain/numbering.ts';
import { TICKET_EVENTS, transition } from '../domain/ticket-status.ts';
import { bookingRule } from './booking-settings.ts';
import type { Caller, UseCaseDeps } from './deps.ts';
import type { DomainEvent } from './events.ts';
import { humanCode } from './human-code.ts';
import { issueTicket } from './issue-ticket.ts';
import { queueChanged, ticketEvent } from './publish.ts';
import { journal } from './ticket-journal.ts';

export const REMOTE_CODE_LENGTH = 6;
/** Remote joins one phone number may make in an hour (abuse: one person filling a queue). */
export const REMOTE_JOINS_PER_PHONE_PER_HOUR = 3;
const HOUR = 3_600_000;

/** A phone number as compared for limits: digits and a leading +. */
export function normalizePhone(phone: string): string {
  const digits = phone.replace(/[^0-9+]/g, '');
  return digits.startsWith('+') ? `+${digits.slice(1).replace(/\+/g, '')}` : digits.replace(/\+/g, '');
}

/** A check-in code free among appointments and remote tickets (the kiosk takes either). */
export function freshArrivalCode(db: Db): string {
  for (;;) {
    const code = humanCode(REMOTE_CODE_LENGTH);
    const taken = db.first(qb.selectFrom('appointment').select('id').where('check_in_code', '=', code))
      ?? db.first(qb.selectFrom('remote_join').select('ticket_id as id').where('check_in_code', '=', code));
    if (!taken) return code;
  }
}

/** The open queue serving `serviceId` at the site, or a 400 naming the service field. */
export function serviceQueue(db: Db, tenantId: string, siteId: string, serviceId: string) {
  const service = db.first(qb.selectFrom('service').select(['id', 'name', 'is_active']).where('id', '=', serviceId).where('tenant_id', '=', tenantId));
  if (!service || service.is_active !== 1) throw invalidReference([{ field: 'service', message: 'unknown service' }]);
  const queues = db.all(qb.selectFrom('queue').selectAll().where('tenant_id', '=', tenantId).where('site_id', '=', siteId)
    .where('service_id', '=', serviceId).orderBy('created_at'));
  if (queues.length === 0) throw invalidReference([{ field: 'service', message: 'not offered at this site' }]);
  return { service, queue: queues.find((q) => q.status === 'open') ?? queues[0]! };
}

/**
 * A customer joins a queue from the phone: a ticket that waits in line like any other but cannot be
 * called until its holder checks in at the kiosk. Refused when the service's daily cap of remote
 * joins is reached ("book an appointment instead") or the phone number joined too often this hour.
 */
export function joinRemotely(deps: UseCaseDeps, caller: Caller, site: SiteRow, body: z.infer<typeof PublicJoinBody>): PublicJoinDto {
  const { db } = deps;
  const pending: DomainEvent[] = [];
  const buffered: UseCaseDeps = { db, events: { publish: (events) => { pending.push(...events); } } };
  const phone = normalizePhone(body.phone);
  const result = db.tx(() => {
    const { service, queue } = serviceQueue(db, caller.tenantId, site.id, body.service);
    const rule = bookingRule(db, service.id);
    if (rule.remote_enabled !== 1) throw new DomainError('queue-closed', `"${service.name}" cannot be joined remotely. Come to the branch or book an appointment.`);
    const day = businessDate(caller.now, site.timezone);
    const today = db.raw<{ n: number }>('SELECT COUNT(*) AS n FROM remote_join WHERE site_id = ? AND service_id = ? AND business_date = ?', site.id, service.id, day)[0]?.n ?? 0;
    if (today >= rule.remote_daily_cap) {
      throw new DomainError('queue-full', `"${service.name}" is full today for remote joining. Book an appointment instead.`, { book_instead: true });
    }
    const recent = db.raw<{ n: number }>('SELECT COUNT(*) AS n FROM remote_join WHERE phone = ? AND created_at > ?', phone, caller.now - HOUR)[0]?.n ?? 0;
    if (recent >= REMOTE_JOINS_PER_PHONE_PER_HOUR) {
      throw new DomainError('rate-limited', 'This phone number joined too many queues this hour. Try again later.', { retry_after: 3600 });
    }
    const active = db.raw<{ number: string }>(
      `SELECT t.number FROM remote_join r JOIN ticket t ON t.id = r.ticket_id
       WHERE r.phone = ? AND r.service_id = ? AND r.site_id = ? AND t.status = 'en_attente'`, phone, service.id, site.id,
    )[0];
    if (active) throw new DomainError('conflict', `This phone number already holds ticket ${active.number} for "${service.name}".`);
    const ticket = issueTicket(buffered, caller, {
      queueId: queue.id, channel: 'web', priority: 0, customerName: body.name, customerPhone: body.phone, remote: true,
    });
    const code = freshArrivalCode(db);
    db.run(qb.insertInto('remote_join').values({
      ticket_id: ticket.id, tenant_id: caller.tenantId, site_id: site.id, service_id: service.id, phone, check_in_code: code,
      business_date: day, created_at: caller.now, arrived_at: null,
    }));
    return {
      public_id: ticket.public_id, number: ticket.number, queue_name: ticket.queue_name, status: ticket.status,
      position: ticket.position, eta_seconds: ticket.eta_seconds, check_in_code: code, tracking_url: ticket.tracking_url,
      hold_minutes: rule.remote_hold_minutes,
    };
  });
  deps.events.publish(pending);
  return result;
}

/**
 * The holder of a remote ticket checked in (kiosk code or QR, or staff): from now on it can be
 * called, at the place it kept. Null when `code` is not a remote ticket's. Runs inside the caller's
 * transaction; events go to `deps.events` (the caller buffers them until commit).
 */
export function arriveRemote(deps: UseCaseDeps, caller: Caller, code: string, kioskSiteId: string | null): TicketDto | null {
  const { db } = deps;
  const join = db.first(qb.selectFrom('remote_join').selectAll().where('tenant_id', '=', caller.tenantId).where('check_in_code', '=', code));
  if (!join) return null;
  if (join.arrived_at !== null) throw new DomainError('illegal-transition', 'This ticket has already been checked in.');
  if (kioskSiteId !== null && kioskSiteId !== join.site_id) throw invalidReference([{ field: 'code', message: 'this ticket is at another site' }]);
  const before = getTicketRow(db, caller.tenantId, join.ticket_id);
  if (before.status !== 'en_attente') {
    throw new DomainError('illegal-transition', `Ticket ${before.number} is no longer waiting (its turn passed while you were away). Take a new ticket.`);
  }
  const after: TicketRow = { ...before, remote: 0, held_at: null, updated_at: caller.now };
  db.run(qb.updateTable('ticket').set({ remote: 0, held_at: null, updated_at: caller.now }).where('id', '=', before.id));
  db.run(qb.updateTable('remote_join').set({ arrived_at: caller.now }).where('ticket_id', '=', before.id));
  journal(db, caller.actor, { type: 'ticket.checked_in', before, after, data: { held: before.held_at !== null } }, caller.now);
  const queueName = db.first(qb.selectFrom('queue').select('name').where('id', '=', after.queue_id))?.name ?? '';
  const dto = toTicketDto({ ...after, queue_name: queueName }, caller.origin);
  deps.events.publish([ticketEvent(caller, 'ticket.checked_in', dto), queueChanged(caller, dto.queue)]);
  return dto;
}

/** Remote tickets whose turn came while away: their hold starts now. Inside the caller's transaction. */
export function holdRemote(db: Db, caller: Caller, ticketIds: readonly string[]): void {
  for (const id of ticketIds) {
    const before = getTicketRow(db, caller.tenantId, id);
    if (before.remote !== 1 || before.held_at !== null || before.status !== 'en_attente') continue;
    const after: TicketRow = { ...before, held_at: caller.now, updated_at: caller.now };
    db.run(qb.updateTable('ticket').set({ held_at: caller.now, updated_at: caller.now }).where('id', '=', id));
    journal(db, caller.actor, { type: 'ticket.held', before, after, reason: 'turn came before the customer checked in' }, caller.now);
  }
}

/**
 * A remote ticket whose hold ran out: closed as a no-show without being called (its holder never
 * arrived), so the line moves on. Inside the caller's transaction; returns the ticket to publish.
 */
export function dropRemote(db: Db, caller: Caller, ticketId: string): TicketDto {
  const before = getTicketRow(db, caller.tenantId, ticketId);
  if (before.remote !== 1) throw new DomainError('illegal-transition', 'Only a remote ticket not checked in can be dropped.', { from: before.status, action: 'drop_remote' });
  const status = transition(before.status, 'drop_remote');
  const after: TicketRow = { ...before, status, ended_at: caller.now, updated_at: caller.now };
  db.run(qb.updateTable('ticket').set({ status, ended_at: caller.now, updated_at: caller.now }).where('id', '=', ticketId));
  journal(db, caller.actor, { type: TICKET_EVENTS.drop_remote, before, after, reason: 'remote ticket not checked in within its hold', data: { action: 'drop_remote' } }, caller.now);
  const queueName = db.first(qb.selectFrom('queue').select('name').where('id', '=', after.queue_id))?.name ?? '';
  return toTicketDto({ ...after, queue_name: queueName }, caller.origin);
}
