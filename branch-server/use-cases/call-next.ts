import { qb } from '../db/sqlite.ts';
import { loadWaiting, toQueueSnapshot, toTicketDto } from '../db/repositories/tickets.repository.ts';
import type { TicketRow } from '../db/tables/ticket.table.ts';
import type { TicketDto } from '../contract/tickets.contract.ts';
import { DomainError } from '../domain/errors.ts';
import type { QueueId, UserId } from '../domain/ids.ts';
import { awayHeads, DEFAULT_POLICY_CONFIG, expiredRemoteHolds, pickNext, type PickExplanation } from '../domain/queue-policies.ts';
import { dropRemote, holdRemote } from './remote-join.ts';
import { transition } from '../domain/ticket-status.ts';
import { agentPayload, agentSkills, assertNoActiveTicket, getAgentProfile, setAgentStatus } from './agent-profile.ts';
import type { Caller, UseCaseDeps } from './deps.ts';
import { queueChanged, ticketEvent } from './publish.ts';
import { journal } from './ticket-journal.ts';

/**
 * The agent asks for the next customer: the pure engine picks among the waiting tickets of the
 * agent's queues (skills), by each queue's policy and weighted round-robin across queues, and the
 * reason is recorded on the ticket's event.
 */
export function callNext(deps: UseCaseDeps, caller: Caller, agentUserId: string, onlyQueueId?: string | null): TicketDto & { explanation: PickExplanation } {
  const { db } = deps;
  const { now } = caller;
  const dropped: TicketDto[] = [];
  const result = db.tx(() => {
    const profile = getAgentProfile(db, caller.tenantId, agentUserId);
    if (profile.status === 'paused') throw new DomainError('agent-not-available', 'You are paused: set your status to available to call customers.');
    assertNoActiveTicket(db, caller.tenantId, agentUserId);
    const skills = agentSkills(db, caller.tenantId, agentUserId);
    if (onlyQueueId && !skills.includes(onlyQueueId)) {
      throw new DomainError('queue-not-in-skills', 'You do not serve this queue.', { queue_id: onlyQueueId });
    }
    const queues = skills.length === 0 ? [] : db.all(
      qb.selectFrom('queue').innerJoin('service', 'service.id', 'queue.service_id')
        .leftJoin('service_booking_rule', 'service_booking_rule.service_id', 'queue.service_id')
        .selectAll('queue').select(['service.sla_seconds', 'service_booking_rule.remote_hold_minutes'])
        .where('queue.id', 'in', skills).where('queue.tenant_id', '=', caller.tenantId),
    );
    const snapshots = queues.map((q) => toQueueSnapshot(q, q.sla_seconds, q.remote_hold_minutes === null ? undefined : q.remote_hold_minutes * 60));
    const loaded = loadWaiting(db, queues.map((q) => q.id));
    // Remote tickets whose hold ran out leave the line first (no-show), so nobody waits on them.
    const expired = new Set<string>(expiredRemoteHolds(snapshots, loaded, now));
    for (const id of expired) dropped.push(dropRemote(db, caller, id));
    const input = { queues: snapshots, waiting: loaded.filter((t) => !expired.has(t.id)) };
    const agentSnapshot = { id: agentUserId as UserId, skills: skills as QueueId[], rr: parseRr(profile.rr_state) };
    const only = onlyQueueId ? (onlyQueueId as QueueId) : undefined;
    const pick = pickNext(input, agentSnapshot, DEFAULT_POLICY_CONFIG, now, only);
    holdRemote(db, caller, pick ? pick.hold : awayHeads(input, agentSnapshot, DEFAULT_POLICY_CONFIG, now, only));
    if (!pick) return null;

    const before = db.first(qb.selectFrom('ticket').selectAll().where('id', '=', pick.ticket.id));
    if (!before) throw new DomainError('not-found', 'Ticket not found.');
    const after: TicketRow = {
      ...before, status: transition(before.status, 'call'), agent_id: agentUserId,
      counter_label: profile.counter_label, called_at: now, updated_at: now,
    };
    db.run(qb.updateTable('ticket').set({
      status: after.status, agent_id: after.agent_id, counter_label: after.counter_label, called_at: now, updated_at: now,
    }).where('id', '=', after.id).where('status', '=', 'en_attente'));
    const agent = setAgentStatus(db, profile, 'busy', now, { rr_state: JSON.stringify(pick.rr) });
    journal(db, caller.actor, { type: 'ticket.called', before, after, explanation: pick.explanation }, now);
    const queueName = queues.find((q) => q.id === after.queue_id)?.name ?? '';
    return { dto: toTicketDto({ ...after, queue_name: queueName }, caller.origin), explanation: pick.explanation, agent };
  });
  deps.events.publish(dropped.flatMap((dto) => [ticketEvent(caller, 'ticket.no_show', dto), queueChanged(caller, dto.queue)]));
  if (!result) throw new DomainError('no-ticket-waiting', 'No ticket is waiting in your queues.');
  deps.events.publish([
    ticketEvent(caller, 'ticket.called', result.dto, result.explanation),
    queueChanged(caller, result.dto.queue),
    { kind: 'agent', tenantId: caller.tenantId, tenantSlug: caller.tenantSlug, agentId: agentUserId, payload: agentPayload(result.agent) },
  ]);
  return { ...result.dto, explanation: result.explanation };
}

function parseRr(text: string): Record<string, number> {
  try {
    const value: unknown = JSON.parse(text);
    if (!value || typeof value !== 'object' || Array.isArray(value)) return {};
    return Object.fromEntries(Object.entries(value).filter((e): e is [string, number] => typeof e[1] === 'number' && Number.isFinite(e[1])));
  } catch {
    return {};
  }
}
