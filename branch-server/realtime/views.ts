import type { z } from 'zod';
import type {
  AgentConnectionMessage, DisplayCall, DisplayConnectionMessage, DisplayQueue, QueueSnapshotMessage, WaitingEta,
} from '../contract/realtime.contract.ts';
import type { TicketDto } from '../contract/tickets.contract.ts';
import { qb, type Db } from '../db/sqlite.ts';
import { toTicketDtos } from '../db/repositories/tickets.repository.ts';
import type { DisplayRow } from '../db/tables/display.table.ts';
import type { TicketRow } from '../db/tables/ticket.table.ts';
import { isActiveStatus } from '../domain/ticket-status.ts';
import { agentPayload } from '../use-cases/agent-profile.ts';

type Msg<S extends z.ZodType> = z.infer<S>;

// **Important**: the live-ticket reads below name their partial index (INDEXED BY). Without table
// statistics SQLite otherwise prefers (queue_id, created_at) and walks the queue's whole history on
// every connect; the partial indexes hold only live tickets, whatever the history size.

/** Recent calls a display shows on connect, newest first. */
const RECENT_CALLS = 10;
const RECENT_WINDOW_MS = 24 * 3_600_000;

/** Devices (kiosks, TVs) follow queues without learning who waits. */
export function redactTicket(ticket: TicketDto): TicketDto {
  return { ...ticket, customer: null, customer_name: '', customer_phone: '', public_id: '', tracking_url: '' };
}

export function redactWaiting(waiting: ReadonlyArray<Msg<typeof WaitingEta>>): Msg<typeof WaitingEta>[] {
  return waiting.map((w) => ({ ...w, public_id: '' }));
}

export function queueSnapshot(db: Db, queueId: string, redacted: boolean, origin: string, now: number, seq: number): Msg<typeof QueueSnapshotMessage> {
  const queue = db.first(qb.selectFrom('queue').select(['name', 'status']).where('id', '=', queueId));
  const waiting = db.raw<TicketRow>(`SELECT * FROM ticket INDEXED BY ticket_waiting_line WHERE status = 'en_attente' AND queue_id = ?`, queueId);
  const held = db.raw<TicketRow>(`SELECT * FROM ticket INDEXED BY ticket_agent_active WHERE status IN ('appele', 'en_service', 'pause') AND queue_id = ?`, queueId);
  const waitingDtos = toTicketDtos(db, waiting, origin, now).sort((a, b) => (a.position ?? Infinity) - (b.position ?? Infinity));
  const heldDtos = toTicketDtos(db, held, origin, now).sort((a, b) => (a.called_at ?? '').localeCompare(b.called_at ?? ''));
  const tickets = [...waitingDtos, ...heldDtos];
  return {
    event: 'queue.snapshot', seq, queue_id: queueId, queue_name: queue?.name ?? '', queue_status: queue?.status ?? 'closed',
    tickets: redacted ? tickets.map(redactTicket) : tickets,
  };
}

export function agentSnapshot(db: Db, tenantId: string, agentId: string, origin: string, now: number, seq: number): Msg<typeof AgentConnectionMessage> | null {
  const profile = db.first(qb.selectFrom('agent_profile').selectAll().where('tenant_id', '=', tenantId).where('user_id', '=', agentId));
  if (!profile) return null;
  const active = db.raw<TicketRow>(
    `SELECT * FROM ticket INDEXED BY ticket_agent_active WHERE status IN ('appele', 'en_service', 'pause') AND agent_id = ? AND tenant_id = ?`, agentId, tenantId,
  ).find((t) => isActiveStatus(t.status));
  return {
    type: 'connection', seq, agent_id: agentId, payload: agentPayload(profile),
    active_ticket: active ? toTicketDtos(db, [active], origin, now)[0] ?? null : null,
  };
}

/** Which queues a display shows: its `queue_ids` (kept to the tenant's queues), or every queue when it lists none. */
export type DisplayConfig = Readonly<{ row: DisplayRow; queues: ReadonlySet<string> | 'all' }>;

export function loadDisplayConfig(db: Db, tenantId: string, displayId: string): DisplayConfig | null {
  const row = db.first(qb.selectFrom('display').selectAll().where('id', '=', displayId).where('tenant_id', '=', tenantId));
  if (!row) return null;
  const listed = parseStringArray(row.queue_ids);
  if (listed.length === 0) return { row, queues: 'all' };
  const known = db.all(qb.selectFrom('queue').select('id').where('tenant_id', '=', tenantId).where('id', 'in', listed));
  return { row, queues: new Set(known.map((q) => q.id)) };
}

export function displaySnapshot(db: Db, config: DisplayConfig, now: number, seq: number): Msg<typeof DisplayConnectionMessage> {
  const { row } = config;
  let queueQuery = qb.selectFrom('queue').select(['id', 'name', 'prefix', 'status']).where('tenant_id', '=', row.tenant_id);
  if (config.queues !== 'all') queueQuery = queueQuery.where('id', 'in', config.queues.size === 0 ? [''] : [...config.queues]);
  const queues = db.all(queueQuery.orderBy('prefix').orderBy('name'));
  const ids = queues.map((q) => q.id);
  const counts = new Map(ids.length === 0 ? [] : db.raw<{ queue_id: string; n: number }>(
    `SELECT queue_id, count(*) AS n FROM ticket INDEXED BY ticket_waiting_line WHERE status = 'en_attente' AND queue_id IN (${ids.map(() => '?').join(', ')}) GROUP BY queue_id`, ...ids,
  ).map((c) => [c.queue_id, c.n]));
  const names = new Map(queues.map((q) => [q.id, q.name]));
  const calls = ids.length === 0 ? [] : db.all(
    qb.selectFrom('ticket')
      .select(['id', 'number', 'status', 'counter_label', 'queue_id', 'recall_count', 'called_at'])
      .where('queue_id', 'in', ids).where('created_at', '>=', now - RECENT_WINDOW_MS).where('called_at', 'is not', null)
      .orderBy('called_at', 'desc').limit(RECENT_CALLS),
  );
  return {
    type: 'connection',
    seq,
    display: {
      id: row.id, name: row.name, type: row.type, queue_ids: ids,
      languages: parseStringArray(row.languages), layout: parseJson(row.layout), theme: parseJson(row.theme),
    },
    queues: queues.map((q): Msg<typeof DisplayQueue> => ({ id: q.id, name: q.name, prefix: q.prefix, status: q.status, waiting_count: counts.get(q.id) ?? 0 })),
    recent_calls: calls.map((c): Msg<typeof DisplayCall> => ({
      ticket_id: c.id, number: c.number, status: c.status, counter: c.counter_label, queue_id: c.queue_id,
      queue_name: names.get(c.queue_id) ?? '', recall_count: c.recall_count,
      called_at: c.called_at === null ? null : new Date(c.called_at).toISOString(),
    })),
  };
}

/** Tickets now waiting in a queue (served by the partial index on waiting tickets). */
export function waitingCount(db: Db, queueId: string): number {
  return db.raw<{ n: number }>(`SELECT count(*) AS n FROM ticket INDEXED BY ticket_waiting_line WHERE status = 'en_attente' AND queue_id = ?`, queueId)[0]?.n ?? 0;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return {};
  }
}

function parseStringArray(text: string): string[] {
  const value = parseJson(text);
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}
