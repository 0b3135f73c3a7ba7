import { appendAudit } from '../db/repositories/audit.repository.ts';
import { qb } from '../db/sqlite.ts';
import { agentPayload, getAgentProfile, setAgentStatus } from './agent-profile.ts';
import type { Caller, UseCaseDeps } from './deps.ts';

export type SetStatusInput = Readonly<{ status: 'available' | 'busy' | 'paused'; reason?: string | undefined; counter?: string | undefined }>;

/**
 * The signed-in agent sets their own status (and, optionally, the counter they sit at). Pausing while
 * holding a called or in-service ticket is allowed, as in SmartQueue v1: the ticket stays with the
 * agent, and a paused agent is not counted in ETAs nor offered new calls until available again.
 */
export function setOwnAgentStatus(deps: UseCaseDeps, caller: Caller, userId: string, input: SetStatusInput): ReturnType<typeof agentPayload> {
  const { db } = deps;
  const { now } = caller;
  const profile = db.tx(() => {
    let current = getAgentProfile(db, caller.tenantId, userId);
    const before = agentPayload(current);
    if (input.counter !== undefined && input.counter !== current.counter_label) {
      db.run(qb.updateTable('agent_profile').set({ counter_label: input.counter, updated_at: now }).where('id', '=', current.id));
      current = { ...current, counter_label: input.counter, updated_at: now };
    }
    const next = setAgentStatus(db, current, input.status, now, { status_reason: input.reason ?? '' });
    const after = agentPayload(next);
    appendAudit(db, caller.actor, {
      tenantId: caller.tenantId, action: 'agent.status_changed', entity: 'agent', entityId: userId,
      before: { status: before.status, status_reason: before.status_reason, counter: before.counter },
      after: { status: after.status, status_reason: after.status_reason, counter: after.counter },
    }, now);
    return next;
  });
  const payload = agentPayload(profile);
  deps.events.publish([{ kind: 'agent', tenantId: caller.tenantId, tenantSlug: caller.tenantSlug, agentId: userId, payload }]);
  return payload;
}
