import { z } from 'zod';
import {
  IsoDateTime, NullableIso, PageQuery, paginated, TenantIdParams, TenantParams, TicketStatus, Uuid,
} from '../../branch-server/contract/common.ts';
import { DateOnly, QueryDateTime } from '../../branch-server/contract/fields.ts';
import { defineCloudRoutes, tenantNeeds } from './cloud-route.ts';

/**
 * HQ's read API over what branches uploaded (tickets, their events, feedback, audit) and reports
 * across branches. Times are the branch's own (each ticket carries the clock offset measured when
 * it was uploaded); waits are differences of two branch times, so the offset cancels out.
 */

export const HqTicketDto = z.object({
  id: z.string(),
  public_id: z.string().nullable(),
  number: z.string(),
  status: z.string(),
  queue: z.string(),
  queue_name: z.string().nullable(),
  site: z.string(),
  site_name: z.string().nullable(),
  branch: z.string().describe('the enrolled device that uploaded it'),
  customer: z.string().nullable(),
  customer_name: z.string(),
  customer_phone: z.string(),
  channel: z.string(),
  priority: z.number().int(),
  agent: z.string().nullable(),
  counter: z.string(),
  recall_count: z.number().int(),
  transferred_from: z.string().nullable(),
  appointment: z.string().nullable(),
  wait_seconds: z.number().int().nullable().describe('called_at - created_at'),
  created_at: IsoDateTime,
  called_at: NullableIso,
  started_at: NullableIso,
  ended_at: NullableIso,
  updated_at: IsoDateTime,
  clock_offset_ms: z.number().int().nullable().describe("the branch clock's offset when it uploaded the ticket"),
  received_at: IsoDateTime.describe('when the cloud received the latest version'),
});
export type HqTicketDto = z.infer<typeof HqTicketDto>;

export const HqTicketListQuery = PageQuery.extend({
  from: QueryDateTime.optional().describe('created at or after (inclusive)'),
  to: QueryDateTime.optional().describe('created before (exclusive)'),
  site: Uuid.optional(),
  queue: Uuid.optional(),
  status: TicketStatus.optional(),
  customer: Uuid.optional(),
}).strict();

export const HqTicketEventDto = z.object({
  id: z.string(),
  ticket: z.string(),
  site: z.string(),
  type: z.string(),
  from_status: z.string().nullable(),
  to_status: z.string().nullable(),
  actor_user: z.string().nullable(),
  actor_device: z.string().nullable(),
  reason: z.string(),
  explanation: z.unknown().nullable(),
  created_at: IsoDateTime,
  received_at: IsoDateTime,
});

export const HqTicketEventListQuery = PageQuery.extend({
  ticket: Uuid.optional(),
  site: Uuid.optional(),
  from: QueryDateTime.optional(),
  to: QueryDateTime.optional(),
}).strict();

export const HqFeedbackDto = z.object({
  id: z.string(),
  site: z.string(),
  ticket: z.string().nullable(),
  ticket_number: z.string().nullable(),
  queue: z.string().nullable(),
  customer: z.string().nullable(),
  csat: z.number().int().nullable(),
  nps: z.number().int().nullable(),
  nps_category: z.string().nullable(),
  wait_rating: z.number().int().nullable(),
  service_rating: z.number().int().nullable(),
  comment: z.string(),
  tags: z.array(z.string()),
  channel: z.string(),
  created_at: IsoDateTime,
});

export const HqFeedbackListQuery = PageQuery.extend({
  site: Uuid.optional(),
  ticket: Uuid.optional(),
  customer: Uuid.optional(),
  created_after: QueryDateTime.optional().describe('inclusive'),
  created_before: QueryDateTime.optional().describe('exclusive'),
}).strict();

export const HqAuditLogDto = z.object({
  seq: z.number().int().describe("position in the branch's upload stream (chain order)"),
  id: z.string(),
  site: z.string(),
  branch: z.string(),
  action: z.string(),
  entity: z.string(),
  entity_id: z.string(),
  actor_user: z.string().nullable(),
  actor_email: z.string().nullable(),
  actor_device: z.string().nullable(),
  before: z.unknown().nullable(),
  after: z.unknown().nullable(),
  ip: z.string(),
  user_agent: z.string(),
  endpoint: z.string(),
  created_at: IsoDateTime,
  prev_hash: z.string(),
  hash: z.string(),
  received_at: IsoDateTime,
});

export const HqAuditListQuery = PageQuery.extend({
  site: Uuid.optional(),
  branch: Uuid.optional(),
  entity: z.string().trim().min(1).max(40).optional(),
  entity_id: z.string().trim().min(1).max(64).optional(),
  action: z.string().trim().min(1).max(64).optional().describe('exact action, or a prefix ending with a dot: "ticket."'),
  actor: z.string().trim().min(1).max(254).optional().describe("the acting user's e-mail (case-insensitive) or user id"),
  created_after: QueryDateTime.optional(),
  created_before: QueryDateTime.optional(),
}).strict();

export const HqAuditVerifyDto = z.object({
  ok: z.boolean(),
  rows: z.number().int().describe('rows checked over every branch'),
  broken_at_seq: z.number().int().nullable().describe('seq of the first broken row of the first broken branch'),
  branches: z.array(z.object({
    branch: z.string(),
    name: z.string(),
    site: z.string(),
    ok: z.boolean(),
    rows: z.number().int(),
    broken_at_seq: z.number().int().nullable(),
    broken_id: z.string().nullable(),
    reason: z.string().nullable().describe('what does not match at the broken row'),
  })),
});

