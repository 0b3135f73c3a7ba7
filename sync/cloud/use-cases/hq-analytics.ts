import { sql, type RawBuilder } from 'kysely';
import type { z } from 'zod';
import { DomainError } from '../../../branch-server/domain/errors.ts';
import { BRANCH_ONLINE_WINDOW_MS } from '../../protocol/hq-branches.contract.ts';
import type {
  AnalyticsDto, AnalyticsQuery, LiveSiteDto, ReceiptsDto, ReceiptsQuery,
} from '../../protocol/hq-analytics.contract.ts';
import type { CloudTx } from '../db/database.ts';
import type { CloudDeps } from '../http/context.ts';
import { iso, isoOrNull } from './dto.ts';

const DAY_MS = 24 * 3600 * 1000;
const MAX_DAYS = 366;
/** Width of the wait histogram's buckets (migration 0100). */
export const WAIT_BUCKET_SECONDS = 30;

type Num = number | string | null;
type MeasureRow = {
  arrivals: Num; called: Num; served: Num; no_show: Num; sla_met: Num; wait_ms: Num; service_ms: Num; service_n: Num;
  abandoned: Num; arrivals_over: Num;
};

const n = (v: Num) => Number(v ?? 0);
const ratio = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 10_000) / 10_000 : null);
const avgSeconds = (ms: number, count: number) => (count > 0 ? Math.round(ms / count / 1000) : null);

function measures(r: MeasureRow) {
  const called = n(r.called);
  return {
    arrivals: n(r.arrivals), called, served: n(r.served), no_show: n(r.no_show), abandoned: n(r.abandoned), sla_met: n(r.sla_met),
    sla_rate: ratio(n(r.sla_met), called), avg_wait_seconds: avgSeconds(n(r.wait_ms), called),
    avg_service_seconds: avgSeconds(n(r.service_ms), n(r.service_n)),
  };
}

/**
 * Nearest-rank percentile over a histogram of `WAIT_BUCKET_SECONDS` buckets, reported as the upper
 * edge of the bucket that holds the rank (pure; buckets in any order).
 */
export function histogramPercentile(buckets: readonly { bucket: number; n: number }[], p: number): number | null {
  const sorted = [...buckets].filter((b) => b.n > 0).sort((a, b) => a.bucket - b.bucket);
  const total = sorted.reduce((sum, b) => sum + b.n, 0);
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(p * total));
  let seen = 0;
  for (const b of sorted) {
    seen += b.n;
    if (seen >= rank) return (b.bucket + 1) * WAIT_BUCKET_SECONDS;
  }
  return null;
}

const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const dayMs = (day: string) => Date.parse(`${day}T00:00:00Z`);

/** `serviceQueues`: with a service filter, its queues (rollup rows are per queue, read by queue). */
type Filters = Readonly<{ tenantId: string; from: string; to: string; q: z.infer<typeof AnalyticsQuery>; now: number; serviceQueues: string[] }>;

/** `d` is a rollup row (site_id, queue_id, channel, day). `days` replaces the period's day test. */
function where(f: Filters, days?: RawBuilder<unknown>): RawBuilder<unknown> {
  const { q } = f;
  return sql`d.tenant_id = ${f.tenantId}::uuid AND ${days ?? sql`d.day BETWEEN ${f.from}::date AND ${f.to}::date`}
    ${q.site ? sql`AND d.site_id = ${q.site}::uuid` : sql``}
    ${q.queue ? sql`AND d.queue_id = ${q.queue}::uuid` : sql``}
    ${q.channel ? sql`AND d.channel = ${q.channel}` : sql``}
    ${q.service ? sql`AND d.queue_id = ANY(${f.serviceQueues}::uuid[])` : sql``}`;
}

/** No filter below a site: the per-site rollups (migration 0500) answer. */
const siteLevel = (q: z.infer<typeof AnalyticsQuery>) => !q.queue && !q.channel && !q.service && !q.agent;

/** Tickets per day: all of them, or with an agent filter those the agent called. */
function ticketSource(f: Filters): RawBuilder<unknown> {
  if (!f.q.agent) return sql`hq_ticket_daily`;
  return sql`(SELECT tenant_id, site_id, queue_id, channel, day, called AS arrivals, called, served, no_show, sla_met, wait_ms,
      service_ms, service_n FROM hq_agent_daily WHERE tenant_id = ${f.tenantId}::uuid AND agent_id = ${f.q.agent}::uuid)`;
}

