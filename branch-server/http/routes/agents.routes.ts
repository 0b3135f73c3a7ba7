import { sql } from 'kysely';
import { agentRoutes, type AgentDto } from '../../contract/members.contract.ts';
import { qb, type Db } from '../../db/sqlite.ts';
import type { AgentProfileRow } from '../../db/tables/agent-profile.table.ts';
import { DomainError } from '../../domain/errors.ts';
import { isActiveStatus } from '../../domain/ticket-status.ts';
import { heldTickets } from '../../db/repositories/tickets.repository.ts';
import { setOwnAgentStatus } from '../../use-cases/agent-status.ts';
import { skillsOf } from '../../use-cases/members.ts';
import type { Handlers } from '../context.ts';
import { paginate } from '../pagination.ts';
import { callerOf } from './tickets.routes.ts';

type AgentJoin = Pick<AgentProfileRow, 'user_id' | 'status' | 'status_reason' | 'status_changed_at' | 'counter_label'>
  & Readonly<{ email: string; first_name: string; last_name: string; role: AgentDto['role'] }>;

/** Active staff with an agent profile. */
function agentQuery(tenantId: string) {
  return qb.selectFrom('agent_profile')
    .innerJoin('user', 'user.id', 'agent_profile.user_id')
    .innerJoin('tenant_membership', (j) => j.onRef('tenant_membership.user_id', '=', 'agent_profile.user_id').onRef('tenant_membership.tenant_id', '=', 'agent_profile.tenant_id'))
    .select([
      'agent_profile.user_id', 'agent_profile.status', 'agent_profile.status_reason', 'agent_profile.status_changed_at',
      'agent_profile.counter_label', 'user.email', 'user.first_name', 'user.last_name', 'tenant_membership.role',
    ])
    .where('agent_profile.tenant_id', '=', tenantId)
    .where('tenant_membership.is_active', '=', 1);
}

function toAgentDtos(db: Db, tenantId: string, rows: readonly AgentJoin[]): AgentDto[] {
  const ids = rows.map((r) => r.user_id);
  const skills = skillsOf(db, tenantId, ids);
  const current = new Map<string, AgentDto['current_ticket']>();
  if (ids.length > 0) {
    const tickets = ids.flatMap((id) => heldTickets(db, tenantId, id).map((t) => ({ ...t, agent_id: id })));
    for (const t of tickets) {
      if (isActiveStatus(t.status) && !current.has(t.agent_id)) {
        current.set(t.agent_id, { id: t.id, number: t.number, status: t.status, queue: t.queue_id });
      }
    }
  }
  return rows.map((r) => ({
    id: r.user_id, email: r.email, first_name: r.first_name, last_name: r.last_name, role: r.role,
    status: r.status, status_reason: r.status_reason, status_changed_at: new Date(r.status_changed_at).toISOString(),
    counter: r.counter_label, queue_ids: skills.get(r.user_id) ?? [], current_ticket: current.get(r.user_id) ?? null,
  }));
}

export const agentHandlers: Handlers<typeof agentRoutes> = {
  listAgents(ctx) {
    const { query: q, tenant, deps: { db } } = ctx;
    let query = agentQuery(tenant.id);
    if (q.status) query = query.where('agent_profile.status', '=', q.status);
    if (q.queue) {
      const queueId = q.queue;
      query = query.where(sql<boolean>`EXISTS (SELECT 1 FROM agent_queue aq WHERE aq.tenant_id = agent_profile.tenant_id AND aq.user_id = agent_profile.user_id AND aq.queue_id = ${queueId})`);
    }
    query = query.orderBy('agent_profile.counter_label').orderBy('agent_profile.user_id');
    return paginate(db, query, q, ctx.origin, ctx.req, (rows) => toAgentDtos(db, tenant.id, rows));
  },
  myAgentProfile({ deps: { db }, tenant, principal }) {
    if (principal.kind !== 'user') throw new DomainError('forbidden', 'Only a signed-in member has an agent profile.');
    const row = db.first(agentQuery(tenant.id).where('agent_profile.user_id', '=', principal.userId));
    if (!row) throw new DomainError('not-found', 'You have no agent profile in this tenant.');
    return toAgentDtos(db, tenant.id, [row])[0]!;
  },
  setAgentStatus(ctx) {
    if (ctx.principal.kind !== 'user') throw new DomainError('forbidden', 'Only an agent sets their own status.');
    return setOwnAgentStatus({ db: ctx.deps.db, events: ctx.deps.events }, callerOf(ctx), ctx.principal.userId, ctx.body);
  },
};
