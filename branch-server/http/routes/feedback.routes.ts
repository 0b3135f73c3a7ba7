import { sql } from 'kysely';
import { feedbackRoutes } from '../../contract/feedback.contract.ts';
import { feedbackQuery, leaveFeedback, npsScore, ticketByPublicId, toFeedbackDto } from '../../use-cases/feedback.ts';
import type { Handlers } from '../context.ts';
import { paginate } from '../pagination.ts';

type Filters = Readonly<{
  ticket?: string | undefined; customer?: string | undefined; queue?: string | undefined;
  nps_category?: 'promoter' | 'passive' | 'detractor' | undefined; channel?: 'kiosk' | 'web' | 'staff' | undefined;
  created_after?: number | undefined; created_before?: number | undefined;
}>;

function filtered(tenantId: string, f: Filters) {
  let query = feedbackQuery(tenantId);
  if (f.ticket) query = query.where('feedback.ticket_id', '=', f.ticket);
  if (f.customer) query = query.where('feedback.customer_id', '=', f.customer);
  if (f.queue) query = query.where('ticket.queue_id', '=', f.queue);
  if (f.nps_category) query = query.where('feedback.nps_category', '=', f.nps_category);
  if (f.channel) query = query.where('feedback.channel', '=', f.channel);
  if (f.created_after !== undefined) query = query.where('feedback.created_at', '>=', f.created_after);
  if (f.created_before !== undefined) query = query.where('feedback.created_at', '<', f.created_before);
  return query;
}

const round2 = (n: number | null) => (n === null ? null : Math.round(n * 100) / 100);

export const feedbackHandlers: Handlers<typeof feedbackRoutes> = {
  feedbackSummary({ deps: { db }, tenant, query }) {
    const row = db.first(filtered(tenant.id, query).clearSelect().select([
      sql<number>`count(*)`.as('count'),
      sql<number>`count(feedback.csat)`.as('csat_count'),
      sql<number | null>`avg(feedback.csat)`.as('avg_csat'),
      sql<number>`count(feedback.nps)`.as('nps_count'),
      sql<number>`coalesce(sum(feedback.nps_category = 'promoter'), 0)`.as('promoters'),
      sql<number>`coalesce(sum(feedback.nps_category = 'passive'), 0)`.as('passives'),
      sql<number>`coalesce(sum(feedback.nps_category = 'detractor'), 0)`.as('detractors'),
      sql<number | null>`avg(feedback.wait_rating)`.as('avg_wait_rating'),
      sql<number | null>`avg(feedback.service_rating)`.as('avg_service_rating'),
    ]));
    const r = row ?? { count: 0, csat_count: 0, avg_csat: null, nps_count: 0, promoters: 0, passives: 0, detractors: 0, avg_wait_rating: null, avg_service_rating: null };
    return {
      count: r.count, csat_count: r.csat_count, avg_csat: round2(r.avg_csat), nps_count: r.nps_count,
      promoters: r.promoters, passives: r.passives, detractors: r.detractors,
      nps_score: npsScore(r.promoters, r.detractors, r.nps_count),
      avg_wait_rating: round2(r.avg_wait_rating), avg_service_rating: round2(r.avg_service_rating),
    };
  },
  listFeedback(ctx) {
    const query = filtered(ctx.tenant.id, ctx.query).orderBy('feedback.created_at', 'desc').orderBy('feedback.id', 'desc');
    return paginate(ctx.deps.db, query, ctx.query, ctx.origin, ctx.req, (rows) => rows.map(toFeedbackDto));
  },
  createFeedback({ deps: { db }, body, tenant, actor, now, principal }) {
    const { ticket, ...scores } = body;
    return leaveFeedback(db, { tenantId: tenant.id, actor, now }, { ticketId: ticket ?? null, field: 'ticket' }, scores,
      principal.kind === 'device' ? 'kiosk' : 'staff');
  },
  publicFeedback({ deps: { db }, body, params, actor, now }) {
    const ticket = ticketByPublicId(db, params.public_id);
    return leaveFeedback(db, { tenantId: ticket.tenant_id, actor, now }, { ticketId: ticket.id, field: 'public_id' }, body, 'web');
  },
};
