import { z } from 'zod';
import { AppointmentDto } from './appointments.contract.ts';
import { IsoDateTime, NoContent, NullableIso, PageQuery, paginated, TenantIdParams, TenantParams, Text, Uuid } from './common.ts';
import { defineRoutes, scope } from './route.ts';

/** What an outgoing webhook may subscribe to. */
export const WEBHOOK_EVENTS = [
  'ticket.status_changed', 'ticket.created', 'ticket.called', 'ticket.recalled', 'ticket.service_started', 'ticket.transferred',
  'ticket.closed', 'ticket.paused', 'ticket.resumed', 'ticket.no_show', 'appointment.created', 'feedback.created',
] as const;
export const WebhookEvent = z.enum(WEBHOOK_EVENTS);

const WebhookUrl = z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).max(500);

export const WebhookDto = z.object({
  id: z.string(),
  url: z.string(),
  events: z.array(WebhookEvent),
  description: z.string(),
  is_active: z.boolean(),
  created_at: IsoDateTime,
  updated_at: IsoDateTime,
});
export const CreatedWebhookDto = WebhookDto.extend({
  secret: z.string().describe('the HMAC-SHA256 signing key: shown once, keep it at the receiver'),
});

export const CreateWebhookBody = z.object({
  url: WebhookUrl,
  events: z.array(WebhookEvent).min(1, 'subscribe to at least one event').max(WEBHOOK_EVENTS.length),
  description: Text(200).optional(),
  is_active: z.boolean().optional(),
}).strict();
export const UpdateWebhookBody = z.object({
  url: WebhookUrl.optional(),
  events: z.array(WebhookEvent).min(1, 'subscribe to at least one event').max(WEBHOOK_EVENTS.length).optional(),
  description: Text(200).optional(),
  is_active: z.boolean().optional(),
}).strict();

export const WebhookDeliveryStatus = z.enum(['pending', 'delivered', 'failed']);
export const WebhookDeliveryDto = z.object({
  id: z.string(),
  webhook: z.string(),
  url: z.string(),
  event: z.string(),
  event_id: z.string(),
  payload: z.unknown(),
  status: WebhookDeliveryStatus,
  attempts: z.number().int(),
  response_status: z.number().int().nullable(),
  last_error: z.string(),
  created_at: IsoDateTime,
  delivered_at: NullableIso,
  updated_at: IsoDateTime,
});
export const DeliveryListQuery = PageQuery.extend({
  webhook: Uuid.optional(),
  status: WebhookDeliveryStatus.optional(),
  event: WebhookEvent.optional(),
}).strict();

const Phone = z.string().trim().regex(/^\+?[0-9 ()-]{6,20}$/, 'must be a phone number');
export const IncomingAppointmentBody = z.object({
  external_id: z.string().trim().min(1).max(128).regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces')
    .describe("the scheduler's own id: sending it again returns the same appointment"),
  service: Uuid,
  site: Uuid.optional(),
  starts_at: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time' }),
  customer_name: Text(120).min(1, 'must not be empty'),
  customer_phone: Phone,
}).strict();
export const IncomingAppointmentDto = AppointmentDto.extend({
  external_id: z.string(),
  created: z.boolean().describe('false when this external_id had already been booked (nothing changed)'),
});

export const integrationRoutes = defineRoutes({
  listWebhooks: {
    method: 'get', path: '/api/v1/tenants/:slug/webhooks/', tag: 'integrations', access: scope('manage:settings'),
    summary: 'Outgoing webhook subscriptions', params: TenantParams, query: PageQuery.strict(), response: paginated(WebhookDto),
  },
  createWebhook: {
    method: 'post', path: '/api/v1/tenants/:slug/webhooks/', tag: 'integrations', access: scope('manage:settings'), status: 201,
    summary: 'Subscribe a URL to events; the answer holds the signing secret, once', params: TenantParams, body: CreateWebhookBody, response: CreatedWebhookDto,
  },
  updateWebhook: {
    method: 'patch', path: '/api/v1/tenants/:slug/webhooks/:id/', tag: 'integrations', access: scope('manage:settings'),
    summary: 'Change a subscription', params: TenantIdParams, body: UpdateWebhookBody, response: WebhookDto,
  },
  deleteWebhook: {
    method: 'delete', path: '/api/v1/tenants/:slug/webhooks/:id/', tag: 'integrations', access: scope('manage:settings'), status: 204,
    summary: 'Remove a subscription and its delivery log', params: TenantIdParams, response: NoContent,
  },
  listWebhookDeliveries: {
    method: 'get', path: '/api/v1/tenants/:slug/webhooks/deliveries/', tag: 'integrations', access: scope('send:notification'),
    summary: 'The delivery log, newest first (filters: webhook, status, event)', params: TenantParams, query: DeliveryListQuery,
    response: paginated(WebhookDeliveryDto),
  },
  redeliverWebhook: {
    method: 'post', path: '/api/v1/tenants/:slug/webhooks/deliveries/:id/redeliver/', tag: 'integrations', access: scope('send:notification'),
    summary: 'Send a delivery again now (same event id and payload, a fresh signature)', params: TenantIdParams, response: WebhookDeliveryDto,
  },
  createIncomingAppointment: {
    method: 'post', path: '/api/v1/tenants/:slug/integrations/appointments/', tag: 'integrations', access: scope('write:ticket'), status: 201,
    summary: 'An external scheduler books an appointment; idempotent by external_id (200 with created: false on a repeat)',
    params: TenantParams, body: IncomingAppointmentBody, response: IncomingAppointmentDto,
  },
});
