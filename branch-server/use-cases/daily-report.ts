import type { DailyReportDto } from '../contract/reports.contract.ts';
import { qb, type Db } from '../db/sqlite.ts';
import type { TicketRow } from '../db/tables/ticket.table.ts';
import { DomainError } from '../domain/errors.ts';
import { percentile } from '../domain/eta.ts';
import { businessDate } from '../domain/numbering.ts';
import { startOfBusinessDay } from './queue-stats.ts';
import { invalidReference } from './references.ts';

/** The few columns a report needs, one row per ticket of the day. */
export type DayTicket = Pick<TicketRow, 'queue_id' | 'agent_id' | 'status' | 'created_at' | 'called_at' | 'started_at' | 'ended_at'>
  & Readonly<{ transferred_in: 0 | 1 }>;

type Timing = Pick<DailyReportDto['totals'], 'avg_wait_seconds' | 'median_wait_seconds' | 'p90_wait_seconds' | 'avg_service_seconds' | 'median_service_seconds' | 'p90_service_seconds' | 'sla_compliance_percent'>;

const OPEN = new Set(['en_attente', 'appele', 'en_service', 'pause']);

function seconds(values: readonly number[]): { avg: number | null; median: number | null; p90: number | null } {
  if (values.length === 0) return { avg: null, median: null, p90: null };
  const avg = values.reduce((a, b) => a + b, 0) / values.length;
  return { avg: Math.round(avg), median: Math.round(percentile(values, 50) ?? 0), p90: Math.round(percentile(values, 90) ?? 0) };
}

/**
 * Waits, service times and SLA compliance of a set of tickets. A ticket called within its service's
 * SLA meets it; one called later, or never called and waiting (or gone) past the SLA, misses it.
 * Tickets of services without an SLA (0) are left out of compliance.
 */
export function timing(tickets: readonly DayTicket[], slaSecondsByQueue: ReadonlyMap<string, number>, now: number): Timing {
  const waits: number[] = [];
  const services: number[] = [];
  let met = 0;
  let judged = 0;
  for (const t of tickets) {
    if (t.called_at !== null) waits.push((t.called_at - t.created_at) / 1000);
    if (t.status === 'clos' && t.started_at !== null && t.ended_at !== null) services.push((t.ended_at - t.started_at) / 1000);
    const sla = slaSecondsByQueue.get(t.queue_id) ?? 0;
    if (sla <= 0) continue;
    if (t.called_at !== null) {
      judged += 1;
      if (t.called_at - t.created_at <= sla * 1000) met += 1;
    } else if ((t.ended_at ?? now) - t.created_at > sla * 1000) {
      judged += 1;
    }
  }
  const w = seconds(waits);
  const s = seconds(services);
  return {
    avg_wait_seconds: w.avg, median_wait_seconds: w.median, p90_wait_seconds: w.p90,
    avg_service_seconds: s.avg, median_service_seconds: s.median, p90_service_seconds: s.p90,
    sla_compliance_percent: judged === 0 ? null : Math.round((met * 1000) / judged) / 10,
  };
}

function outcomes(tickets: readonly DayTicket[]) {
  let served = 0;
  let noShow = 0;
  let transferred = 0;
  for (const t of tickets) {
    if (t.status === 'clos') served += 1;
    else if (t.status === 'no_show') noShow += 1;
    else if (t.status === 'transfere') transferred += 1;
  }
  return { served, no_show: noShow, transferred };
}

export function queueDay(tickets: readonly DayTicket[], sla: ReadonlyMap<string, number>, now: number): DailyReportDto['totals'] {
  const transferredIn = tickets.filter((t) => t.transferred_in === 1).length;
  return {
    issued: tickets.length - transferredIn,
    transferred_in: transferredIn,
    ...outcomes(tickets),
    open: tickets.filter((t) => OPEN.has(t.status)).length,
    ...timing(tickets, sla, now),
  };
}

function groupBy<K>(tickets: readonly DayTicket[], key: (t: DayTicket) => K | null): Map<K, DayTicket[]> {
  const groups = new Map<K, DayTicket[]>();
  for (const t of tickets) {
    const k = key(t);
    if (k === null) continue;
    const list = groups.get(k);
    if (list) list.push(t);
    else groups.set(k, [t]);
  }
  return groups;
}

const hourFormatters = new Map<string, Intl.DateTimeFormat>();

/** The hour (0-23) on the site's clock at an instant; formatters are cached because building one is slow. */
export function localHour(ms: number, timeZone: string): number {
  let formatter = hourFormatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', { timeZone, hour: 'numeric', hourCycle: 'h23' });
    hourFormatters.set(timeZone, formatter);
  }
  return Number(formatter.formatToParts(ms).find((p) => p.type === 'hour')?.value ?? 0) % 24;
}

/**
 * The day hour by hour, by the hour each ticket was issued at the site (a DST change folds the
 * repeated hour into one bucket and leaves the skipped one empty).
 */
