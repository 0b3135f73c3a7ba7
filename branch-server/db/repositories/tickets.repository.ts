import type { z } from 'zod';
import { qb, type Db } from '../sqlite.ts';
import type { TicketRow } from '../tables/ticket.table.ts';
import type { QueueRow } from '../tables/queue.table.ts';
import type { PublicTicketDto, TicketDto } from '../../contract/tickets.contract.ts';
import { DomainError } from '../../domain/errors.ts';
import { estimateEta, etaForQueue, percentile, type EtaModel, type TicketEta } from '../../domain/eta.ts';
import { DEFAULT_POLICY_CONFIG, orderWaiting, type PolicyConfig, type QueueSnapshot, type WaitingTicket } from '../../domain/queue-policies.ts';
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

export function toQueueSnapshot(queue: QueueRow, slaSeconds: number, remoteHoldSeconds?: number): QueueSnapshot {
  return {
    id: queue.id as QueueId, algorithm: queue.algorithm, slaSeconds,
    weight: Math.max(1, queue.weight), status: queue.status,
    ...(remoteHoldSeconds === undefined ? {} : { remoteHoldSeconds }),
  };
}

export type WaitingIdentity = Readonly<{ public_id: string; number: string }>;

/**
 * The waiting tickets of some queues, served by the partial index whatever the history size; with
 * `identities`, their public ids and numbers are put there from the same read (the ETA push needs
 * both, and a long line is read once instead of twice).
 */
export function loadWaiting(db: Db, queueIds: readonly string[], identities?: Map<string, WaitingIdentity>): WaitingTicket[] {
  if (queueIds.length === 0) return [];
  // **Important**: without statistics SQLite rates ticket_queue_created (every ticket the queue ever had)
  // as good as the partial ticket_waiting_line index, and picks it. INDEXED BY pins the partial index (and
  // fails loudly if a change ever made it unusable); the status must stay a literal to match its WHERE.
  // Tuples, not row objects: a rush leaves thousands of waiting tickets and this runs on every call.
  return db.tuples<[string, string, number, number, number | null, 0 | 1, number | null, string, string]>(
    `SELECT id, queue_id, priority, created_at, appointment_at, remote, held_at${identities ? ', public_id, number' : ''}
     FROM ticket INDEXED BY ticket_waiting_line
     WHERE status = 'en_attente' AND queue_id IN (${queueIds.map(() => '?').join(', ')})`,
    ...queueIds,
  ).map(([id, queueId, priority, createdAt, appointmentAt, remote, heldAt, publicId, number]) => {
    identities?.set(id, { public_id: publicId, number });
    return {
      id: id as TicketId, queueId: queueId as QueueId, priority, createdAt, appointmentAt,
      ...(remote === 1 ? { remote: { heldAt } } : {}),
    };
  });
}

/**
 * Live-ticket reads. **Important**: the partial indexes (`ticket_waiting_line`, `ticket_agent_active`) are
 * only usable when the query repeats their WHERE as a literal (a bound `status = ?` cannot match), so
 * these are written in SQL and pin the index: whatever the history size, they read live rows only.
 */
export function waitingSummary(db: Db, queueId: string, now: number): { waiting: number; callable: number; oldest: number | null } {
  const row = db.raw<{ waiting: number; callable: number; oldest: number | null }>(
    `SELECT count(*) AS waiting, coalesce(sum(appointment_at IS NULL OR appointment_at <= ?), 0) AS callable,
            min(created_at) AS oldest
     FROM ticket INDEXED BY ticket_waiting_line WHERE status = 'en_attente' AND queue_id = ?`, now, queueId,
  )[0];
  return { waiting: row?.waiting ?? 0, callable: row?.callable ?? 0, oldest: row?.oldest ?? null };
}

/** The ticket an agent holds (called, in service or paused at their counter), newest first. */
export function heldTickets(db: Db, tenantId: string, agentId: string): Pick<TicketRow, 'id' | 'number' | 'status' | 'queue_id'>[] {
  return db.raw<Pick<TicketRow, 'id' | 'number' | 'status' | 'queue_id' | 'tenant_id'>>(
    `SELECT id, number, status, queue_id, tenant_id FROM ticket INDEXED BY ticket_agent_active
     WHERE status IN ('appele', 'en_service', 'pause') AND agent_id = ? ORDER BY called_at DESC`, agentId,
  ).filter((t) => t.tenant_id === tenantId);
}

