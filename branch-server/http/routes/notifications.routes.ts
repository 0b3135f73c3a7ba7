import { notificationRoutes } from '../../contract/notifications.contract.ts';
import { iso } from '../../db/repositories/tickets.repository.ts';
import { qb } from '../../db/sqlite.ts';
import {
  createTemplate, deleteTemplate, getTemplateRow, previewTemplate, toTemplateDto, updateTemplate,
} from '../../use-cases/notification-templates.ts';
import { secretBoxFor } from '../../notifications/secret-box.ts';
import { deleteProvider, saveProvider, setProviderActive, toProviderDto } from '../../use-cases/notification-providers.ts';
import { getNotificationSettings, updateNotificationSettings } from '../../use-cases/notification-settings.ts';
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
  listProviders(ctx) {
    const box = secretBoxFor(ctx.deps.config.dataDir);
    const query = qb.selectFrom('notification_provider').selectAll().where('tenant_id', '=', ctx.tenant.id).orderBy('channel').orderBy('provider');
    return paginate(ctx.deps.db, query, ctx.query, ctx.origin, ctx.req, (rows) => rows.map((r) => toProviderDto(r, box)));
  },
  createProvider: (ctx) => saveProvider(ctx.deps, secretBoxFor(ctx.deps.config.dataDir), callerOf(ctx), ctx.body),
  updateProvider: (ctx) => setProviderActive(ctx.deps, secretBoxFor(ctx.deps.config.dataDir), callerOf(ctx), ctx.params.id, ctx.body.is_active),
  deleteProvider(ctx) {
    deleteProvider(ctx.deps, callerOf(ctx), ctx.params.id);
    return null;
  },
  getNotificationSettings: (ctx) => getNotificationSettings(ctx.deps.db, ctx.tenant.id),
  updateNotificationSettings: (ctx) => updateNotificationSettings(ctx.deps, callerOf(ctx), ctx.body),
  listNotifications(ctx) {
    const { query: q, tenant } = ctx;
    let query = qb.selectFrom('notification').selectAll().where('tenant_id', '=', tenant.id);
    if (q.status) query = query.where('status', '=', q.status);
    if (q.channel) query = query.where('channel', '=', q.channel);
    if (q.ticket) query = query.where('ticket_id', '=', q.ticket);
    if (q.customer) query = query.where('customer_id', '=', q.customer);
    query = query.orderBy('created_at', 'desc').orderBy('id', 'desc');
    return paginate(ctx.deps.db, query, q, ctx.origin, ctx.req, (rows) => rows.map((n) => ({
      id: n.id, channel: n.channel, template_key: n.template_key, recipient: n.recipient, subject: n.subject, body: n.body, status: n.status,
      provider: n.provider, provider_id: n.provider_id, attempts: n.attempts, last_error: n.last_error, ticket: n.ticket_id, customer: n.customer_id,
      appointment: n.appointment_id, created_at: new Date(n.created_at).toISOString(), sent_at: iso(n.sent_at), delivered_at: iso(n.delivered_at),
      updated_at: new Date(n.updated_at).toISOString(),
    })));
  },
};
