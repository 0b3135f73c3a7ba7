import type { Db } from '../db/sqlite.ts';
import { appendAudit, type Actor } from '../db/repositories/audit.repository.ts';
import { appendOutbox } from '../db/repositories/outbox.repository.ts';
import type { TicketRow } from '../db/tables/ticket.table.ts';
import { uuidv7 } from '../ids.ts';

export type Transition = Readonly<{
  type: string;
  before: TicketRow | null;
  after: TicketRow;
  reason?: string;
  explanation?: unknown;
  data?: Record<string, unknown>;
}>;

/**
 * Records a ticket change the three ways the product promises, inside the caller's transaction:
 * an append-only ticket_event, a hash-chained audit row, and outbox rows for the uplink.
 */
export function journal(db: Db, actor: Actor, t: Transition, now: number): void {
  const event = {
    id: uuidv7(now),
    tenant_id: t.after.tenant_id,
    ticket_id: t.after.id,
    type: t.type,
    from_status: t.before?.status ?? null,
    to_status: t.after.status,
    actor_user_id: actor.userId,
    actor_device_id: actor.deviceId,
    reason: t.reason ?? '',
    explanation: t.explanation === undefined ? null : JSON.stringify(t.explanation),
    data: JSON.stringify(t.data ?? {}),
    created_at: now,
  };
  db.insert('ticket_event', event);
  appendOutbox(db, { tenantId: t.after.tenant_id, entity: 'ticket', entityId: t.after.id, op: t.before ? 'update' : 'insert', payload: t.after }, now);
  appendOutbox(db, { tenantId: t.after.tenant_id, entity: 'ticket_event', entityId: event.id, op: 'insert', payload: event }, now);
  appendAudit(db, actor, {
    tenantId: t.after.tenant_id,
    action: t.type,
    entity: 'ticket',
    entityId: t.after.id,
    before: t.before ? summary(t.before) : undefined,
    after: { ...summary(t.after), ...(t.reason ? { reason: t.reason } : {}) },
  }, now);
}

function summary(row: TicketRow) {
  return { number: row.number, status: row.status, queue: row.queue_id, agent: row.agent_id, priority: row.priority };
}
