import { integrationRoutes } from '../../contract/integrations.contract.ts';
import { qb } from '../../db/sqlite.ts';
import { secretBoxFor } from '../../notifications/secret-box.ts';
import { createIncomingAppointment } from '../../use-cases/incoming-appointments.ts';
import { createWebhook, deleteWebhook, redeliverWebhook, toDeliveryDto, toWebhookDto, updateWebhook } from '../../use-cases/webhooks.ts';
import type { Handlers } from '../context.ts';
import { paginate } from '../pagination.ts';
import { callerOf } from './tickets.routes.ts';

export const integrationHandlers: Handlers<typeof integrationRoutes> = {
  listWebhooks(ctx) {
    const query = qb.selectFrom('webhook_subscription').selectAll().where('tenant_id', '=', ctx.tenant.id).orderBy('created_at').orderBy('id');
    return paginate(ctx.deps.db, query, ctx.query, ctx.origin, ctx.req, (rows) => rows.map(toWebhookDto));
  },
  createWebhook: (ctx) => createWebhook(ctx.deps, secretBoxFor(ctx.deps.config.dataDir), callerOf(ctx), ctx.body),
  updateWebhook: (ctx) => updateWebhook(ctx.deps, callerOf(ctx), ctx.params.id, ctx.body),
  deleteWebhook(ctx) {
    deleteWebhook(ctx.deps, callerOf(ctx), ctx.params.id);
    return null;
  },
  listWebhookDeliveries(ctx) {
    const { query: q } = ctx;
    let query = qb.selectFrom('webhook_delivery').innerJoin('webhook_subscription', 'webhook_subscription.id', 'webhook_delivery.subscription_id')
      .selectAll('webhook_delivery').select('webhook_subscription.url').where('webhook_delivery.tenant_id', '=', ctx.tenant.id);
    if (q.webhook) query = query.where('webhook_delivery.subscription_id', '=', q.webhook);
    if (q.status) query = query.where('webhook_delivery.status', '=', q.status);
    if (q.event) query = query.where('webhook_delivery.event', '=', q.event);
    query = query.orderBy('webhook_delivery.created_at', 'desc').orderBy('webhook_delivery.id', 'desc');
    return paginate(ctx.deps.db, query, q, ctx.origin, ctx.req, (rows) => rows.map(toDeliveryDto));
  },
  redeliverWebhook: (ctx) => redeliverWebhook(ctx.deps, callerOf(ctx), ctx.params.id),
  createIncomingAppointment(ctx) {
    const result = createIncomingAppointment(ctx.deps, callerOf(ctx), ctx.body);
    if (!result.created) ctx.setStatus(200);
    return result;
  },
};
