import { z } from 'zod';
import {
  Channel, Empty, IsoDateTime, NullableIso, PageQuery, paginated, TenantIdParams, TenantParams, Text, TicketStatus, Uuid,
} from './common.ts';
import { defineRoutes, PUBLIC, scope } from './route.ts';

export const TicketDto = z.object({
  id: z.string(),
  public_id: z.string(),
  number: z.string(),
  status: TicketStatus,
  queue: z.string(),
  queue_name: z.string(),
  site: z.string(),
  customer: z.string().nullable(),
  customer_name: z.string(),
  customer_phone: z.string(),
  channel: Channel,
  priority: z.number().int(),
  position: z.number().int().nullable().describe('1 = next to be called; null unless waiting'),
  eta_seconds: z.number().int().nullable(),
  eta_p90_seconds: z.number().int().nullable(),
  agent: z.string().nullable(),
  counter: z.string(),
  recall_count: z.number().int(),
  transferred_from: z.string().nullable(),
  appointment: z.string().nullable(),
  remote: z.boolean().describe('joined from a phone and not yet checked in at the kiosk: waits in line but is not called'),
  created_at: IsoDateTime,
  called_at: NullableIso,
  started_at: NullableIso,
  ended_at: NullableIso,
  tracking_url: z.string(),
});
export type TicketDto = z.infer<typeof TicketDto>;

export const TicketEventDto = z.object({
  id: z.string(),
  type: z.string(),
  from_status: z.string().nullable(),
  to_status: z.string(),
  actor_user: z.string().nullable(),
  actor_device: z.string().nullable(),
  reason: z.string(),
  explanation: z.unknown().nullable(),
  created_at: IsoDateTime,
});

const Phone = z.string().trim().regex(/^\+?[0-9 ()-]{6,20}$/, 'must be a phone number');

export const CreateTicketBody = z.object({
  queue: Uuid,
  channel: Channel.default('web'),
  priority: z.number().int().min(0).max(9).default(0),
  customer: Uuid.nullable().optional(),
  customer_name: Text(120).optional(),
  customer_phone: Phone.optional().or(z.literal('')),
}).strict();

export const TicketListQuery = PageQuery.extend({
  queue: Uuid.optional(),
  status: TicketStatus.optional(),
  channel: Channel.optional(),
  agent: Uuid.optional(),
  customer: Uuid.optional(),
}).strict();

const Reason = z.object({ reason: Text(500).default('') }).strict();

export const PublicTicketDto = z.object({
  public_id: z.string(),
  number: z.string(),
  status: TicketStatus,
  position: z.number().int().nullable(),
  eta_seconds: z.number().int().nullable(),
  eta_p90_seconds: z.number().int().nullable(),
  queue_name: z.string(),
  site_name: z.string(),
  counter: z.string(),
  remote: z.boolean().describe('check in at the kiosk on arrival to be called'),
  created_at: IsoDateTime,
  called_at: NullableIso,
});

export const QueueStatsDto = z.object({
  queue_id: z.string(),
  queue_name: z.string(),
  status: z.string(),
  waiting_count: z.number().int(),
  called_count: z.number().int(),
  in_service_count: z.number().int(),
  paused_count: z.number().int(),
  total_active: z.number().int(),
  avg_wait_seconds: z.number(),
  served_today: z.number().int(),
  no_show_today: z.number().int(),
  avg_service_seconds: z.number().nullable(),
  active_agents: z.number().int(),
  longest_wait_seconds: z.number().int(),
});

function ticketAction<B extends z.ZodType = typeof Empty>(path: string, summary: string, body?: B) {
  return {
    method: 'post' as const, path: `/api/v1/tenants/:slug/tickets/:id/${path}/`, tag: 'tickets',
    access: scope('write:ticket'), summary, params: TenantIdParams, response: TicketDto,
    body: (body ?? Empty) as B,
  };
}

export const ticketRoutes = defineRoutes({
  listTickets: {
    method: 'get', path: '/api/v1/tenants/:slug/tickets/', tag: 'tickets', access: scope('read:ticket'),
    summary: 'List tickets, newest first (filters: queue, status, channel, agent, customer)',
    params: TenantParams, query: TicketListQuery, response: paginated(TicketDto),
  },
  createTicket: {
    method: 'post', path: '/api/v1/tenants/:slug/tickets/', tag: 'tickets',
    access: scope('write:ticket', 'create-ticket'), status: 201,
    summary: 'Issue a ticket: numbered per queue and day, durable before the answer',
    params: TenantParams, body: CreateTicketBody, response: TicketDto,
  },
  getTicket: {
    method: 'get', path: '/api/v1/tenants/:slug/tickets/:id/', tag: 'tickets', access: scope('read:ticket'),
    summary: 'One ticket', params: TenantIdParams, response: TicketDto,
  },
  ticketEvents: {
    method: 'get', path: '/api/v1/tenants/:slug/tickets/:id/events/', tag: 'tickets', access: scope('read:ticket'),
    summary: 'The append-only history of a ticket, with why each call chose it',
    params: TenantIdParams, response: z.array(TicketEventDto),
  },
  startService: ticketAction('start_service', 'The customer reached the counter: service starts'),
  closeTicket: ticketAction('close', 'Service done: the ticket is closed and the agent released'),
  transferTicket: ticketAction('transfer', 'Send the customer to another queue, keeping the number',
    z.object({ target_queue_id: Uuid, reason: Text(500).default('') }).strict()),
  pauseTicket: ticketAction('pause', 'Put the ticket on hold (the agent may call someone else)', Reason),
  resumeTicket: ticketAction('resume', 'Resume a paused ticket at this agent'),
  markNoShow: ticketAction('mark_no_show', 'The called customer did not come: the agent is released'),
  recallTicket: ticketAction('recall', 'Call the same ticket again (displays and voice repeat it)'),
  callNext: {
    method: 'post', path: '/api/v1/tenants/:slug/agents/call-next/', tag: 'agents', access: scope('write:ticket'),
    summary: 'Call the next ticket for the signed-in agent (its queues, by their policies)',
    params: TenantParams, body: z.object({ queue_id: Uuid.nullable().optional() }).strict().default({}),
    response: TicketDto.extend({ explanation: z.unknown() }),
  },
  queueStats: {
    method: 'get', path: '/api/v1/tenants/:slug/queues/:id/stats/', tag: 'queues', access: scope('read:queue'),
    summary: 'Live queue statistics (SmartQueue v1 fields and more)', params: TenantIdParams, response: QueueStatsDto,
  },
  publicTicket: {
    method: 'get', path: '/api/v1/public/tickets/:public_id/', tag: 'public', access: PUBLIC,
    summary: 'Tracking for the customer: position and ETA by the unguessable public id (follows transfers)',
    params: z.object({ public_id: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, 'unknown ticket') }),
    response: PublicTicketDto,
  },
});
