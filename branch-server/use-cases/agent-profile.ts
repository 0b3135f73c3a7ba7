import { qb, type Db } from '../db/sqlite.ts';
import type { AgentProfileRow } from '../db/tables/agent-profile.table.ts';
import { DomainError } from '../domain/errors.ts';
import { isActiveStatus } from '../domain/ticket-status.ts';
import { heldTickets } from '../db/repositories/tickets.repository.ts';

export function getAgentProfile(db: Db, tenantId: string, userId: string): AgentProfileRow {
  const profile = db.first(qb.selectFrom('agent_profile').selectAll().where('tenant_id', '=', tenantId).where('user_id', '=', userId));
  if (!profile) throw new DomainError('agent-not-available', 'You have no agent profile in this tenant: ask a manager to add you as an agent.');
  return profile;
}

export function agentSkills(db: Db, tenantId: string, userId: string): string[] {
  return db.all(qb.selectFrom('agent_queue').select('queue_id').where('tenant_id', '=', tenantId).where('user_id', '=', userId)).map((r) => r.queue_id);
}

/** An agent never holds two active tickets. */
export function assertNoActiveTicket(db: Db, tenantId: string, userId: string): void {
  const active = heldTickets(db, tenantId, userId).find((t) => isActiveStatus(t.status));
  if (active) {
    throw new DomainError('agent-has-active-ticket', `You are already handling ticket ${active.number} (${active.status}). Close, transfer or pause it first.`, { number: active.number, status: active.status });
  }
}

export function setAgentStatus(db: Db, profile: AgentProfileRow, status: AgentProfileRow['status'], now: number, extra: Partial<Pick<AgentProfileRow, 'rr_state' | 'status_reason'>> = {}): AgentProfileRow {
  const changed = status !== profile.status;
  const next: AgentProfileRow = {
    ...profile, ...extra, status, updated_at: now,
    status_changed_at: changed ? now : profile.status_changed_at,
    status_reason: extra.status_reason ?? (changed ? '' : profile.status_reason),
  };
  db.run(qb.updateTable('agent_profile').set({
    status: next.status, status_reason: next.status_reason, rr_state: next.rr_state,
    status_changed_at: next.status_changed_at, updated_at: now,
  }).where('id', '=', profile.id));
  return next;
}

/** The agent payload of the agents ws channel and of agents/ routes. */
export function agentPayload(profile: AgentProfileRow) {
  return {
    user_id: profile.user_id,
    status: profile.status,
    status_reason: profile.status_reason,
    counter: profile.counter_label,
    status_changed_at: new Date(profile.status_changed_at).toISOString(),
  };
}
