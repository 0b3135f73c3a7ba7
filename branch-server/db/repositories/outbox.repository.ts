import { qb, type Db } from '../sqlite.ts';
import { uuidv7 } from '../../ids.ts';

export type OutboxEntry = Readonly<{
  tenantId: string;
  entity: 'ticket' | 'ticket_event' | 'customer' | 'feedback' | 'audit_log' | 'appointment';
  entityId: string;
  op: 'insert' | 'update' | 'delete';
  payload: unknown;
}>;

/**
 * Appends the uplink row for a branch-owned change. **Important**: call it inside the change's own
 * transaction, so a change and its outbox row commit or vanish together.
 */
export function appendOutbox(db: Db, entry: OutboxEntry, now: number): void {
  db.run(
    qb.insertInto('sync_outbox').values({
      mutation_id: uuidv7(now),
      tenant_id: entry.tenantId,
      entity: entry.entity,
      entity_id: entry.entityId,
      op: entry.op,
      payload: JSON.stringify(entry.payload),
      created_at: now,
    }),
  );
}
