import { ticketRoutes } from '../../contract/tickets.contract.ts';
import { qb } from '../../db/sqlite.ts';
import { findPublicTicket, getTicketRow, toTicketDtos } from '../../db/repositories/tickets.repository.ts';
import type { TicketRow } from '../../db/tables/ticket.table.ts';
import { DomainError } from '../../domain/errors.ts';
import { callNext } from '../../use-cases/call-next.ts';
import type { Caller } from '../../use-cases/deps.ts';
import { queueStats } from '../../use-cases/queue-stats.ts';
import { actOnTicket, transferTicket } from '../../use-cases/ticket-actions.ts';
import type { Ctx, Handlers } from '../context.ts';
import { paginate } from '../pagination.ts';
import type { RouteDef } from '../../contract/route.ts';
import type { TenantRow } from '../../db/tables/tenant.table.ts';

/** The use-case view of an HTTP caller. */
export function callerOf(ctx: Readonly<{ tenant: TenantRow; actor: Ctx<RouteDef>['actor']; membership: Ctx<RouteDef>['membership']; now: number; origin: string }>): Caller {
  return {
    tenantId: ctx.tenant.id, tenantSlug: ctx.tenant.slug, actor: ctx.actor,
    role: ctx.membership?.role ?? null, now: ctx.now, origin: ctx.origin,
  };
}

const deps = (ctx: { deps: { db: Ctx<RouteDef>['deps']['db']; events: Ctx<RouteDef>['deps']['events'] } }) => ({ db: ctx.deps.db, events: ctx.deps.events });

export const ticketHandlers: Handlers<typeof ticketRoutes> = {
  listTickets(ctx) {
    const { query: q, tenant } = ctx;
    let query = qb.selectFrom('ticket').selectAll().where('tenant_id', '=', tenant.id);
    if (q.queue) query = query.where('queue_id', '=', q.queue);
    if (q.status) query = query.where('status', '=', q.status);
    if (q.channel) query = query.where('channel', '=', q.channel);
    if (q.agent) query = query.where('agent_id', '=', q.agent);
    if (q.customer) query = query.where('customer_id', '=', q.customer);
    query = query.orderBy('created_at', 'desc').orderBy('id', 'desc');
    return paginate(ctx.deps.db, query, q, ctx.origin, ctx.req, (rows: TicketRow[]) => toTicketDtos(ctx.deps.db, rows, ctx.origin, ctx.now));
  },
  createTicket(ctx) {
    const { body, principal } = ctx;
    // A kiosk issues for its own channel; a device never sets priority (staff decide who goes first).
    const fromDevice = principal.kind === 'device';
    return ctx.deps.issuer.issue(callerOf(ctx), {
      queueId: body.queue,
      channel: fromDevice ? 'kiosk' : body.channel,
      priority: fromDevice ? 0 : body.priority,
      customerId: fromDevice ? null : body.customer,
      customerName: body.customer_name,
      customerPhone: body.customer_phone,
    });
  },
  getTicket(ctx) {
    const row = getTicketRow(ctx.deps.db, ctx.tenant.id, ctx.params.id);
    return toTicketDtos(ctx.deps.db, [row], ctx.origin, ctx.now)[0]!;
  },
  ticketEvents(ctx) {
    const ticket = getTicketRow(ctx.deps.db, ctx.tenant.id, ctx.params.id);
    return ctx.deps.db.all(qb.selectFrom('ticket_event').selectAll().where('ticket_id', '=', ticket.id).orderBy('created_at').orderBy('id'))
      .map((e) => ({
        id: e.id, type: e.type, from_status: e.from_status, to_status: e.to_status, actor_user: e.actor_user_id,
        actor_device: e.actor_device_id, reason: e.reason, explanation: e.explanation === null ? null : JSON.parse(e.explanation) as unknown,
        created_at: new Date(e.created_at).toISOString(),
      }));
  },
  startService: (ctx) => actOnTicket(deps(ctx), callerOf(ctx), ctx.params.id, 'start_service'),
  closeTicket: (ctx) => actOnTicket(deps(ctx), callerOf(ctx), ctx.params.id, 'close'),
  pauseTicket: (ctx) => actOnTicket(deps(ctx), callerOf(ctx), ctx.params.id, 'pause', ctx.body.reason),
  resumeTicket: (ctx) => actOnTicket(deps(ctx), callerOf(ctx), ctx.params.id, 'resume'),
  markNoShow: (ctx) => actOnTicket(deps(ctx), callerOf(ctx), ctx.params.id, 'no_show'),
  recallTicket: (ctx) => actOnTicket(deps(ctx), callerOf(ctx), ctx.params.id, 'recall'),
  transferTicket: (ctx) => transferTicket(deps(ctx), callerOf(ctx), ctx.params.id, ctx.body.target_queue_id, ctx.body.reason),
  callNext(ctx) {
    if (ctx.principal.kind !== 'user') throw new DomainError('forbidden', 'Only an agent can call the next ticket.');
    return callNext(deps(ctx), callerOf(ctx), ctx.principal.userId, ctx.body.queue_id ?? null);
  },
  queueStats: (ctx) => queueStats(ctx.deps.db, ctx.tenant.id, ctx.params.id, ctx.now),
  publicTicket(ctx) {
    const found = findPublicTicket(ctx.deps.db, ctx.params.public_id, ctx.now);
    if (!found) throw new DomainError('not-found', 'Ticket not found.');
    return found.view;
  },
};
