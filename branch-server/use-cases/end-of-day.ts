import { appendAudit, SYSTEM_ACTOR } from '../db/repositories/audit.repository.ts';
import { appendOutbox } from '../db/repositories/outbox.repository.ts';
import { toTicketDto } from '../db/repositories/tickets.repository.ts';
import { qb, type Db } from '../db/sqlite.ts';
import type { AppointmentRow } from '../db/tables/appointment.table.ts';
import type { DaySummaryRow } from '../db/tables/day-summary.table.ts';
import type { SiteRow } from '../db/tables/site.table.ts';
import type { TicketRow } from '../db/tables/ticket.table.ts';
import { hoursOn, nextDate, zonedInstant, type DayHours } from '../domain/appointment-slots.ts';
import { atClosing } from '../domain/appointment-timeline.ts';
import { businessDate } from '../domain/numbering.ts';
import { TICKET_EVENTS, transition } from '../domain/ticket-status.ts';
import { uuidv7 } from '../ids.ts';
import { bookingRule } from './booking-settings.ts';
import type { Caller, UseCaseDeps } from './deps.ts';
import type { DomainEvent } from './events.ts';
import { queueChanged, ticketEvent } from './publish.ts';
import { journal } from './ticket-journal.ts';

export type SealedDay = Readonly<{ siteId: string; businessDate: string; summary: DaySummaryRow }>;

/** When a local day ends for the sweep: its closing time, or midnight on a closed day. */
export function closingInstant(date: string, hours: DayHours, timeZone: string): number {
  return hours ? zonedInstant(date, hours.close, timeZone) : zonedInstant(nextDate(date), 0, timeZone);
}

/**
 * Closes every day whose closing time has passed and that is not sealed yet, at sites with opening
 * hours set (a site without them has no closing time, so nothing is swept there). Today and
 * yesterday are looked at, so a server that was off at closing time catches up.
 */
export function closeDueDays(deps: UseCaseDeps, now: number): SealedDay[] {
  const { db } = deps;
  const sites = db.all(qb.selectFrom('site').innerJoin('site_opening_hours', 'site_opening_hours.site_id', 'site.id')
    .selectAll('site').select(['site_opening_hours.weekly', 'site_opening_hours.closed_dates']).where('site.is_active', '=', 1));
  const sealed: SealedDay[] = [];
  for (const site of sites) {
    const config = { weekly: JSON.parse(site.weekly) as DayHours[], closedDates: JSON.parse(site.closed_dates) as string[] };
    const today = businessDate(now, site.timezone);
    const yesterday = businessDate(zonedInstant(today, 0, site.timezone) - 1, site.timezone);
    for (const date of [yesterday, today]) {
      const hours = hoursOn(date, { ...config, slotMinutes: 15, bufferMinutes: 0 });
      if (now < closingInstant(date, hours, site.timezone)) continue;
      if (db.first(qb.selectFrom('day_summary').select('id').where('site_id', '=', site.id).where('business_date', '=', date))) continue;
      sealed.push(closeDay(deps, site, date, now));
    }
  }
  return sealed;
}

/**
 * End of a site's day, in one transaction: waiting tickets follow their service's rule (expired, or
 * carried over to the next day), remote tickets never checked in are no-shows, appointments of the
 * day still scheduled are no-shows; then the day is sealed with its summary row (audited, uploaded).
 */
