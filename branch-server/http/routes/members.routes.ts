import { sql } from 'kysely';
import { memberRoutes } from '../../contract/members.contract.ts';
import { containsPattern } from '../../use-cases/references.ts';
import { createMember, describeMember, memberQuery, toMemberDtos, updateMember } from '../../use-cases/members.ts';
import type { AppDeps, Handlers } from '../context.ts';
import { paginate } from '../pagination.ts';
import { callerOf } from './tickets.routes.ts';

const useCaseDeps = (ctx: { deps: AppDeps }) => ({ db: ctx.deps.db, events: ctx.deps.events });

export const memberHandlers: Handlers<typeof memberRoutes> = {
  listMembers(ctx) {
    const { query: q, tenant, deps: { db } } = ctx;
    let query = memberQuery(tenant.id);
    if (q.role) query = query.where('tenant_membership.role', '=', q.role);
    if (q.is_active !== undefined) query = query.where('tenant_membership.is_active', '=', q.is_active ? 1 : 0);
    if (q.queue) {
      const queueId = q.queue;
      query = query.where(sql<boolean>`EXISTS (SELECT 1 FROM agent_queue aq WHERE aq.tenant_id = tenant_membership.tenant_id AND aq.user_id = tenant_membership.user_id AND aq.queue_id = ${queueId})`);
    }
    if (q.search) {
      const pattern = containsPattern(q.search);
      query = query.where(sql<boolean>`(user.email LIKE ${pattern} ESCAPE '\\' OR (user.first_name || ' ' || user.last_name) LIKE ${pattern} ESCAPE '\\')`);
    }
    query = query.orderBy('tenant_membership.created_at').orderBy('user.id');
    return paginate(db, query, q, ctx.origin, ctx.req, (rows) => toMemberDtos(db, tenant.id, rows));
  },
  createMember: (ctx) => createMember(useCaseDeps(ctx), callerOf(ctx), ctx.body),
  getMember: ({ deps, tenant, params }) => describeMember(deps.db, tenant.id, params.id),
  updateMember: (ctx) => updateMember(useCaseDeps(ctx), callerOf(ctx), ctx.params.id, ctx.body),
  deleteMember(ctx) {
    updateMember(useCaseDeps(ctx), callerOf(ctx), ctx.params.id, { is_active: false }, 'member.deactivated');
    return null;
  },
};
