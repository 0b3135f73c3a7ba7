import { z } from 'zod';
import { IsoDateTime, Language, NoContent, NullableIso, PageQuery, paginated, TenantIdParams, TenantParams, Text, Uuid } from './common.ts';
import { defineRoutes, scope } from './route.ts';

export const NotificationChannel = z.enum(['sms', 'whatsapp', 'email', 'push']);
export const NotificationStatus = z.enum(['pending', 'sent', 'failed', 'delivered', 'dropped'])
  .describe('pending → sent → delivered | failed; dropped: not sent because it went stale while waiting, or over the per-ticket limit');
export const ProviderKind = z.enum(['twilio', 'smtp', 'sendgrid', 'fcm', 'gsm_modem']);
/** The {{variables}} a template may use (anything else is refused when it is saved). */
export const TEMPLATE_VARIABLES = [
  'ticket_number', 'queue_name', 'service_name', 'site_name', 'position', 'eta_minutes', 'counter',
  'tracking_url', 'feedback_url', 'appointment_time',
] as const;
export type TemplateVariable = (typeof TEMPLATE_VARIABLES)[number];

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
  subject: z.string(),
  body: z.string(),
  status: NotificationStatus,
  provider: z.string().describe('who took the message: twilio, smtp, sendgrid, fcm, gsm_modem'),
  provider_id: z.string().nullable(),
  attempts: z.number().int(),
  last_error: z.string(),
  ticket: z.string().nullable(),
  customer: z.string().nullable(),
  appointment: z.string().nullable(),
  created_at: IsoDateTime,
  sent_at: NullableIso,
  delivered_at: NullableIso,
  updated_at: IsoDateTime,
});

export const NotificationListQuery = PageQuery.extend({
  status: NotificationStatus.optional(),
  channel: NotificationChannel.optional(),
  ticket: Uuid.optional(),
  customer: Uuid.optional(),
}).strict();

const BaseUrl = z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).max(500)
  .describe("overrides the vendor's API host (a proxy, a test double)");
const Secret = (max: number) => z.string().min(1, 'must not be empty').max(max);
const E164 = z.string().trim().regex(/^\+[1-9][0-9]{6,14}$/, 'must be an E.164 number like +221771234567');
const Email = z.email('must be an e-mail address').max(254);
const SerialPath = z.string().regex(/^(\/dev\/[A-Za-z0-9._\/-]{1,100}|COM[0-9]{1,3})$/, 'must be a serial device such as /dev/ttyUSB0 or COM3');

/** One body per provider; secret fields (auth_token, password, api_key, private_key, pin) are write-only. */
export const CreateProviderBody = z.discriminatedUnion('provider', [
  z.object({
    provider: z.literal('twilio'), channel: z.enum(['sms', 'whatsapp']), account_sid: z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'must be a Twilio account SID (AC…)'),
    auth_token: Secret(200), from: E164, base_url: BaseUrl.optional(), is_active: z.boolean().optional(),
  }).strict(),
  z.object({
    provider: z.literal('smtp'), channel: z.literal('email'), host: z.string().trim().min(1).max(253), port: z.number().int().min(1).max(65535),
    secure: z.boolean().optional().describe('TLS from the first byte (port 465); otherwise STARTTLS when offered'),
    require_tls: z.boolean().optional(), username: z.string().max(200).optional(), password: Secret(200).optional(), from: z.string().trim().min(3).max(254),
    is_active: z.boolean().optional(),
  }).strict(),
  z.object({
    provider: z.literal('sendgrid'), channel: z.literal('email'), api_key: Secret(500), from: Email, from_name: Text(100).optional(),
    base_url: BaseUrl.optional(), is_active: z.boolean().optional(),
  }).strict(),
  z.object({
    provider: z.literal('fcm'), channel: z.literal('push'),
    service_account: z.object({
      project_id: z.string().trim().min(1).max(100), client_email: Email, private_key: Secret(8000), token_uri: BaseUrl.optional(),
    }).loose().describe('the service account JSON key file from the Firebase console'),
    base_url: BaseUrl.optional(), is_active: z.boolean().optional(),
  }).strict(),
  z.object({
    provider: z.literal('gsm_modem'), channel: z.literal('sms'), path: SerialPath, baud_rate: z.number().int().min(1200).max(921600).optional(),
    pin: z.string().regex(/^\d{4,8}$/, 'must be the SIM PIN (4 to 8 digits)').optional(), is_active: z.boolean().optional(),
  }).strict(),
]);