function measureSql(f: Filters): RawBuilder<MeasureRow> {
  const today = sql`(to_timestamp(${f.now} / 1000.0) AT TIME ZONE coalesce(si.timezone, 'UTC'))::date`;
  return sql<MeasureRow>`sum(d.arrivals) AS arrivals, sum(d.called) AS called, sum(d.served) AS served, sum(d.no_show) AS no_show,
    sum(d.sla_met) AS sla_met, sum(d.wait_ms) AS wait_ms, sum(d.service_ms) AS service_ms, sum(d.service_n) AS service_n,
    sum(CASE WHEN d.day < ${today} THEN d.arrivals - d.called ELSE 0 END) AS abandoned,
    sum(CASE WHEN d.day < ${today} THEN d.arrivals ELSE 0 END) AS arrivals_over`;
}

const addDays = (day: string, n: number) => dayOf(dayMs(day) + n * DAY_MS);
const monthStart = (day: string) => `${day.slice(0, 7)}-01`;
const nextMonth = (day: string) => {
  const d = new Date(dayMs(monthStart(day)));
  d.setUTCMonth(d.getUTCMonth() + 1);
  return dayOf(d.getTime());
};

/**
 * Splits [from, to] into the whole months inside it (read from a monthly rollup, whose `day` is the
 * month's first day) and the days before and after them (read from the daily rollup).
 */
export function splitPeriod(from: string, to: string): { months: [string, string] | null; days: [string, string][] } {
  const first = from === monthStart(from) ? from : nextMonth(from);
  const end = monthStart(addDays(to, 1)); // exclusive
  if (first >= end) return { months: null, days: [[from, to]] };
  const days: [string, string][] = [];
  if (from < first) days.push([from, addDays(first, -1)]);
  if (end <= to) days.push([end, to]);
  return { months: [first, end], days };
}

/**
 * Rows of a rollup kept per day and per month, covering the period with as few rows as possible.
 * Months are read whole only up to `wholeUntil` (a measure that tests the day against a site's today
 * must not read a month row holding today); the days after it come from the daily rollup.
 */
function spanRows(f: Filters, daily: string, monthly: string, columns: string, wholeUntil = f.to): RawBuilder<unknown> {
  const cut = wholeUntil < f.to ? wholeUntil : f.to;
  const { months, days } = cut >= f.from ? splitPeriod(f.from, cut) : { months: null, days: [] as [string, string][] };
  if (cut < f.to) days.push([cut >= f.from ? addDays(cut, 1) : f.from, f.to]);
  const parts: RawBuilder<unknown>[] = [];
  if (months) {
    parts.push(sql`SELECT ${sql.raw(columns)} FROM ${sql.raw(monthly)} d
      WHERE d.tenant_id = ${f.tenantId}::uuid AND d.day >= ${months[0]}::date AND d.day < ${months[1]}::date`);
  }
  if (days.length > 0) {
    parts.push(sql`SELECT ${sql.raw(columns)} FROM ${sql.raw(daily)} d WHERE d.tenant_id = ${f.tenantId}::uuid
      AND (${sql.join(days.map(([a, b]) => sql`d.day BETWEEN ${a}::date AND ${b}::date`), sql` OR `)})`);
  }
  return sql`(${sql.join(parts, sql` UNION ALL `)})`;
}

/** Checks the filter's references; answers the filtered service's queues. */
async function checkReferences(trx: CloudTx, tenantId: string, q: z.infer<typeof AnalyticsQuery>): Promise<string[]> {
  const refs = [['site', 'site', q.site], ['service', 'service', q.service], ['queue', 'queue', q.queue]] as const;
  for (const [field, table, id] of refs) {
    if (!id) continue;
    const found = await trx.selectFrom(table).select('id').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
    if (!found) throw new DomainError('invalid-reference', `${field}: unknown ${table}.`, [{ field, message: `unknown ${table}` }]);
  }
  if (q.agent) {
    const member = await trx.selectFrom('tenant_membership').select('id').where('tenant_id', '=', tenantId).where('user_id', '=', q.agent).executeTakeFirst();
    if (!member) throw new DomainError('invalid-reference', 'agent: not a member of this tenant.', [{ field: 'agent', message: 'unknown agent' }]);
  }
  if (!q.service) return [];
  return (await trx.selectFrom('queue').select('id').where('tenant_id', '=', tenantId).where('service_id', '=', q.service).execute()).map((r) => r.id);
}