export function hourlyVolumes(tickets: readonly DayTicket[], timeZone: string): DailyReportDto['hours'] {
  const hours = Array.from({ length: 24 }, (_, hour) => ({ hour, issued: 0, served: 0, waits: [] as number[] }));
  for (const t of tickets) {
    const bucket = hours[localHour(t.created_at, timeZone)]!;
    if (t.transferred_in === 0) bucket.issued += 1;
    if (t.status === 'clos') bucket.served += 1;
    if (t.called_at !== null) bucket.waits.push((t.called_at - t.created_at) / 1000);
  }
  return hours.map(({ hour, issued, served, waits }) => ({ hour, issued, served, avg_wait_seconds: seconds(waits).avg }));
}

/** The day's tickets of some queues: one (queue_id, created_at) index range per queue. Params: queue ids…, from, to. */
export function dayTicketsSql(queueCount: number): string {
  return `SELECT queue_id, agent_id, status, created_at, called_at, started_at, ended_at, (transferred_from IS NOT NULL) AS transferred_in
    FROM ticket WHERE queue_id IN (${Array.from({ length: queueCount }, () => '?').join(', ')}) AND created_at >= ? AND created_at < ?`;
}

function pickSite(db: Db, tenantId: string, siteId: string | undefined) {
  if (siteId) {
    const site = db.first(qb.selectFrom('site').select(['id', 'name', 'timezone']).where('id', '=', siteId).where('tenant_id', '=', tenantId));
    if (!site) throw invalidReference('site', 'unknown site');
    return site;
  }
  const sites = db.all(qb.selectFrom('site').select(['id', 'name', 'timezone']).where('tenant_id', '=', tenantId).limit(2));
  if (sites.length !== 1) {
    throw new DomainError('validation-failed', sites.length === 0 ? 'site: the tenant has no site yet.' : 'site: this tenant has several sites; name one.',
      [{ field: 'site', message: 'required' }]);
  }
  return sites[0]!;
}

/**
 * The daily report of a site: its local business day (midnight to midnight in the site's time zone,
 * DST included), read through the (queue_id, created_at) index one queue range at a time, never a
 * scan of the ticket history. A ticket belongs to the day it was issued.
 */
export function dailyReport(db: Db, tenantId: string, input: Readonly<{ date?: string | undefined; site?: string | undefined }>, now: number): DailyReportDto {
  const site = pickSite(db, tenantId, input.site);
  const date = input.date ?? businessDate(now, site.timezone);
  const [y, m, d] = date.split('-').map(Number);
  const nextDate = new Date(Date.UTC(y ?? 1970, (m ?? 1) - 1, (d ?? 1) + 1)).toISOString().slice(0, 10);
  // startOfBusinessDay clamps to `now`; a report asks about any day, so it gets no clamp.
  const from = startOfBusinessDay(Number.MAX_SAFE_INTEGER, date, site.timezone);
  const to = startOfBusinessDay(Number.MAX_SAFE_INTEGER, nextDate, site.timezone);

  const queues = db.all(qb.selectFrom('queue').innerJoin('service', 'service.id', 'queue.service_id')
    .select(['queue.id', 'queue.name', 'queue.prefix', 'service.sla_seconds'])
    .where('queue.site_id', '=', site.id).where('queue.tenant_id', '=', tenantId).orderBy('queue.prefix'));
  const sla = new Map(queues.map((q) => [q.id, q.sla_seconds]));
  const tickets = queues.length === 0 ? [] : db.raw<DayTicket>(dayTicketsSql(queues.length), ...queues.map((q) => q.id), from, to);

  const byQueue = groupBy(tickets, (t) => t.queue_id);
  const byAgent = groupBy(tickets, (t) => t.agent_id);
  const agentIds = [...byAgent.keys()];
  const people = agentIds.length === 0 ? [] : db.all(qb.selectFrom('user')
    .leftJoin('agent_profile', (j) => j.onRef('agent_profile.user_id', '=', 'user.id').on('agent_profile.tenant_id', '=', tenantId))
    .select(['user.id', 'user.first_name', 'user.last_name', 'user.email', 'agent_profile.counter_label'])
    .where('user.id', 'in', agentIds));

  return {
    date, site: site.id, site_name: site.name, timezone: site.timezone,
    from: new Date(from).toISOString(), to: new Date(to).toISOString(),
    totals: queueDay(tickets, sla, now),
    queues: queues.map((q) => ({ queue: q.id, queue_name: q.name, prefix: q.prefix, ...queueDay(byQueue.get(q.id) ?? [], sla, now) })),
    agents: people
      .map((p) => {
        const handled = byAgent.get(p.id) ?? [];
        return {
          agent: p.id, name: `${p.first_name} ${p.last_name}`.trim() || p.email, counter: p.counter_label ?? '',
          called: handled.filter((t) => t.called_at !== null).length, ...outcomes(handled), ...timing(handled, sla, now),
        };
      })
      .sort((a, b) => a.counter.localeCompare(b.counter) || a.name.localeCompare(b.name)),
    hours: hourlyVolumes(tickets, site.timezone),
  };
}
