import { z } from 'zod';
import { Channel, TenantParams, Uuid } from '../../branch-server/contract/common.ts';
import { DateOnly } from '../../branch-server/contract/fields.ts';
import { defineCloudRoutes, tenantNeeds } from './cloud-route.ts';

/**
 * HQ analytics across branches, read from rollups the cloud keeps up to date as tickets and
 * feedback arrive (see migration 0100). Days are each site's local days.
 *
 * Definitions: wait = called - arrived (branch clock on both ends); SLA met = called within the
 * service's SLA; served = closed after service; abandoned = never called by the end of its day
 * (days that are over only); median and p90 wait are nearest-rank over a 30-second histogram and
 * reported as the upper edge of the bucket holding that rank (7,200 s means "two hours or more").
 */

const Measures = {
  arrivals: z.number().int(),
  called: z.number().int(),
  served: z.number().int(),
  no_show: z.number().int(),
  abandoned: z.number().int().describe('never called by the end of a day that is over'),
  sla_met: z.number().int(),
  sla_rate: z.number().nullable().describe('sla_met / called, 0..1'),
  avg_wait_seconds: z.number().int().nullable(),
  avg_service_seconds: z.number().int().nullable(),
};

export const AnalyticsDto = z.object({
  from: DateOnly,
  to: DateOnly.describe('inclusive'),
  totals: z.object({
    ...Measures,
    median_wait_seconds: z.number().int().nullable(),
    p90_wait_seconds: z.number().int().nullable(),
    no_show_rate: z.number().nullable().describe('no_show / called'),
    abandon_rate: z.number().nullable().describe('abandoned / arrivals of days that are over'),
  }),
  daily: z.array(z.object({ day: DateOnly, ...Measures })),
  heatmap: z.array(z.object({
    weekday: z.number().int().min(1).max(7).describe('ISO: 1 Monday … 7 Sunday'),
    hour: z.number().int().min(0).max(23),
    arrivals: z.number().int(),
  })).describe('arrivals by local weekday and hour (cells with none are left out)'),
  sites: z.array(z.object({ site: z.string(), site_name: z.string(), ...Measures })),
  services: z.array(z.object({ service: z.string(), service_name: z.string(), ...Measures })),
  channels: z.array(z.object({ channel: z.string(), arrivals: z.number().int() })),
  agents: z.array(z.object({
    agent: z.string(), agent_name: z.string(), called: z.number().int(), served: z.number().int(), no_show: z.number().int(),
    avg_wait_seconds: z.number().int().nullable(), avg_service_seconds: z.number().int().nullable(),
    service_seconds: z.number().int().describe('total time serving'),
    pauses: z.number().int().describe('times the agent went on pause (from the branches\' audit of agent status changes)'),
    paused_seconds: z.number().int().describe('time on pause: from each pause to the next status change'),
    pause_reasons: z.array(z.object({ reason: z.string(), pauses: z.number().int(), seconds: z.number().int() })),
  })).describe('service, queue and channel filters do not apply to pauses'),
  feedback: z.object({
    responses: z.number().int(),
    csat_avg: z.number().nullable().describe('1..5, two decimals'),
    nps: z.number().int().nullable().describe('% promoters - % detractors'),
    promoters: z.number().int(),
    passives: z.number().int(),
    detractors: z.number().int(),
    daily: z.array(z.object({ day: DateOnly, responses: z.number().int(), csat_avg: z.number().nullable(), nps: z.number().int().nullable() })),
    comments: z.array(z.object({
      created_at: z.string(), site: z.string(), site_name: z.string(), csat: z.number().int().nullable(), nps: z.number().int().nullable(),
      comment: z.string(),
    })).describe('the 20 latest comments'),
  }),
});
export type AnalyticsDto = z.infer<typeof AnalyticsDto>;

export const AnalyticsQuery = z.object({
  from: DateOnly.optional().describe('first local day; 6 days before `to` when absent'),
  to: DateOnly.optional().describe('last local day (inclusive); today (UTC) when absent'),
  site: Uuid.optional(),
  service: Uuid.optional(),
  queue: Uuid.optional(),
  channel: Channel.optional(),
  agent: Uuid.optional().describe('only tickets this agent called (wait percentiles and the heatmap are then left out)'),
}).strict();

export const LiveQueueDto = z.object({
  queue: z.string(), queue_name: z.string(), prefix: z.string(), status: z.string(), service_name: z.string(),
  waiting: z.number().int(), called: z.number().int().describe('called or being served now'),
  served_today: z.number().int(), arrivals_today: z.number().int(),
  longest_wait_seconds: z.number().int().nullable().describe('of the tickets waiting now'),
  next_numbers: z.array(z.string()).describe('the first waiting tickets, in arrival order'),
});

export const LiveSiteDto = z.object({
  site: z.string(), site_name: z.string(), timezone: z.string(), day: DateOnly,
  latitude: z.number().nullable(), longitude: z.number().nullable(),
  waiting: z.number().int(), called: z.number().int(), served_today: z.number().int(), arrivals_today: z.number().int(),
  no_show_today: z.number().int(), longest_wait_seconds: z.number().int().nullable(),
  last_ticket_at: z.string().nullable().describe('when the cloud last received a ticket of this site'),
  queues: z.array(LiveQueueDto),
});
export type LiveSiteDto = z.infer<typeof LiveSiteDto>;

export const LiveQuery = z.object({ site: Uuid.optional() }).strict();

export const ReceiptsDto = z.object({
  entity: z.string(),
  branches: z.array(z.object({
    branch: z.string(), name: z.string(), site: z.string(), site_name: z.string(), feed_cursor: z.number().int(), online: z.boolean(),
  })).describe('active (not revoked) branches'),
  items: z.array(z.object({
    entity_id: z.string(),
    seq: z.number().int().describe('feed position of its latest change'),
    changed_at: z.string(),
    received_by: z.array(z.string()).describe('branches that applied that change (feed cursor at or past it)'),
  })),
});
export type ReceiptsDto = z.infer<typeof ReceiptsDto>;

export const ReceiptsQuery = z.object({
  entity: z.enum(['tenant', 'site', 'service', 'queue', 'user', 'tenant_membership', 'agent_queues', 'notification_template', 'staff'])
    .describe('`staff`: a staff member as HQ shows them, keyed by user id: their user row, their membership (role, active) and their queues'),
}).strict();

export const hqAnalyticsRoutes = defineCloudRoutes({
  analytics: {
    method: 'get', path: '/api/v1/tenants/:slug/reports/analytics/', tag: 'reports', access: tenantNeeds('read'),
    summary: 'Volumes, waits (avg, median, p90), SLA, no-shows, abandonment, agents, CSAT/NPS, heatmap, daily trend and branch comparison (filters: from, to, site, service, queue, channel, agent)',
    params: TenantParams, query: AnalyticsQuery, response: AnalyticsDto,
  },
  live: {
    method: 'get', path: '/api/v1/tenants/:slug/reports/live/', tag: 'reports', access: tenantNeeds('read'),
    summary: "Each site's day so far and its queues now (waiting, called, served, longest wait), from the tickets branches uploaded",
    params: TenantParams, query: LiveQuery, response: z.array(LiveSiteDto),
  },
  receipts: {
    method: 'get', path: '/api/v1/tenants/:slug/branches/receipts/', tag: 'branches', access: tenantNeeds('read'),
    summary: 'For every row of a reference entity, the latest change and which branches have received it',
    params: TenantParams, query: ReceiptsQuery, response: ReceiptsDto,
  },
});