/** Agents able to serve a queue right now: available or busy, with the queue among their skills. */
export function activeAgentCount(db: Db, queueId: string): number {
  // Raw SQL: this runs for every issued ticket and every ETA refresh.
  return db.raw<{ n: number }>(
    `SELECT count(*) AS n FROM agent_queue
     JOIN agent_profile ON agent_profile.user_id = agent_queue.user_id AND agent_profile.tenant_id = agent_queue.tenant_id
     WHERE agent_queue.queue_id = ? AND agent_profile.status IN ('available', 'busy')`, queueId,
  )[0]?.n ?? 0;
}

export type QueueEtas = Readonly<{ ordered: readonly WaitingTicket[]; etas: Map<TicketId, TicketEta> }>;

/** Live order, positions and ETAs of a queue's waiting tickets (refreshed on every change). */
export type QueueWithService = QueueRow & { sla_seconds: number; default_service_seconds: number };

function queueWithService(db: Db, queueId: string): QueueWithService | undefined {
  return db.first(
    qb.selectFrom('queue').innerJoin('service', 'service.id', 'queue.service_id')
      .selectAll('queue').select(['service.sla_seconds', 'service.default_service_seconds'])
      .where('queue.id', '=', queueId),
  );
}

/** What an ETA of this queue is made of: agents serving it and its recent service times. */
function etaModel(db: Db, queue: QueueWithService): EtaModel {
  return {
    activeAgents: activeAgentCount(db, queue.id),
    ewmaServiceSeconds: queue.ewma_service_seconds,
    p90ServiceSeconds: percentile(parseSamples(queue.service_samples), 90),
    defaultServiceSeconds: queue.default_service_seconds,
  };
}

export function queueEtas(db: Db, queueId: string, now: number, identities?: Map<string, WaitingIdentity>): QueueEtas {
  const queue = queueWithService(db, queueId);
  if (!queue) return { ordered: [], etas: new Map() };
  const waiting = loadWaiting(db, [queueId], identities);
  const ranked = orderWaiting(toQueueSnapshot(queue, queue.sla_seconds), waiting, DEFAULT_POLICY_CONFIG, now);
  // Appointments not yet due are not callable; they are listed after the callable ones.
  const callable = new Set(ranked.map((r) => r.ticket.id));
  const ordered = [...ranked.map((r) => r.ticket), ...waiting.filter((w) => !callable.has(w.id)).sort((a, b) => (a.appointmentAt ?? 0) - (b.appointmentAt ?? 0))];
  return { ordered, etas: etaForQueue(ordered.map((t) => t.id), etaModel(db, queue)) };
}

/**
 * The place a walk-in ticket issued right now takes in its queue, counted in SQL instead of sorting
 * the whole line (the morning rush issues into long queues). It has waited nothing and is the newest,
 * so ahead of it are: due appointments (unless it ranks before a walk-in past the aging bound); under `fifo` every walk-in; under `priority` every walk-in
 * whose aged priority is at least its own; under `sla` the walk-ins near their SLA, then the others
 * by aged priority. **Important**: this must agree with `orderWaiting` in domain/queue-policies.ts;
 * a property test compares the two.
 */
export function newcomerPosition(db: Db, queue: QueueSnapshot, newcomer: Readonly<{ id: string; priority: number }>, config: PolicyConfig, now: number): number {
  if (newcomer.priority === 0) {
    // The usual kiosk ticket: priorities are 0..9 and waits never negative, so under every algorithm
    // each walk-in ranks at least as high as a normal-priority newcomer and is ahead of it (and none
    // past the aging bound is behind it). The walk-ins are counted by triggers (queue_waiting, less
    // the newcomer if it is in already); the due appointments are read from their own small index.
    // No read of the line, whatever its length.
    const row = db.raw<{ due: number; walk_ins: number | null; itself: number }>(
      `SELECT (SELECT walk_ins FROM queue_waiting WHERE queue_id = ?) AS walk_ins,
              (SELECT count(*) FROM ticket INDEXED BY ticket_waiting_appointments
                WHERE status = 'en_attente' AND queue_id = ? AND appointment_at IS NOT NULL AND appointment_at <= ? AND id <> ?) AS due,
              EXISTS (SELECT 1 FROM ticket WHERE id = ? AND queue_id = ? AND status = 'en_attente' AND appointment_at IS NULL) AS itself`,
      queue.id, queue.id, now + config.appointmentEarlySeconds * 1000, newcomer.id, newcomer.id, queue.id,
    )[0];
    return (row?.due ?? 0) + (row?.walk_ins ?? 0) - (row?.itself ?? 0) + 1;
  }
  const agingMs = config.agingSeconds * 1000;
  const nearMs = queue.algorithm === 'sla' && queue.slaSeconds > 0 ? config.slaNearRatio * queue.slaSeconds * 1000 : null;
  const rankByPriority = queue.algorithm !== 'fifo';
  const ahead = `(
         (? IS NOT NULL AND max(0, ? - created_at) >= ?)
         OR NOT ? OR priority + CAST(max(0, ? - created_at) / ? AS INTEGER) >= ?
       )`;
  const aheadParams = [nearMs, now, nearMs ?? 0, rankByPriority ? 1 : 0, now, agingMs, newcomer.priority];
  const row = db.raw<{ due: number; ahead: number; behind_overdue: number }>(
    `SELECT
       coalesce(sum(appointment_at IS NOT NULL AND appointment_at <= ?), 0) AS due,
       coalesce(sum(appointment_at IS NULL AND ${ahead}), 0) AS ahead,
       coalesce(max(appointment_at IS NULL AND max(0, ? - created_at) >= ? AND NOT ${ahead}), 0) AS behind_overdue
     FROM ticket INDEXED BY ticket_waiting_line WHERE status = 'en_attente' AND queue_id = ? AND id <> ?`,
    now + config.appointmentEarlySeconds * 1000,
    ...aheadParams,
    now, config.walkInMaxWaitSeconds * 1000, ...aheadParams,
    queue.id, newcomer.id,
  )[0];
  // Due appointments go after the last walk-in past the aging bound: when the newcomer ranks before
  // such a walk-in, they are behind it too.
  const dueAhead = row?.behind_overdue ? 0 : (row?.due ?? 0);
  return dueAhead + (row?.ahead ?? 0) + 1;
}

