import { qb, type Db } from '../sqlite.ts';
import type { TicketRow } from '../tables/ticket.table.ts';
import type { QueueRow } from '../tables/queue.table.ts';
import type { TicketDto } from '../../contract/tickets.contract.ts';
import { DomainError } from '../../domain/errors.ts';
import { etaForQueue, percentile, type TicketEta } from '../../domain/eta.ts';
import { DEFAULT_POLICY_CONFIG, orderWaiting, type QueueSnapshot, type WaitingTicket } from '../../domain/queue-policies.ts';
import type { QueueId, TicketId } from '../../domain/ids.ts';

export const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export function getTicketRow(db: Db, tenantId: string, id: string): TicketRow {
  const row = db.first(qb.selectFrom('ticket').selectAll().where('id', '=', id).where('tenant_id', '=', tenantId));
  if (!row) throw new DomainError('not-found', 'Ticket not found.');
  return row;
}

export function getQueueRow(db: Db, tenantId: string, id: string): QueueRow {
  const row = db.first(qb.selectFrom('queue').selectAll().where('id', '=', id).where('tenant_id', '=', tenantId));
  if (!row) throw new DomainError('not-found', 'Queue not found.');
  return row;
}

export function toQueueSnapshot(queue: QueueRow, slaSeconds: number): QueueSnapshot {
  return {
    id: queue.id as QueueId, algorithm: queue.algorithm, slaSeconds,
    weight: Math.max(1, queue.weight), status: queue.status,
  };
}

export function toWaitingTicket(row: Pick<TicketRow, 'id' | 'queue_id' | 'priority' | 'created_at' | 'appointment_at'>): WaitingTicket {
  return {
    id: row.id as TicketId, queueId: row.queue_id as QueueId, priority: row.priority,
    createdAt: row.created_at, appointmentAt: row.appointment_at,
  };
}

/** The waiting tickets of some queues: served by the partial index, whatever the history size. */
export function loadWaiting(db: Db, queueIds: readonly string[]): WaitingTicket[] {
  if (queueIds.length === 0) return [];
  return db.all(
    qb.selectFrom('ticket').select(['id', 'queue_id', 'priority', 'created_at', 'appointment_at'])
      .where('status', '=', 'en_attente').where('queue_id', 'in', queueIds),
  ).map(toWaitingTicket);
}

/** Agents able to serve a queue right now: available or busy, with the queue among their skills. */
export function activeAgentCount(db: Db, queueId: string): number {
  const row = db.first(
    qb.selectFrom('agent_queue')
      .innerJoin('agent_profile', (j) => j.onRef('agent_profile.user_id', '=', 'agent_queue.user_id').onRef('agent_profile.tenant_id', '=', 'agent_queue.tenant_id'))
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('agent_queue.queue_id', '=', queueId)
      .where('agent_profile.status', 'in', ['available', 'busy']),
  );
  return row?.n ?? 0;
}

export type QueueEtas = Readonly<{ ordered: readonly WaitingTicket[]; etas: Map<TicketId, TicketEta> }>;

/** Live order, positions and ETAs of a queue's waiting tickets (refreshed on every change). */
export function queueEtas(db: Db, queueId: string, now: number): QueueEtas {
  const queue = db.first(
    qb.selectFrom('queue').innerJoin('service', 'service.id', 'queue.service_id')
      .selectAll('queue').select(['service.sla_seconds', 'service.default_service_seconds'])
      .where('queue.id', '=', queueId),
  );
  if (!queue) return { ordered: [], etas: new Map() };
  const waiting = loadWaiting(db, [queueId]);
  const ranked = orderWaiting(toQueueSnapshot(queue, queue.sla_seconds), waiting, DEFAULT_POLICY_CONFIG, now);
  // Appointments not yet due are not callable; they are listed after the callable ones.
  const callable = new Set(ranked.map((r) => r.ticket.id));
  const ordered = [...ranked.map((r) => r.ticket), ...waiting.filter((w) => !callable.has(w.id)).sort((a, b) => (a.appointmentAt ?? 0) - (b.appointmentAt ?? 0))];
  const samples = parseSamples(queue.service_samples);
  const etas = etaForQueue(ordered.map((t) => t.id), {
    activeAgents: activeAgentCount(db, queueId),
    ewmaServiceSeconds: queue.ewma_service_seconds,
    p90ServiceSeconds: percentile(samples, 90),
    defaultServiceSeconds: queue.default_service_seconds,
  });
  return { ordered, etas };
}

export function parseSamples(text: string): number[] {
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) ? parsed.filter((n): n is number => typeof n === 'number' && Number.isFinite(n)) : [];
  } catch {
    return [];
  }
}

export function trackingUrl(origin: string, publicId: string): string {
  return `${origin}/t/${publicId}`;
}

type Named = TicketRow & { queue_name: string };

/** Maps rows to the contract's ticket shape, with live position and ETA for waiting tickets. */
export function toTicketDtos(db: Db, rows: readonly TicketRow[], origin: string, now: number): TicketDto[] {
  const names = new Map<string, string>();
  const etasByQueue = new Map<string, QueueEtas>();
  return rows.map((row) => {
    let name = names.get(row.queue_id);
    if (name === undefined) {
      name = db.first(qb.selectFrom('queue').select('name').where('id', '=', row.queue_id))?.name ?? '';
      names.set(row.queue_id, name);
    }
    let eta: TicketEta | undefined;
    if (row.status === 'en_attente') {
      let queue = etasByQueue.get(row.queue_id);
      if (!queue) {
        queue = queueEtas(db, row.queue_id, now);
        etasByQueue.set(row.queue_id, queue);
      }
      eta = queue.etas.get(row.id as TicketId);
    }
    return toTicketDto({ ...row, queue_name: name }, origin, eta);
  });
}

export function toTicketDto(row: Named, origin: string, eta?: TicketEta): TicketDto {
  const waiting = row.status === 'en_attente';
  return {
    id: row.id,
    public_id: row.public_id,
    number: row.number,
    status: row.status,
    queue: row.queue_id,
    queue_name: row.queue_name,
    site: row.site_id,
    customer: row.customer_id,
    customer_name: row.customer_name,
    customer_phone: row.customer_phone,
    channel: row.channel,
    priority: row.priority,
    position: waiting ? (eta?.position ?? null) : null,
    eta_seconds: waiting ? (eta?.etaSeconds ?? row.eta_seconds) : null,
    eta_p90_seconds: waiting ? (eta?.etaP90Seconds ?? row.eta_p90_seconds) : null,
    agent: row.agent_id,
    counter: row.counter_label,
    recall_count: row.recall_count,
    transferred_from: row.transferred_from,
    appointment: row.appointment_id,
    created_at: new Date(row.created_at).toISOString(),
    called_at: iso(row.called_at),
    started_at: iso(row.started_at),
    ended_at: iso(row.ended_at),
    tracking_url: trackingUrl(origin, row.public_id),
  };
}
