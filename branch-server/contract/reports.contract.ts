import { z } from 'zod';
import { IsoDateTime, TenantParams, Uuid } from './common.ts';
import { DateOnly } from './fields.ts';
import { defineRoutes, scope } from './route.ts';

const Seconds = z.number().int().nullable();

const Timing = {
  avg_wait_seconds: Seconds.describe('from arrival to call, over called tickets'),
  median_wait_seconds: Seconds,
  p90_wait_seconds: Seconds,
  avg_service_seconds: Seconds.describe('from service start to close, over served tickets'),
  median_service_seconds: Seconds,
  p90_service_seconds: Seconds,
  sla_compliance_percent: z.number().nullable().describe("share of tickets called within their service's SLA, counting tickets never called past it as misses; null without an SLA"),
};

const Outcomes = {
  served: z.number().int(),
  no_show: z.number().int(),
  transferred: z.number().int().describe('sent on to another queue'),
};

export const QueueDayDto = z.object({
  issued: z.number().int().describe('new tickets (transfers in excluded)'),
  transferred_in: z.number().int(),
  ...Outcomes,
  open: z.number().int().describe('still waiting, called, in service or paused'),
  ...Timing,
});

export const DailyReportDto = z.object({
  date: z.string(),
  site: z.string(),
  site_name: z.string(),
  timezone: z.string(),
  from: IsoDateTime.describe("the site's local midnight starting the day"),
  to: IsoDateTime.describe('exclusive'),
  totals: QueueDayDto,
  queues: z.array(QueueDayDto.extend({ queue: z.string(), queue_name: z.string(), prefix: z.string() })),
  agents: z.array(z.object({
    agent: z.string(),
    name: z.string(),
    counter: z.string(),
    called: z.number().int(),
    ...Outcomes,
    ...Timing,
  })),
  hours: z.array(z.object({
    hour: z.number().int().min(0).max(23).describe("local hour at the site (0 = midnight to 1 am)"),
    issued: z.number().int().describe('new tickets issued in that hour (transfers in excluded)'),
    served: z.number().int().describe('of the tickets issued in that hour, those served'),
    avg_wait_seconds: Seconds.describe('from arrival to call, over the called tickets issued in that hour'),
  })).describe("the day's 24 hours at the site, by the hour a ticket was issued"),
});
export type DailyReportDto = z.infer<typeof DailyReportDto>;

export const reportRoutes = defineRoutes({
  dailyReport: {
    method: 'get', path: '/api/v1/tenants/:slug/reports/daily/', tag: 'reports', access: scope('read:reports'),
    summary: "A site's business day per queue and per agent: volumes, waits and service times (avg, median, p90), SLA compliance. `date` defaults to today at the site; `site` may be left out when the tenant has one site",
    params: TenantParams,
    query: z.object({ date: DateOnly.optional(), site: Uuid.optional() }).strict(),
    response: DailyReportDto,
  },
});