/**
 * The analytics page in one call: every figure is a sum over rollup rows (days × sites × queues ×
 * channels), never a scan of tickets, so the cost follows the period, not the ticket count.
 */
export async function analytics(deps: CloudDeps, tenantId: string, q: z.infer<typeof AnalyticsQuery>, now: number): Promise<AnalyticsDto> {
  const to = q.to ?? dayOf(now);
  const from = q.from ?? dayOf(dayMs(to) - 6 * DAY_MS);
  if (from > to) throw new DomainError('validation-failed', 'from: must not be after to.', [{ field: 'from', message: 'must not be after to' }]);
  if ((dayMs(to) - dayMs(from)) / DAY_MS >= MAX_DAYS) {
    throw new DomainError('validation-failed', `to: the period is at most ${MAX_DAYS} days.`, [{ field: 'to', message: `at most ${MAX_DAYS} days` }]);
  }
  return deps.cloud.withTenant(tenantId, async (trx) => {
    const f: Filters = { tenantId, from, to, q, now, serviceQueues: await checkReferences(trx, tenantId, q) };
    const dow = sql`extract(isodow FROM d.day)::int`;
    const hours = Array.from({ length: 24 }, (_, h) => sql.raw(`sum(d.a${String(h).padStart(2, '0')}) AS h${h}`));
    type Grouped = MeasureRow & Record<string, Num> & { day: string | null; site: string | null; site_name: string | null; service: string | null;
      service_name: string | null; channel: string | null; weekday: number | null; g: number };
    const hourColumns = q.agent ? sql`` : sql`, ${sql.join(hours)}`;
    let grouped: Grouped[];
    if (siteLevel(q)) {
      // Every branch or one: totals, days, branches and weekdays from the per-site rollup; services
      // and channels from the per-queue ones, whole months from the monthly rollup (up to two days
      // before today's UTC date, which every site's today is after).
      const bySite = (await sql<Grouped>`
        SELECT GROUPING(d.day, d.site_id, ${dow}) AS g, d.day::text AS day, d.site_id AS site, max(si.name) AS site_name,
          ${dow} AS weekday, ${measureSql(f)} ${hourColumns}
        FROM hq_site_daily d LEFT JOIN site si ON si.id = d.site_id
        WHERE ${where(f)}
        GROUP BY GROUPING SETS ((), (d.day), (d.site_id), (${dow}))`.execute(trx)).rows;
      const columns = 'd.tenant_id, d.site_id, d.queue_id, d.channel, d.day, d.arrivals, d.called, d.served, d.no_show, d.sla_met, d.wait_ms, d.service_ms, d.service_n';
      const byQueue = (await sql<Grouped>`
        SELECT GROUPING(q.service_id, d.channel) AS g, q.service_id AS service, max(s.name) AS service_name, d.channel, ${measureSql(f)}
        FROM ${spanRows(f, 'hq_ticket_daily', 'hq_ticket_month', columns, addDays(dayOf(now), -2))} d
          LEFT JOIN queue q ON q.id = d.queue_id LEFT JOIN site si ON si.id = d.site_id LEFT JOIN service s ON s.id = q.service_id
        WHERE ${where(f, sql`true`)}
        GROUP BY GROUPING SETS ((q.service_id), (d.channel))`.execute(trx)).rows;
      // As the one-pass query's GROUPING(day, site, service, channel, dow) below would number them.
      const siteSets: Record<number, number> = { 7: 31, 3: 15, 5: 23, 6: 30 };
      const queueSets: Record<number, number> = { 1: 27, 2: 29 };
      grouped = [...bySite.map((r) => ({ ...r, g: siteSets[Number(r.g)]! })), ...byQueue.map((r) => ({ ...r, g: queueSets[Number(r.g)]! }))];
    } else {
      // One pass over the daily rollup for the totals and every breakdown (grouping sets).
      grouped = (await sql<Grouped>`
        SELECT GROUPING(d.day, d.site_id, q.service_id, d.channel, ${dow}) AS g,
          d.day::text AS day, d.site_id AS site, max(si.name) AS site_name, q.service_id AS service, max(s.name) AS service_name,
          d.channel, ${dow} AS weekday, ${measureSql(f)} ${hourColumns}
        FROM ${ticketSource(f)} d LEFT JOIN queue q ON q.id = d.queue_id LEFT JOIN site si ON si.id = d.site_id
          LEFT JOIN service s ON s.id = q.service_id
        WHERE ${where(f)}
        GROUP BY GROUPING SETS ((), (d.day), (d.site_id), (q.service_id), (d.channel), (${dow}))`.execute(trx)).rows;
    }
    // GROUPING(day, site, service, channel, dow): a 0 bit is the column grouped by.
    const set = (bit: number | null) => grouped.filter((r) => Number(r.g) === (bit === null ? 31 : 31 - bit));
    const totals = set(null)[0] ?? ({} as MeasureRow);
    const daily = set(16).sort((a, b) => a.day!.localeCompare(b.day!));
    const sites = set(8).sort((a, b) => (a.site_name ?? '').localeCompare(b.site_name ?? '') || a.site!.localeCompare(b.site!));
    const services = set(4).sort((a, b) => (a.service_name ?? '').localeCompare(b.service_name ?? ''));
    const channels = set(2).sort((a, b) => a.channel!.localeCompare(b.channel!));

    let heatmap: AnalyticsDto['heatmap'] = [];
    let median: number | null = null;
    let p90: number | null = null;
    if (!q.agent) {
      heatmap = set(1).sort((a, b) => Number(a.weekday) - Number(b.weekday))
        .flatMap((r) => Array.from({ length: 24 }, (_, hour) => ({ weekday: Number(r.weekday), hour, arrivals: n(r[`h${hour}`] ?? 0) })))
        .filter((c) => c.arrivals > 0);
      const histRows = siteLevel(q)
        ? sql`${spanRows(f, 'hq_site_hist', 'hq_site_hist_month', 'd.tenant_id, d.site_id, d.day, d.bucket, d.n')} d`
        : sql`${spanRows(f, 'hq_wait_hist', 'hq_wait_hist_month', 'd.tenant_id, d.site_id, d.queue_id, d.channel, d.day, d.bucket, d.n')} d`;
      const hist = (await sql<{ bucket: number; n: Num }>`SELECT d.bucket, sum(d.n) AS n FROM ${histRows}
        WHERE ${where(f, sql`true`)} GROUP BY d.bucket`.execute(trx)).rows.map((r) => ({ bucket: Number(r.bucket), n: n(r.n) }));
      median = histogramPercentile(hist, 0.5);
      p90 = histogramPercentile(hist, 0.9);
    }

    const agentRows = q.agent
      ? sql`(SELECT * FROM hq_agent_daily d WHERE d.tenant_id = ${tenantId}::uuid AND d.agent_id = ${q.agent}::uuid)`
      : spanRows(f, 'hq_agent_daily', 'hq_agent_month', 'd.*');
    const agents = (await sql<{ agent: string; agent_name: string | null; called: Num; served: Num; no_show: Num; wait_ms: Num; service_ms: Num; service_n: Num }>`
      SELECT d.agent_id AS agent, max(trim(u.first_name || ' ' || u.last_name)) AS agent_name, sum(d.called) AS called, sum(d.served) AS served,
        sum(d.no_show) AS no_show, sum(d.wait_ms) AS wait_ms, sum(d.service_ms) AS service_ms, sum(d.service_n) AS service_n
      FROM ${agentRows} d LEFT JOIN app_user u ON u.id = d.agent_id
      WHERE ${where(f, q.agent ? undefined : sql`true`)}
      GROUP BY d.agent_id ORDER BY sum(d.called) DESC, d.agent_id LIMIT 200`.execute(trx)).rows;

    const pauses = await pausesOf(trx, f);
    const feedback = await feedbackOf(trx, f);
    const t = measures(totals);
    return {
      from, to,
      totals: {
        ...t, median_wait_seconds: median, p90_wait_seconds: p90, no_show_rate: ratio(t.no_show, t.called),
        abandon_rate: ratio(t.abandoned, n(totals.arrivals_over)),
      },
      daily: daily.map((r) => ({ day: r.day!, ...measures(r) })),
      heatmap,
      sites: sites.map((r) => ({ site: r.site!, site_name: r.site_name ?? r.site!, ...measures(r) })),
      services: services.map((r) => ({ service: r.service ?? '', service_name: r.service_name ?? '—', ...measures(r) })),
      channels: channels.map((r) => ({ channel: r.channel!, arrivals: n(r.arrivals) })),
      agents: [
        ...agents.map((r) => ({
          agent: r.agent, agent_name: r.agent_name || r.agent, called: n(r.called), served: n(r.served), no_show: n(r.no_show),
          avg_wait_seconds: avgSeconds(n(r.wait_ms), n(r.called)), avg_service_seconds: avgSeconds(n(r.service_ms), n(r.service_n)),
          service_seconds: Math.round(n(r.service_ms) / 1000), ...pauseFigures(pauses.get(r.agent)),
        })),
        // Agents who paused without calling anyone in the period.
        ...[...pauses.entries()].filter(([agent]) => !agents.some((r) => r.agent === agent)).map(([agent, p]) => ({
          agent, agent_name: p.name || agent, called: 0, served: 0, no_show: 0, avg_wait_seconds: null, avg_service_seconds: null,
          service_seconds: 0, ...pauseFigures(p),
        })),
      ],
      feedback,
    };
  });
}