/** Position and ETA of a walk-in just issued into `queueId`. */
export function newcomerEta(db: Db, queueId: string, newcomer: Readonly<{ id: string; priority: number }>, now: number): TicketEta | undefined {
  const queue = queueWithService(db, queueId);
  return queue ? newcomerEtaIn(db, queue, newcomer, now) : undefined;
}

/** The same, for a caller that has the queue and its service's figures at hand. */
export function newcomerEtaIn(db: Db, queue: QueueWithService, newcomer: Readonly<{ id: string; priority: number }>, now: number): TicketEta {
  const position = newcomerPosition(db, toQueueSnapshot(queue, queue.sla_seconds), newcomer, DEFAULT_POLICY_CONFIG, now);
  return { position, ahead: position - 1, ...estimateEta({ positionAhead: position - 1, ...etaModel(db, queue) }) };
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
    remote: row.remote === 1,
    created_at: new Date(row.created_at).toISOString(),
    called_at: iso(row.called_at),
    started_at: iso(row.started_at),
    ended_at: iso(row.ended_at),
    tracking_url: trackingUrl(origin, row.public_id),
  };
}

export type PublicTicketView = z.infer<typeof PublicTicketDto>;

/** The ticket a customer's public id stands for now: transfers are followed to the last ticket of the chain. */
export function resolvePublicTicket(db: Db, publicId: string): TicketRow | undefined {
  let row = db.first(qb.selectFrom('ticket').selectAll().where('public_id', '=', publicId));
  if (!row) return undefined;
  for (let hops = 0; row.status === 'transfere' && hops < 20; hops += 1) {
    const next: TicketRow | undefined = db.first(qb.selectFrom('ticket').selectAll().where('transferred_from', '=', row.id));
    if (!next) break;
    row = next;
  }
  return row;
}

/**
 * The customer's tracking view (phone page, `GET public/tickets/{public_id}/` and the public ws channel).
 * `public_id` stays the one the customer holds, even after a transfer.
 */
export function findPublicTicket(db: Db, publicId: string, now: number): Readonly<{ ticket: TicketRow; view: PublicTicketView }> | undefined {
  const row = resolvePublicTicket(db, publicId);
  if (!row) return undefined;
  const place = db.first(
    qb.selectFrom('queue').innerJoin('site', 'site.id', 'queue.site_id')
      .select(['queue.name as queue_name', 'site.name as site_name']).where('queue.id', '=', row.queue_id),
  );
  const eta = row.status === 'en_attente' ? queueEtas(db, row.queue_id, now).etas.get(row.id as TicketId) : undefined;
  return {
    ticket: row,
    view: {
      public_id: publicId,
      number: row.number,
      status: row.status,
      position: eta?.position ?? null,
      eta_seconds: eta?.etaSeconds ?? null,
      eta_p90_seconds: eta?.etaP90Seconds ?? null,
      queue_name: place?.queue_name ?? '',
      site_name: place?.site_name ?? '',
      counter: row.counter_label,
      remote: row.remote === 1,
      created_at: new Date(row.created_at).toISOString(),
      called_at: iso(row.called_at),
    },
  };
}
