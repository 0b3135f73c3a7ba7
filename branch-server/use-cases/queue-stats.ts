import { qb, type Db } from '../db/sqlite.ts';
import { activeAgentCount, getQueueRow, waitingSummary } from '../db/repositories/tickets.repository.ts';
import { businessDate } from '../domain/numbering.ts';

/**
 * SmartQueue v1's get_queue_stats (queue_id, queue_name, status, waiting/called/in-service counts,
 * total_active, avg_wait_seconds) plus today's served and no-show counts, average service time,
 * active agents and the longest current wait. "Today" is the site's business day; every count is
 * served by an index (waiting partial index, or queue + created_at range), never a history scan.
 */
export function queueStats(db: Db, tenantId: string, queueId: string, now: number) {
  const queue = getQueueRow(db, tenantId, queueId);
  const site = db.first(qb.selectFrom('site').select('timezone').where('id', '=', queue.site_id));
  const day = businessDate(now, site?.timezone ?? 'UTC');
  const dayStart = startOfBusinessDay(now, day, site?.timezone ?? 'UTC');

  const waiting = waitingSummary(db, queue.id, now);
  const today = db.raw<{ status: string; n: number; wait_ms: number | null }>(
    `SELECT status, count(*) AS n, avg(called_at - created_at) AS wait_ms FROM ticket
     WHERE queue_id = ? AND created_at >= ? GROUP BY status`, queue.id, dayStart,
  );
  const count = (status: string) => today.find((r) => r.status === status)?.n ?? 0;
  const calledToday = db.raw<{ wait_ms: number | null }>(
    `SELECT avg(called_at - created_at) AS wait_ms FROM ticket WHERE queue_id = ? AND created_at >= ? AND called_at IS NOT NULL`,
    queue.id, dayStart,
  )[0];
  const called = count('appele');
  const inService = count('en_service');
  const paused = count('pause');
  const waitingCount = waiting.waiting;
  return {
    queue_id: queue.id,
    queue_name: queue.name,
    status: queue.status,
    waiting_count: waitingCount,
    called_count: called,
    in_service_count: inService,
    paused_count: paused,
    total_active: waitingCount + called + inService + paused,
    avg_wait_seconds: Math.round((calledToday?.wait_ms ?? 0) / 1000),
    served_today: count('clos'),
    no_show_today: count('no_show'),
    avg_service_seconds: queue.ewma_service_seconds === null ? null : Math.round(queue.ewma_service_seconds),
    active_agents: activeAgentCount(db, queue.id),
    longest_wait_seconds: waiting.oldest === null ? 0 : Math.max(0, Math.round((now - waiting.oldest) / 1000)),
  };
}

/** Epoch ms of local midnight starting `day` in `timeZone` (found by correcting the UTC guess). */
export function startOfBusinessDay(now: number, day: string, timeZone: string): number {
  const [y, m, d] = day.split('-').map(Number);
  const utcMidnight = Date.UTC(y ?? 1970, (m ?? 1) - 1, d ?? 1);
  let guess = utcMidnight - offsetMs(utcMidnight, timeZone);
  guess = utcMidnight - offsetMs(guess, timeZone);
  return Math.min(guess, now);
}

function offsetMs(at: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).formatToParts(new Date(at));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return asUtc - Math.floor(at / 1000) * 1000;
}