type AgentPauses = { name: string | null; reasons: { reason: string; pauses: number; seconds: number }[] };

function pauseFigures(p: AgentPauses | undefined) {
  const reasons = p?.reasons ?? [];
  return {
    pauses: reasons.reduce((a, r) => a + r.pauses, 0), paused_seconds: reasons.reduce((a, r) => a + r.seconds, 0), pause_reasons: reasons,
  };
}

/**
 * Pauses come from the branches' audit of agent status changes: each change to `paused` lasts until
 * the agent's next change (or now). Agents change status a few times a day, so these rows are read
 * as such; the next change is looked up in a window two days wider than the period.
 */
async function pausesOf(trx: CloudTx, f: Filters): Promise<Map<string, AgentPauses>> {
  if (f.q.queue || f.q.service || f.q.channel) return new Map();
  const after = sql`(CASE jsonb_typeof(a.data->'after') WHEN 'string' THEN (a.data->>'after')::jsonb ELSE a.data->'after' END)`;
  const rows = (await sql<{ agent: string; name: string | null; reason: string; pauses: Num; ms: Num }>`
    WITH changes AS (
      SELECT a.entity_id AS agent, a.created_at, ${after}->>'status' AS status, coalesce(${after}->>'status_reason', '') AS reason,
        (to_timestamp(a.created_at / 1000.0) AT TIME ZONE coalesce(si.timezone, 'UTC'))::date AS day,
        lead(a.created_at) OVER (PARTITION BY a.entity_id ORDER BY a.created_at, a.branch_seq) AS next_at
      FROM audit_log a LEFT JOIN site si ON si.id = a.site_id
      WHERE a.tenant_id = ${f.tenantId}::uuid AND a.action = 'agent.status_changed'
        AND a.created_at >= ${dayMs(f.from) - DAY_MS} AND a.created_at < ${dayMs(f.to) + 3 * DAY_MS}
        ${f.q.site ? sql`AND a.site_id = ${f.q.site}::uuid` : sql``}
        ${f.q.agent ? sql`AND a.entity_id = ${f.q.agent}` : sql``}
    )
    SELECT c.agent, max(trim(u.first_name || ' ' || u.last_name)) AS name, c.reason, count(*) AS pauses,
      sum(greatest(coalesce(c.next_at, ${f.now}) - c.created_at, 0)) AS ms
    FROM changes c LEFT JOIN app_user u ON u.id::text = c.agent
    WHERE c.status = 'paused' AND c.day BETWEEN ${f.from}::date AND ${f.to}::date
    GROUP BY c.agent, c.reason ORDER BY c.agent, c.reason`.execute(trx)).rows;
  const result = new Map<string, AgentPauses>();
  for (const r of rows) {
    const entry = result.get(r.agent) ?? { name: r.name, reasons: [] };
    entry.reasons.push({ reason: r.reason, pauses: n(r.pauses), seconds: Math.round(n(r.ms) / 1000) });
    result.set(r.agent, entry);
  }
  return result;
}