const WaitStats = {
  tickets: z.number().int().describe('tickets created in the period'),
  called: z.number().int().describe('of them, those called (the wait is known)'),
  avg_wait_seconds: z.number().int().nullable().describe('called_at - created_at, over called tickets'),
  median_wait_seconds: z.number().int().nullable(),
  p90_wait_seconds: z.number().int().nullable(),
};

export const WaitTimesDto = z.object({
  from: IsoDateTime,
  to: IsoDateTime.describe('exclusive'),
  site: z.string().nullable(),
  service: z.string().nullable(),
  totals: z.object(WaitStats),
  services: z.array(z.object({ service: z.string(), service_name: z.string(), ...WaitStats })),
  queues: z.array(z.object({
    queue: z.string(), queue_name: z.string(), site: z.string(), site_name: z.string(), service: z.string(), service_name: z.string(),
    ...WaitStats,
  })),
});
export type WaitTimesDto = z.infer<typeof WaitTimesDto>;

export const WaitTimesQuery = z.object({
  from: QueryDateTime.optional().describe('inclusive; 7 days before `to` when absent'),
  to: QueryDateTime.optional().describe('exclusive; now when absent'),
  site: Uuid.optional(),
  service: Uuid.optional(),
}).strict();

/** A branch's sealed day as it uploaded it at closing time (counts are the branch's own). */
export const HqDaySummaryDto = z.object({
  id: z.string(),
  site: z.string(),
  site_name: z.string().nullable(),
  branch: z.string().describe('the enrolled device that uploaded it'),
  business_date: z.string().describe("the site's local date (YYYY-MM-DD)"),
  sealed_at: IsoDateTime.describe("when the branch closed the day (branch clock)"),
  received_at: IsoDateTime,
  tickets_issued: z.number().int(),
  tickets_served: z.number().int(),
  tickets_no_show: z.number().int(),
  tickets_expired: z.number().int().describe('still waiting at closing time and closed by it'),
  tickets_carried_over: z.number().int(),
  remote_joined: z.number().int(),
  remote_no_show: z.number().int(),
  appointments_booked: z.number().int(),
  appointments_checked_in: z.number().int(),
  appointments_no_show: z.number().int(),
  appointments_cancelled: z.number().int(),
  avg_wait_seconds: z.number().int().nullable(),
  max_wait_seconds: z.number().int().nullable(),
});
export type HqDaySummaryDto = z.infer<typeof HqDaySummaryDto>;

export const HqDaySummaryListQuery = PageQuery.extend({
  site: Uuid.optional(),
  from: DateOnly.optional().describe('first business date, inclusive'),
  to: DateOnly.optional().describe('last business date, inclusive'),
}).strict();

const READ = tenantNeeds('read');

export const hqDataRoutes = defineCloudRoutes({
  listTickets: {
    method: 'get', path: '/api/v1/tenants/:slug/tickets/', tag: 'tickets', access: READ,
    summary: 'Tickets uploaded by the branches, newest first (filters: from, to, site, queue, status, customer)',
    params: TenantParams, query: HqTicketListQuery, response: paginated(HqTicketDto),
  },
  getTicket: {
    method: 'get', path: '/api/v1/tenants/:slug/tickets/:id/', tag: 'tickets', access: READ,
    summary: 'One ticket', params: TenantIdParams, response: HqTicketDto,
  },
  ticketEventsOf: {
    method: 'get', path: '/api/v1/tenants/:slug/tickets/:id/events/', tag: 'tickets', access: READ,
    summary: 'The history of one ticket, oldest first', params: TenantIdParams, response: z.array(HqTicketEventDto),
  },
  listTicketEvents: {
    method: 'get', path: '/api/v1/tenants/:slug/ticket-events/', tag: 'tickets', access: READ,
    summary: 'Ticket events, oldest first (filters: ticket, site, from, to)',
    params: TenantParams, query: HqTicketEventListQuery, response: paginated(HqTicketEventDto),
  },
  listFeedback: {
    method: 'get', path: '/api/v1/tenants/:slug/feedback/', tag: 'feedback', access: READ,
    summary: 'Feedback, newest first (filters: site, ticket, customer, created_after, created_before)',
    params: TenantParams, query: HqFeedbackListQuery, response: paginated(HqFeedbackDto),
  },
  listAuditLogs: {
    method: 'get', path: '/api/v1/tenants/:slug/audit-logs/', tag: 'audit', access: tenantNeeds('admin'),
    summary: "The branches' audit logs, newest first (filters: site, branch, entity, entity_id, action, actor, created_after, created_before)",
    params: TenantParams, query: HqAuditListQuery, response: paginated(HqAuditLogDto),
  },
  verifyAuditLogs: {
    method: 'get', path: '/api/v1/tenants/:slug/audit-logs/verify/', tag: 'audit', access: tenantNeeds('admin'),
    summary: "Recompute each branch's audit hash chain from the uploaded rows, in upload order, and report the first broken row",
    params: TenantParams, query: z.object({ site: Uuid.optional() }).strict(), response: HqAuditVerifyDto,
  },
  waitTimes: {
    method: 'get', path: '/api/v1/tenants/:slug/reports/wait-times/', tag: 'reports', access: READ,
    summary: 'Average, median and p90 wait (arrival to call) per service and per queue over a period, across branches',
    params: TenantParams, query: WaitTimesQuery, response: WaitTimesDto,
  },
  listDaySummaries: {
    method: 'get', path: '/api/v1/tenants/:slug/reports/days/', tag: 'reports', access: READ,
    summary: "The branches' sealed days (end-of-day summaries), newest date first (filters: site, from, to)",
    params: TenantParams, query: HqDaySummaryListQuery, response: paginated(HqDaySummaryDto),
  },
});
