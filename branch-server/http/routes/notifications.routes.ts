import { notificationRoutes } from '../../contract/notifications.contract.ts';
import { iso } from '../../db/repositories/tickets.repository.ts';
import { qb } from '../../db/sqlite.ts';
import {
  createTemplate, deleteTemplate, getTemplateRow, previewTemplate, toTemplateDto, updateTemplate,
} from '../../use-cases/notification-templates.ts';
import type { Handlers } from '../context.ts';
import { paginate } from '../pagination.ts';
import { callerOf } from './tickets.routes.ts';

export const notificationHandlers: Handlers<typeof notificationRoutes> = {
  listTemplates(ctx) {
    const { query: q, tenant } = ctx;
    let query = qb.selectFrom('notification_template').selectAll().where('tenant_id', '=', tenant.id);
    if (q.key) query = query.where('key', '=', q.key);
    if (q.channel) query = query.where('channel', '=', q.channel);
    if (q.language) query = query.where('language', '=', q.language);
    query = query.orderBy('key').orderBy('channel').orderBy('language').orderBy('id');
    return paginate(ctx.deps.db, query, q, ctx.origin, ctx.req, (rows) => rows.map(toTemplateDto));
  },
  createTemplate: (ctx) => createTemplate(ctx.deps, callerOf(ctx), ctx.body),
  getTemplate: (ctx) => toTemplateDto(getTemplateRow(ctx.deps.db, ctx.tenant.id, ctx.params.id)),
  updateTemplate: (ctx) => updateTemplate(ctx.deps, callerOf(ctx), ctx.params.id, ctx.body),
  deleteTemplate(ctx) {
    deleteTemplate(ctx.deps, callerOf(ctx), ctx.params.id);
    return null;
  },
  previewTemplate: (ctx) => previewTemplate(getTemplateRow(ctx.deps.db, ctx.tenant.id, ctx.params.id), ctx.body.data),
  listNotifications(ctx) {
    const { query: q, tenant } = ctx;
    let query = qb.selectFrom('notification').selectAll().where('tenant_id', '=', tenant.id);
    if (q.status) query = query.where('status', '=', q.status);
    if (q.channel) query = query.where('channel', '=', q.channel);
    if (q.ticket) query = query.where('ticket_id', '=', q.ticket);
    if (q.customer) query = query.where('customer_id', '=', q.customer);
    query = query.orderBy('created_at', 'desc').orderBy('id', 'desc');
    return paginate(ctx.deps.db, query, q, ctx.origin, ctx.req, (rows) => rows.map((n) => ({
      id: n.id, channel: n.channel, template_key: n.template_key, recipient: n.recipient, body: n.body, status: n.status,
      provider_id: n.provider_id, attempts: n.attempts, last_error: n.last_error, ticket: n.ticket_id, customer: n.customer_id,
      created_at: new Date(n.created_at).toISOString(), sent_at: iso(n.sent_at), updated_at: new Date(n.updated_at).toISOString(),
    })));
  },
};
