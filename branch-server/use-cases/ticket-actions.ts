import { qb, type Db } from '../db/sqlite.ts';
import { getQueueRow, getTicketRow, parseSamples, toTicketDto, toTicketDtos } from '../db/repositories/tickets.repository.ts';
import type { AgentProfileRow } from '../db/tables/agent-profile.table.ts';
import type { TicketRow } from '../db/tables/ticket.table.ts';
import type { TicketDto } from '../contract/tickets.contract.ts';
import { DomainError } from '../domain/errors.ts';
import { ewma } from '../domain/eta.ts';
import { isActiveStatus, TICKET_EVENTS, transition, type TicketAction } from '../domain/ticket-status.ts';
import { publicToken, uuidv7 } from '../ids.ts';
import { agentPayload, assertNoActiveTicket, getAgentProfile, setAgentStatus } from './agent-profile.ts';
import type { Caller, UseCaseDeps } from './deps.ts';
import type { DomainEvent } from './events.ts';
import { queueChanged, ticketEvent } from './publish.ts';
import { journal } from './ticket-journal.ts';

const MAX_SAMPLES = 50;

type Outcome = Readonly<{ dto: TicketDto; queues: string[]; agents: AgentProfileRow[]; extra?: DomainEvent[] }>;

/** Agents act on their own tickets; managers and admins (and devices never) on anyone's. */
function assertHolder(caller: Caller, ticket: TicketRow): void {
  if (caller.role === 'agent' && ticket.agent_id !== null && ticket.agent_id !== caller.actor.userId) {
    throw new DomainError('not-ticket-holder', `Ticket ${ticket.number} is handled by another agent.`);
  }
}

function releaseAgent(db: Db, tenantId: string, agentId: string | null, now: number): AgentProfileRow | null {
  if (!agentId) return null;
  const profile = db.first(qb.selectFrom('agent_profile').selectAll().where('tenant_id', '=', tenantId).where('user_id', '=', agentId));
  if (!profile || profile.status !== 'busy') return null;
  return setAgentStatus(db, profile, 'available', now);
}

function queueName(db: Db, queueId: string): string {
  return db.first(qb.selectFrom('queue').select('name').where('id', '=', queueId))?.name ?? '';
}

/** Folds a finished service's duration into the queue's EWMA and recent samples (for ETA and p90). */
function learnServiceTime(db: Db, ticket: TicketRow, now: number): void {
  if (ticket.started_at === null) return;
  const seconds = Math.max(0, (now - ticket.started_at) / 1000);
  const queue = db.first(qb.selectFrom('queue').select(['ewma_service_seconds', 'service_samples']).where('id', '=', ticket.queue_id));
  if (!queue) return;
  const samples = [...parseSamples(queue.service_samples), Math.round(seconds)].slice(-MAX_SAMPLES);
  db.run(qb.updateTable('queue').set({
    ewma_service_seconds: ewma(queue.ewma_service_seconds, seconds),
    service_samples: JSON.stringify(samples),
  }).where('id', '=', ticket.queue_id));
}

function finish(deps: UseCaseDeps, caller: Caller, action: TicketAction, outcome: Outcome): TicketDto {
  const event = TICKET_EVENTS[action];
  deps.events.publish([
    ticketEvent(caller, event, outcome.dto),
    ...(outcome.extra ?? []),
    ...outcome.queues.map((q) => queueChanged(caller, q)),
    ...outcome.agents.map((a): DomainEvent => ({ kind: 'agent', tenantId: caller.tenantId, tenantSlug: caller.tenantSlug, agentId: a.user_id, payload: agentPayload(a) })),
  ]);
  return outcome.dto;
}

/**
 * start_service, close, pause, resume, mark_no_show and recall: one legal transition of the state
 * machine, journaled, with the agent released where the ticket leaves them.
 */