export const UpdateProviderBody = z.object({ is_active: z.boolean() }).strict();

export const ProviderDto = z.object({
  id: z.string(),
  channel: NotificationChannel,
  provider: ProviderKind,
  settings: z.record(z.string(), z.unknown()).describe('what is safe to show: sender, host, port, serial path…'),
  secrets_set: z.array(z.string()).describe('names of the write-only fields that hold a value'),
  base_url: z.string().nullable(),
  is_active: z.boolean(),
  created_at: IsoDateTime,
  updated_at: IsoDateTime,
});
export type ProviderDto = z.infer<typeof ProviderDto>;

const HourMinute = z.string().regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$/, 'must be HH:MM');
export const QuietHoursDto = z.object({ site: Uuid, start: HourMinute, end: HourMinute });

export const NotificationSettingsDto = z.object({
  max_per_ticket: z.number().int().min(1).max(20).describe('anti-spam: at most this many messages about one ticket'),
  ahead_position: z.number().int().min(1).max(50).describe('"N people ahead of you" is sent when the ticket reaches this position'),
  stale_after_seconds: z.number().int().min(30).max(86_400).describe('a queue message still unsent after this long is dropped'),
  quiet_hours: z.array(QuietHoursDto).describe("per site, local time; messages wait until the end (and are dropped if stale by then)"),
});
export const UpdateNotificationSettingsBody = NotificationSettingsDto.partial().strict();

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
  listProviders: {
    method: 'get', path: '/api/v1/tenants/:slug/notifications/providers/', tag: 'notifications', access: scope('manage:settings'),
    summary: 'Provider accounts (credentials are never returned)', params: TenantParams, query: PageQuery.strict(), response: paginated(ProviderDto),
  },
  createProvider: {
    method: 'post', path: '/api/v1/tenants/:slug/notifications/providers/', tag: 'notifications', access: scope('manage:settings'), status: 201,
    summary: 'Add or replace the account of a provider for a channel (one per channel and provider); credentials are stored encrypted',
    params: TenantParams, body: CreateProviderBody, response: ProviderDto,
  },
  updateProvider: {
    method: 'patch', path: '/api/v1/tenants/:slug/notifications/providers/:id/', tag: 'notifications', access: scope('manage:settings'),
    summary: 'Switch a provider on or off', params: TenantIdParams, body: UpdateProviderBody, response: ProviderDto,
  },
  deleteProvider: {
    method: 'delete', path: '/api/v1/tenants/:slug/notifications/providers/:id/', tag: 'notifications', access: scope('manage:settings'), status: 204,
    summary: 'Remove a provider account and its credentials', params: TenantIdParams, response: NoContent,
  },
  getNotificationSettings: {
    method: 'get', path: '/api/v1/tenants/:slug/notifications/settings/', tag: 'notifications', access: scope('send:notification'),
    summary: 'Anti-spam limit, "N ahead" position, staleness and quiet hours', params: TenantParams, response: NotificationSettingsDto,
  },
  updateNotificationSettings: {
    method: 'patch', path: '/api/v1/tenants/:slug/notifications/settings/', tag: 'notifications', access: scope('manage:settings'),
    summary: 'Change the notification rules (quiet_hours replaces the whole list)', params: TenantParams,
    body: UpdateNotificationSettingsBody, response: NotificationSettingsDto,
  },
  listNotifications: {
    method: 'get', path: '/api/v1/tenants/:slug/notifications/', tag: 'notifications', access: scope('send:notification'),
    summary: 'Messages sent or queued, newest first, with their delivery status', params: TenantParams,
    query: NotificationListQuery, response: paginated(NotificationDto),
  },
});