type FeedbackRow = { responses: Num; csat_n: Num; csat_sum: Num; nps_n: Num; promoters: Num; detractors: Num };

function feedbackFigures(r: FeedbackRow) {
  const npsN = n(r.nps_n);
  return {
    responses: n(r.responses),
    csat_avg: n(r.csat_n) > 0 ? Math.round((n(r.csat_sum) / n(r.csat_n)) * 100) / 100 : null,
    nps: npsN > 0 ? Math.round(((n(r.promoters) - n(r.detractors)) / npsN) * 100) : null,
    promoters: n(r.promoters), passives: npsN - n(r.promoters) - n(r.detractors), detractors: n(r.detractors),
  };
}

async function feedbackOf(trx: CloudTx, f: Filters): Promise<AnalyticsDto['feedback']> {
  const local = sql`(to_timestamp(fb.created_at / 1000.0) AT TIME ZONE coalesce(fs.timezone, 'UTC'))::date`;
  // An agent's feedback is not rolled up: the few rows of their tickets are read as such.
  const source = f.q.agent
    ? sql`(SELECT fb.tenant_id, fb.site_id, t.queue_id, t.channel, ${local} AS day, 1 AS responses, (fb.csat IS NOT NULL)::int AS csat_n,
        coalesce(fb.csat, 0) AS csat_sum, (fb.nps IS NOT NULL)::int AS nps_n, (fb.nps >= 9)::int AS promoters, (fb.nps <= 6)::int AS detractors
        FROM feedback fb JOIN ticket t ON t.id = fb.ticket_id LEFT JOIN site fs ON fs.id = fb.site_id
        WHERE fb.tenant_id = ${f.tenantId}::uuid AND t.agent_id = ${f.q.agent}::uuid)`
    : sql`hq_feedback_daily`;
  const sums = sql`coalesce(sum(d.responses), 0) AS responses, coalesce(sum(d.csat_n), 0) AS csat_n, coalesce(sum(d.csat_sum), 0) AS csat_sum,
    coalesce(sum(d.nps_n), 0) AS nps_n, coalesce(sum(d.promoters), 0) AS promoters, coalesce(sum(d.detractors), 0) AS detractors`;
  const base = sql`FROM ${source} d WHERE ${where(f)}`;
  const total = (await sql<FeedbackRow>`SELECT ${sums} ${base}`.execute(trx)).rows[0]!;
  const daily = (await sql<FeedbackRow & { day: string }>`SELECT d.day::text AS day, ${sums} ${base} GROUP BY d.day ORDER BY d.day`.execute(trx)).rows;

  const { q } = f;
  // created_at brackets the local days generously (time zones are within ±14 h); the day test is exact.
  const comments = (await sql<{ created_at: number; site: string; site_name: string; csat: number | null; nps: number | null; comment: string }>`
    SELECT fb.created_at, fb.site_id AS site, fs.name AS site_name, fb.csat, fb.nps, fb.data->>'comment' AS comment
    FROM feedback fb LEFT JOIN site fs ON fs.id = fb.site_id LEFT JOIN ticket t ON t.id = fb.ticket_id LEFT JOIN queue q ON q.id = t.queue_id
    WHERE fb.tenant_id = ${f.tenantId}::uuid
      AND fb.created_at >= ${dayMs(f.from) - DAY_MS} AND fb.created_at < ${dayMs(f.to) + 2 * DAY_MS}
      AND ${local} BETWEEN ${f.from}::date AND ${f.to}::date
      AND coalesce(fb.data->>'comment', '') <> ''
      ${q.site ? sql`AND fb.site_id = ${q.site}::uuid` : sql``}
      ${q.queue ? sql`AND t.queue_id = ${q.queue}::uuid` : sql``}
      ${q.channel ? sql`AND t.channel = ${q.channel}` : sql``}
      ${q.service ? sql`AND q.service_id = ${q.service}::uuid` : sql``}
      ${q.agent ? sql`AND t.agent_id = ${q.agent}::uuid` : sql``}
    ORDER BY fb.created_at DESC, fb.id DESC LIMIT 20`.execute(trx)).rows;
  return {
    ...feedbackFigures(total),
    daily: daily.map((r) => {
      const figures = feedbackFigures(r);
      return { day: r.day, responses: figures.responses, csat_avg: figures.csat_avg, nps: figures.nps };
    }),
    comments: comments.map((c) => ({
      created_at: iso(Number(c.created_at)), site: c.site, site_name: c.site_name ?? c.site, csat: c.csat, nps: c.nps, comment: c.comment,
    })),
  };
}