export function closeDay(deps: UseCaseDeps, site: SiteRow, date: string, now: number): SealedDay {
  const { db } = deps;
  const pending: DomainEvent[] = [];
  const tenant = db.first(qb.selectFrom('tenant').select(['id', 'slug']).where('id', '=', site.tenant_id))!;
  const caller: Caller = { tenantId: tenant.id, tenantSlug: tenant.slug, actor: SYSTEM_ACTOR, role: null, now, origin: '' };
  const summary = db.tx(() => {
    const waiting = db.all(qb.selectFrom('ticket').innerJoin('queue', 'queue.id', 'ticket.queue_id')
      .selectAll('ticket').select(['queue.service_id', 'queue.name as queue_name'])
      .where('ticket.site_id', '=', site.id).where('ticket.status', '=', 'en_attente').where('ticket.business_date', '<=', date));
    let expired = 0;
    let carried = 0;
    let remoteNoShow = 0;
    for (const row of waiting) {
      const { service_id: serviceId, queue_name: queueName, ...before } = row;
      const decision = atClosing({ remote: before.remote === 1 }, bookingRule(db, serviceId).end_of_day);
      if (decision === 'carry_over') {
        carried += 1;
        continue;
      }
      // Never called: the system's own moves of the state machine (a remote holder who never came is a no-show).
      const action = decision === 'no_show' ? 'drop_remote' as const : 'expire' as const;
      const status = transition(before.status, action);
      const after: TicketRow = { ...before, status, ended_at: now, updated_at: now };
      db.run(qb.updateTable('ticket').set({ status, ended_at: now, updated_at: now }).where('id', '=', before.id));
      const type = TICKET_EVENTS[action];
      journal(db, SYSTEM_ACTOR, { type, before, after, reason: status === 'no_show' ? 'remote ticket not checked in by closing time' : 'expired at closing time', data: { action } }, now);
      const dto = toTicketDto({ ...after, queue_name: queueName }, '');
      pending.push(ticketEvent(caller, type, dto), queueChanged(caller, dto.queue));
      if (status === 'no_show') remoteNoShow += 1;
      else expired += 1;
    }

    const from = zonedInstant(date, 0, site.timezone);
    const to = zonedInstant(nextDate(date), 0, site.timezone);
    const appointments = db.all(qb.selectFrom('appointment').selectAll().where('site_id', '=', site.id).where('starts_at', '>=', from).where('starts_at', '<', to));
    for (const before of appointments.filter((a) => a.status === 'scheduled')) {
      const after: AppointmentRow = { ...before, status: 'no_show', updated_at: now };
      db.run(qb.updateTable('appointment').set({ status: 'no_show', updated_at: now }).where('id', '=', before.id));
      appendAudit(db, SYSTEM_ACTOR, { tenantId: before.tenant_id, action: 'appointment.no_show', entity: 'appointment', entityId: before.id, before, after }, now);
      appendOutbox(db, { tenantId: before.tenant_id, entity: 'appointment', entityId: before.id, op: 'update', payload: after }, now);
      before.status = 'no_show';
    }
    const count = (status: AppointmentRow['status']) => appointments.filter((a) => a.status === status).length;

    const tickets = db.raw<{ issued: number; served: number; no_show: number; avg_wait: number | null; max_wait: number | null }>(
      `SELECT COUNT(*) AS issued,
              COALESCE(SUM(status = 'clos' AND started_at IS NOT NULL), 0) AS served,
              COALESCE(SUM(status = 'no_show'), 0) AS no_show,
              CAST(AVG(CASE WHEN called_at IS NOT NULL THEN (called_at - created_at) / 1000.0 END) AS INTEGER) AS avg_wait,
              MAX(CASE WHEN called_at IS NOT NULL THEN (called_at - created_at) / 1000 END) AS max_wait
       FROM ticket WHERE site_id = ? AND business_date = ? AND transferred_from IS NULL`, site.id, date,
    )[0]!;
    const remote = db.raw<{ n: number }>('SELECT COUNT(*) AS n FROM remote_join WHERE site_id = ? AND business_date = ?', site.id, date)[0]!;
    const summary: DaySummaryRow = {
      id: uuidv7(now), tenant_id: site.tenant_id, site_id: site.id, business_date: date,
      tickets_issued: tickets.issued, tickets_served: tickets.served, tickets_no_show: tickets.no_show,
      tickets_expired: expired, tickets_carried_over: carried, remote_joined: remote.n, remote_no_show: remoteNoShow,
      appointments_booked: appointments.length - count('cancelled'), appointments_checked_in: count('checked_in') + count('completed'),
      appointments_no_show: count('no_show'), appointments_cancelled: count('cancelled'),
      avg_wait_seconds: tickets.avg_wait, max_wait_seconds: tickets.max_wait === null ? null : Math.floor(tickets.max_wait), sealed_at: now,
    };
    db.run(qb.insertInto('day_summary').values(summary));
    appendAudit(db, SYSTEM_ACTOR, { tenantId: site.tenant_id, action: 'day.sealed', entity: 'day_summary', entityId: summary.id, after: summary }, now);
    appendOutbox(db, { tenantId: site.tenant_id, entity: 'day_summary', entityId: summary.id, op: 'insert', payload: summary }, now);
    return summary;
  });
  deps.events.publish(pending);
  return { siteId: site.id, businessDate: date, summary };
}
