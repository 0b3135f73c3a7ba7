import { z } from 'zod';
import { IsoDateTime, Language, NoContent, NullableIso, PageQuery, paginated, TenantIdParams, TenantParams, Text, Uuid } from './common.ts';
import { defineRoutes, scope } from './route.ts';

export const NotificationChannel = z.enum(['sms', 'whatsapp', 'email', 'push']);
export const NotificationStatus = z.enum(['pending', 'sent', 'failed', 'delivered']);
const TemplateKey = z.string().trim().regex(/^[a-z][a-z0-9_]{0,63}$/, 'must be a key like ticket_called (a-z, 0-9, _)');

export const TemplateDto = z.object({
  id: z.string(),
  key: z.string(),
  channel: NotificationChannel,
  language: Language,
  subject: z.string(),
  body: z.string(),
  is_active: z.boolean(),
  variables: z.array(z.string()).describe('the {{variables}} the subject and body use'),
  created_at: IsoDateTime,
  updated_at: IsoDateTime,
});
export type TemplateDto = z.infer<typeof TemplateDto>;

const templateFields = {
  key: TemplateKey,
  channel: NotificationChannel,
  language: Language,
  subject: Text(200).optional(),
  body: z.string().trim().min(1, 'must not be empty').max(4000),
  is_active: z.boolean().optional(),
};
/** Variables are checked by the use-case against the allowed set (the error names the unknown ones). */
export const CreateTemplateBody = z.object(templateFields).strict();
export const UpdateTemplateBody = z.object(templateFields).partial().strict();

export const TemplateListQuery = PageQuery.extend({
  key: TemplateKey.optional(),
  channel: NotificationChannel.optional(),
  language: Language.optional(),
}).strict();

export const PreviewBody = z.object({
  data: z.record(z.string().max(64), z.union([z.string().max(500), z.number()])).optional()
    .describe('values overriding the sample data, by variable name'),
}).strict();

export const PreviewDto = z.object({ subject: z.string(), body: z.string(), variables: z.array(z.string()) });

export const NotificationDto = z.object({
  id: z.string(),
  channel: NotificationChannel,
  template_key: z.string(),
  recipient: z.string(),
  body: z.string(),
  status: NotificationStatus,
  provider_id: z.string().nullable(),
  attempts: z.number().int(),
  last_error: z.string(),
  ticket: z.string().nullable(),
  customer: z.string().nullable(),
  created_at: IsoDateTime,
  sent_at: NullableIso,
  updated_at: IsoDateTime,
});

export const NotificationListQuery = PageQuery.extend({
  status: NotificationStatus.optional(),
  channel: NotificationChannel.optional(),
  ticket: Uuid.optional(),
  customer: Uuid.optional(),
}).strict();

// Reading needs send:notification: every role holding manage:settings (admin) holds it too.
export const notificationRoutes = defineRoutes({
  listTemplates: {
    method: 'get', path: '/api/v1/tenants/:slug/notifications/templates/', tag: 'notifications', access: scope('send:notification'),
    summary: 'Message templates (filters: key, channel, language)', params: TenantParams, query: TemplateListQuery, response: paginated(TemplateDto),
  },
  createTemplate: {
    method: 'post', path: '/api/v1/tenants/:slug/notifications/templates/', tag: 'notifications', access: scope('manage:settings'), hqOwned: true, status: 201,
    summary: 'Add a template; one per (key, channel, language); only known {{variables}}',
    params: TenantParams, body: CreateTemplateBody, response: TemplateDto,
  },
  getTemplate: {
    method: 'get', path: '/api/v1/tenants/:slug/notifications/templates/:id/', tag: 'notifications', access: scope('send:notification'),
    summary: 'One template', params: TenantIdParams, response: TemplateDto,
  },
  updateTemplate: {
    method: 'patch', path: '/api/v1/tenants/:slug/notifications/templates/:id/', tag: 'notifications', access: scope('manage:settings'), hqOwned: true,
    summary: 'Change a template', params: TenantIdParams, body: UpdateTemplateBody, response: TemplateDto,
  },
  deleteTemplate: {
    method: 'delete', path: '/api/v1/tenants/:slug/notifications/templates/:id/', tag: 'notifications', access: scope('manage:settings'), hqOwned: true, status: 204,
    summary: 'Remove a template', params: TenantIdParams, response: NoContent,
  },
  previewTemplate: {
    method: 'post', path: '/api/v1/tenants/:slug/notifications/templates/:id/preview/', tag: 'notifications', access: scope('send:notification'),
    summary: 'Render a template with sample data (optionally overridden)', params: TenantIdParams, body: PreviewBody, response: PreviewDto,
  },
  listNotifications: {
    method: 'get', path: '/api/v1/tenants/:slug/notifications/', tag: 'notifications', access: scope('send:notification'),
    summary: 'Messages sent or queued, newest first, with their delivery status', params: TenantParams,
    query: NotificationListQuery, response: paginated(NotificationDto),
  },
});