type LiveRow = {
  site_id: string; queue_id: string; waiting: Num; called: Num; served: Num; arrivals: Num; no_show: Num;
  oldest_wait_ms: Num; next_numbers: string[] | null;
};

/**
 * Each site's day so far (its own local day) and its queues now, straight from the uploaded
 * tickets: the site-and-time index reads at most two days of one tenant's tickets.
 */
export async function liveSites(deps: CloudDeps, tenantId: string, site: string | undefined, now: number): Promise<LiveSiteDto[]> {
  return deps.cloud.withTenant(tenantId, async (trx) => {
    let sitesQuery = trx.selectFrom('site').selectAll().where('tenant_id', '=', tenantId).where('is_active', '=', 1);
    if (site) sitesQuery = sitesQuery.where('id', '=', site);
    const sites = await sitesQuery.orderBy('name').orderBy('id').execute();
    if (site && sites.length === 0) throw new DomainError('invalid-reference', 'site: unknown site.', [{ field: 'site', message: 'unknown site' }]);
    const queues = await trx.selectFrom('queue').innerJoin('service', 'service.id', 'queue.service_id')
      .select(['queue.id', 'queue.site_id', 'queue.name', 'queue.prefix', 'queue.status', 'service.name as service_name'])
      .where('queue.tenant_id', '=', tenantId).orderBy('queue.prefix').orderBy('queue.id').execute();
    const rows = (await sql<LiveRow>`
      SELECT t.site_id, t.queue_id,
        count(*) FILTER (WHERE t.status = 'en_attente') AS waiting,
        count(*) FILTER (WHERE t.status IN ('appele', 'en_service', 'pause')) AS called,
        count(*) FILTER (WHERE t.status = 'clos') AS served,
        count(*) FILTER (WHERE t.status = 'no_show') AS no_show,
        count(*) AS arrivals,
        max(${now} + coalesce(t.clock_offset_ms, 0) - t.created_at) FILTER (WHERE t.status = 'en_attente') AS oldest_wait_ms,
        (array_agg(t.number ORDER BY t.priority DESC, t.created_at, t.id) FILTER (WHERE t.status = 'en_attente'))[1:5] AS next_numbers
      FROM ticket t JOIN site si ON si.id = t.site_id
      WHERE t.tenant_id = ${tenantId}::uuid AND t.created_at >= ${now - 2 * DAY_MS}
        ${site ? sql`AND t.site_id = ${site}::uuid` : sql``}
        AND (to_timestamp(t.created_at / 1000.0) AT TIME ZONE si.timezone)::date = (to_timestamp(${now} / 1000.0) AT TIME ZONE si.timezone)::date
      GROUP BY t.site_id, t.queue_id`.execute(trx)).rows;
    const last = await trx.selectFrom('ticket').select(['site_id', (eb) => eb.fn.max('received_at').as('at')])
      .where('tenant_id', '=', tenantId).where('created_at', '>=', now - 2 * DAY_MS).groupBy('site_id').execute();
    const days = (await sql<{ id: string; day: string }>`SELECT id, (to_timestamp(${now} / 1000.0) AT TIME ZONE timezone)::date::text AS day
      FROM site WHERE tenant_id = ${tenantId}::uuid`.execute(trx)).rows;
    const byQueue = new Map(rows.map((r) => [r.queue_id, r]));
    return sites.map((s) => {
      const siteRows = rows.filter((r) => r.site_id === s.id);
      const sum = (key: 'waiting' | 'called' | 'served' | 'arrivals' | 'no_show') => siteRows.reduce((acc, r) => acc + n(r[key]), 0);
      const waits = siteRows.map((r) => r.oldest_wait_ms).filter((w): w is number | string => w !== null).map(Number);
      const lastAt = last.find((l) => l.site_id === s.id)?.at;
      return {
        site: s.id, site_name: s.name, timezone: s.timezone, day: days.find((d) => d.id === s.id)?.day ?? dayOf(now),
        latitude: s.latitude, longitude: s.longitude,
        waiting: sum('waiting'), called: sum('called'), served_today: sum('served'), arrivals_today: sum('arrivals'), no_show_today: sum('no_show'),
        longest_wait_seconds: waits.length > 0 ? Math.max(0, Math.round(Math.max(...waits) / 1000)) : null,
        last_ticket_at: isoOrNull(lastAt === undefined || lastAt === null ? null : Number(lastAt)),
        queues: queues.filter((qu) => qu.site_id === s.id).map((qu) => {
          const r = byQueue.get(qu.id);
          return {
            queue: qu.id, queue_name: qu.name, prefix: qu.prefix, status: qu.status, service_name: qu.service_name,
            waiting: n(r?.waiting ?? 0), called: n(r?.called ?? 0), served_today: n(r?.served ?? 0), arrivals_today: n(r?.arrivals ?? 0),
            longest_wait_seconds: r?.oldest_wait_ms === null || r?.oldest_wait_ms === undefined ? null : Math.max(0, Math.round(n(r.oldest_wait_ms) / 1000)),
            next_numbers: r?.next_numbers ?? [],
          };
        }),
      };
    });
  });
}

