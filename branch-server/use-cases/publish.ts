import type { Db } from '../db/sqlite.ts';
import type { TicketDto } from '../contract/tickets.contract.ts';
import { queueEtas, type WaitingIdentity } from '../db/repositories/tickets.repository.ts';
import type { Caller } from './deps.ts';
import type { DomainEvent, TicketEventName } from './events.ts';

export function ticketEvent(caller: Caller, event: TicketEventName, ticket: TicketDto, explanation?: unknown): DomainEvent {
  return {
    kind: 'ticket', event, tenantId: caller.tenantId, tenantSlug: caller.tenantSlug, queueId: ticket.queue, ticket,
    ...(explanation === undefined ? {} : { explanation }),
  };
}

/** Marks a queue's waiting line as changed; the ETA refresher recomputes it once per tick. */
export function queueChanged(caller: Caller, queueId: string): DomainEvent {
  return { kind: 'queue-changed', tenantId: caller.tenantId, tenantSlug: caller.tenantSlug, queueId };
}

/** Fresh positions and ETAs of a queue's waiting tickets, read after commit. */
export function etaEvent(db: Db, caller: Caller, queueId: string): DomainEvent {
  const publicIds = new Map<string, WaitingIdentity>();
  const { ordered, etas } = queueEtas(db, queueId, caller.now, publicIds);
  return {
    kind: 'queue-etas', tenantId: caller.tenantId, tenantSlug: caller.tenantSlug, queueId,
    waiting: ordered.flatMap((t) => {
      const eta = etas.get(t.id);
      const ids = publicIds.get(t.id);
      return eta && ids ? [{ ticket_id: t.id, public_id: ids.public_id, number: ids.number, position: eta.position, eta_seconds: eta.etaSeconds, eta_p90_seconds: eta.etaP90Seconds }] : [];
    }),
  };
}
