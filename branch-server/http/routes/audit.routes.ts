import { auditRoutes } from '../../contract/audit.contract.ts';
import { verifyAuditChain } from '../../db/repositories/audit.repository.ts';
import { qb } from '../../db/sqlite.ts';
import type { AuditLogRow } from '../../db/tables/audit-log.table.ts';
import type { Handlers } from '../context.ts';
import { paginate } from '../pagination.ts';

function parseJson(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export const auditHandlers: Handlers<typeof auditRoutes> = {
  verifyAuditChain({ deps }) {
    const result = verifyAuditChain(deps.db);
    return { ok: result.ok, rows: result.rows, broken_at_seq: result.brokenAtSeq };
  },
  listAuditLogs(ctx) {
    const { query: q, tenant } = ctx;
    let query = qb.selectFrom('audit_log')
      .leftJoin('user', 'user.id', 'audit_log.actor_user_id')
      .selectAll('audit_log')
      .select('user.email as actor_email')
      .where('audit_log.tenant_id', '=', tenant.id);
    if (q.entity) query = query.where('audit_log.entity', '=', q.entity);
    if (q.entity_id) query = query.where('audit_log.entity_id', '=', q.entity_id);
    if (q.action) {
      query = q.action.endsWith('.')
        ? query.where('audit_log.action', '>=', q.action).where('audit_log.action', '<', `${q.action.slice(0, -1)}/`)
        : query.where('audit_log.action', '=', q.action);
    }
    if (q.actor) query = query.where('audit_log.actor_user_id', '=', q.actor);
    if (q.created_after !== undefined) query = query.where('audit_log.created_at', '>=', q.created_after);
    if (q.created_before !== undefined) query = query.where('audit_log.created_at', '<', q.created_before);
    query = query.orderBy('audit_log.seq', 'desc');
    return paginate(ctx.deps.db, query, q, ctx.origin, ctx.req, (rows: (AuditLogRow & { actor_email: string | null })[]) => rows.map((r) => ({
      seq: r.seq, id: r.id, action: r.action, entity: r.entity, entity_id: r.entity_id,
      actor_user: r.actor_user_id, actor_email: r.actor_email, actor_device: r.actor_device_id,
      before: parseJson(r.before), after: parseJson(r.after), ip: r.ip, user_agent: r.user_agent, endpoint: r.endpoint,
      created_at: new Date(r.created_at).toISOString(), prev_hash: r.prev_hash, hash: r.hash,
    })));
  },
};