/**
 * The latest change of each staff member, by user id: a member travels to the branches as three
 * entities (the user, the membership with its role and active flag, keyed by its own id, and the
 * agent's queues), and a change of any of them is a change of the row HQ shows.
 */
function staffChanges(trx: CloudTx, tenantId: string) {
  const userId = sql<string>`CASE WHEN f.entity = 'tenant_membership' THEN m.user_id ELSE f.entity_id END`;
  return trx.selectFrom('change_feed as f')
    .leftJoin('tenant_membership as m', (join) => join.onRef('m.id', '=', 'f.entity_id').on('f.entity', '=', 'tenant_membership'))
    .select([userId.as('entity_id'), (eb) => eb.fn.max('f.seq').as('seq'), (eb) => eb.fn.max('f.created_at').as('changed_at')])
    .where('f.tenant_id', '=', tenantId).where('f.entity', 'in', ['user', 'tenant_membership', 'agent_queues'])
    .where(userId, 'is not', null)
    .groupBy(userId).orderBy(userId).execute();
}

/** Which branches have applied the latest change of each row of a reference entity. */
export async function receipts(deps: CloudDeps, tenantId: string, q: z.infer<typeof ReceiptsQuery>, now: number): Promise<ReceiptsDto> {
  return deps.cloud.withTenant(tenantId, async (trx) => {
    const branches = await trx.selectFrom('device').innerJoin('site', 'site.id', 'device.site_id')
      .select(['device.id', 'device.name', 'device.site_id', 'site.name as site_name', 'device.feed_cursor', 'device.last_seen_at'])
      .where('device.tenant_id', '=', tenantId).where('device.revoked_at', 'is', null)
      .orderBy('site.name').orderBy('device.enrolled_at').execute();
    const items = q.entity === 'staff' ? await staffChanges(trx, tenantId) : await trx.selectFrom('change_feed')
      .select(['entity_id', (eb) => eb.fn.max('seq').as('seq'), (eb) => eb.fn.max('created_at').as('changed_at')])
      .where('tenant_id', '=', tenantId).where('entity', '=', q.entity).groupBy('entity_id').orderBy('entity_id').execute();
    return {
      entity: q.entity,
      branches: branches.map((b) => ({
        branch: b.id, name: b.name, site: b.site_id, site_name: b.site_name, feed_cursor: b.feed_cursor,
        online: b.last_seen_at !== null && now - b.last_seen_at <= BRANCH_ONLINE_WINDOW_MS,
      })),
      items: items.map((i) => ({
        entity_id: i.entity_id, seq: Number(i.seq), changed_at: iso(Number(i.changed_at)),
        received_by: branches.filter((b) => b.feed_cursor >= Number(i.seq)).map((b) => b.id),
      })),
    };
  });
}
