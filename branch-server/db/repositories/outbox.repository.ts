import type { Db } from '../sqlite.ts';
import { uuidv7 } from '../../ids.ts';

export type OutboxEntry = Readonly<{
  tenantId: string;
  entity: 'ticket' | 'ticket_event' | 'customer' | 'feedback' | 'audit_log' | 'appointment' | 'day_summary';
  entityId: string;
  op: 'insert' | 'update' | 'delete';
  payload: unknown;
}>;

const listeners = new WeakMap<Db, Set<() => void>>();

/**
 * Appends the uplink row for a branch-owned change. **Important**: call it inside the change's own
 * transaction, so a change and its outbox row commit or vanish together. Once it commits, whoever
 * listens (the sync loop) is woken up.
 */
export function appendOutbox(db: Db, entry: OutboxEntry, now: number): void {
  db.insert('sync_outbox', {
    mutation_id: uuidv7(now),
    tenant_id: entry.tenantId,
    entity: entry.entity,
    entity_id: entry.entityId,
    op: entry.op,
    payload: JSON.stringify(entry.payload),
    created_at: now,
  });
  const waiting = listeners.get(db);
  if (waiting && waiting.size > 0) db.afterCommit('outbox', () => waiting.forEach((listener) => listener()));
}

/** Calls `listener` after each commit that wrote outbox rows. Returns the unsubscribe function. */
export function onOutboxCommitted(db: Db, listener: () => void): () => void {
  let set = listeners.get(db);
  if (!set) {
    set = new Set();
    listeners.set(db, set);
  }
  set.add(listener);
  return () => set.delete(listener);
}