export function actOnTicket(
  deps: UseCaseDeps,
  caller: Caller,
  ticketId: string,
  action: Exclude<TicketAction, 'call' | 'transfer' | 'expire' | 'drop_remote'>,
  reason = '',
): TicketDto {
  const { db } = deps;
  const { now } = caller;
  const outcome = db.tx((): Outcome => {
    const before = getTicketRow(db, caller.tenantId, ticketId);
    assertHolder(caller, before);
    const status = transition(before.status, action);
    const after: TicketRow = { ...before, status, updated_at: now };
    const agents: AgentProfileRow[] = [];
    switch (action) {
      case 'start_service':
        after.started_at = now;
        break;
      case 'recall':
        after.recall_count = before.recall_count + 1;
        break;
      case 'close':
      case 'no_show':
        after.ended_at = now;
        if (action === 'close') learnServiceTime(db, before, now);
        break;
      case 'resume': {
        const holder = caller.role === 'agent' || !before.agent_id ? caller.actor.userId : before.agent_id;
        if (!holder) throw new DomainError('forbidden', 'Only an agent can resume a ticket.');
        assertNoActiveTicket(db, caller.tenantId, holder);
        const profile = getAgentProfile(db, caller.tenantId, holder);
        after.agent_id = holder;
        after.counter_label = profile.counter_label;
        agents.push(setAgentStatus(db, profile, 'busy', now));
        break;
      }
      case 'pause':
        break;
    }
    if (action === 'close' || action === 'no_show' || action === 'pause') {
      const released = releaseAgent(db, caller.tenantId, before.agent_id, now);
      if (released) agents.push(released);
    }
    db.run(qb.updateTable('ticket').set({
      status: after.status, agent_id: after.agent_id, counter_label: after.counter_label, started_at: after.started_at,
      ended_at: after.ended_at, recall_count: after.recall_count, updated_at: now,
    }).where('id', '=', after.id));
    journal(db, caller.actor, { type: TICKET_EVENTS[action], before, after, reason }, now);
    return { dto: toTicketDto({ ...after, queue_name: queueName(db, after.queue_id) }, caller.origin), queues: [after.queue_id], agents };
  });
  return finish(deps, caller, action, outcome);
}

/**
 * Sends a customer to another queue. The original ticket ends as `transfere`; a linked ticket in the
 * target queue keeps the number, the customer and the original arrival time (the customer keeps
 * their place rather than starting over). The public tracking page follows the link.
 */
export function transferTicket(deps: UseCaseDeps, caller: Caller, ticketId: string, targetQueueId: string, reason: string): TicketDto {
  const { db } = deps;
  const { now } = caller;
  const outcome = db.tx((): Outcome => {
    const before = getTicketRow(db, caller.tenantId, ticketId);
    assertHolder(caller, before);
    const target = db.first(qb.selectFrom('queue').selectAll().where('id', '=', targetQueueId).where('tenant_id', '=', caller.tenantId));
    if (!target) throw new DomainError('invalid-reference', 'target_queue_id: unknown queue.', [{ field: 'target_queue_id', message: 'unknown queue' }]);
    if (target.id === before.queue_id) throw new DomainError('same-queue-transfer', 'The ticket is already in that queue.');
    if (target.status === 'closed') throw new DomainError('queue-closed', `Queue "${target.name}" is closed.`);
    const source = getQueueRow(db, caller.tenantId, before.queue_id);
    const status = transition(before.status, 'transfer');
    const closed: TicketRow = { ...before, status, ended_at: now, updated_at: now };
    db.run(qb.updateTable('ticket').set({ status, ended_at: now, updated_at: now }).where('id', '=', before.id));
    journal(db, caller.actor, { type: 'ticket.transferred', before, after: closed, reason, data: { target_queue_id: target.id } }, now);

    const moved: TicketRow = {
      ...before,
      id: uuidv7(now),
      queue_id: target.id,
      site_id: target.site_id,
      public_id: publicToken(),
      status: 'en_attente',
      agent_id: null,
      counter_label: '',
      recall_count: 0,
      transferred_from: before.id,
      called_at: null,
      started_at: null,
      ended_at: null,
      updated_at: now,
    };
    db.run(qb.insertInto('ticket').values(moved));
    journal(db, caller.actor, { type: 'ticket.created', before: null, after: moved, reason, data: { transferred_from: before.id, source_queue_id: source.id } }, now);

    const agents: AgentProfileRow[] = [];
    // Only a ticket the agent is handling frees them: a paused one already did, and they may be serving another now.
    const released = isActiveStatus(before.status) ? releaseAgent(db, caller.tenantId, before.agent_id, now) : null;
    if (released) agents.push(released);
    // Live position and ETA in the target queue (the customer's new place in line).
    const movedDto = toTicketDtos(db, [moved], caller.origin, now)[0]!;
    return {
      dto: movedDto,
      queues: [before.queue_id, target.id],
      agents,
      extra: [
        ticketEvent(caller, 'ticket.transferred', toTicketDto({ ...closed, queue_name: source.name }, caller.origin), { target_queue_id: target.id, new_ticket_id: moved.id }),
        ticketEvent(caller, 'ticket.created', movedDto),
      ],
    };
  });
  // The transferred event goes to the source queue with the closed ticket; the target gets the created one.
  deps.events.publish([
    ...(outcome.extra ?? []),
    ...outcome.queues.map((q) => queueChanged(caller, q)),
    ...outcome.agents.map((a): DomainEvent => ({ kind: 'agent', tenantId: caller.tenantId, tenantSlug: caller.tenantSlug, agentId: a.user_id, payload: agentPayload(a) })),
  ]);
  return outcome.dto;
}
