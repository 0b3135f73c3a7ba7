import { sql } from 'kysely';
import type { WaitTimesDto } from '../../protocol/hq-data.contract.ts';
import { DomainError } from '../../../branch-server/domain/errors.ts';
import type { CloudDeps } from '../http/context.ts';
import { iso } from './dto.ts';

const DAY_MS = 24 * 3600 * 1000;
const MAX_RANGE_MS = 366 * DAY_MS;

export type WaitTimesQuery = Readonly<{ from?: number | undefined; to?: number | undefined; site?: string | undefined; service?: string | undefined }>;

type Stats = { tickets: number | string; called: number | string; avg_ms: number | string | null; median_ms: number | string | null; p90_ms: number | string | null };

const seconds = (ms: number | string | null) => (ms === null ? null : Math.round(Number(ms) / 1000));
const stats = (r: Stats) => ({
  tickets: Number(r.tickets), called: Number(r.called),
  avg_wait_seconds: seconds(r.avg_ms), median_wait_seconds: seconds(r.median_ms), p90_wait_seconds: seconds(r.p90_ms),
});

/**
 * Wait = called_at - created_at (both from the same branch clock, so its offset cancels), over the
 * tickets created in [from, to) that were called; per service and per queue, across branches.
 * Median and p90 are nearest-rank (percentile_disc), as the branch's daily report computes them.
 */
export async function waitTimes(deps: CloudDeps, tenantId: string, query: WaitTimesQuery, now: number): Promise<WaitTimesDto> {
  const to = query.to ?? now;
  const from = query.from ?? to - 7 * DAY_MS;
  if (from >= to) throw new DomainError('validation-failed', 'from: must be before to.', [{ field: 'from', message: 'must be before to' }]);
  if (to - from > MAX_RANGE_MS) throw new DomainError('validation-failed', 'to: the period is at most 366 days.', [{ field: 'to', message: 'at most 366 days after from' }]);

  return deps.cloud.withTenant(tenantId, async (trx) => {
    for (const [field, table, id] of [['site', 'site', query.site], ['service', 'service', query.service]] as const) {
      if (!id) continue;
      const found = await trx.selectFrom(table).select('id').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      if (!found) throw new DomainError('invalid-reference', `${field}: unknown ${table}.`, [{ field, message: `unknown ${table}` }]);
    }
    const wait = sql<number>`(t.called_at - t.created_at)`;
    const measures = sql<Stats>`count(*) AS tickets, count(t.called_at) AS called,
      avg(${wait}) FILTER (WHERE t.called_at IS NOT NULL) AS avg_ms,
      percentile_disc(0.5) WITHIN GROUP (ORDER BY ${wait}) FILTER (WHERE t.called_at IS NOT NULL) AS median_ms,
      percentile_disc(0.9) WITHIN GROUP (ORDER BY ${wait}) FILTER (WHERE t.called_at IS NOT NULL) AS p90_ms`;
    const filters = sql`t.tenant_id = ${tenantId}::uuid AND t.created_at >= ${from} AND t.created_at < ${to}
      ${query.site ? sql`AND t.site_id = ${query.site}::uuid` : sql``}
      ${query.service ? sql`AND q.service_id = ${query.service}::uuid` : sql``}`;
    const base = sql`FROM ticket t JOIN queue q ON q.id = t.queue_id JOIN service s ON s.id = q.service_id JOIN site si ON si.id = q.site_id
      WHERE ${filters}`;

    const totals = (await sql<Stats>`SELECT ${measures} ${base}`.execute(trx)).rows[0]!;
    const services = (await sql<Stats & { service: string; service_name: string }>`
      SELECT s.id AS service, s.name AS service_name, ${measures} ${base}
      GROUP BY s.id, s.name ORDER BY s.name, s.id`.execute(trx)).rows;
    const queues = (await sql<Stats & { queue: string; queue_name: string; site: string; site_name: string; service: string; service_name: string }>`
      SELECT q.id AS queue, q.name AS queue_name, si.id AS site, si.name AS site_name, s.id AS service, s.name AS service_name, ${measures} ${base}
      GROUP BY q.id, q.name, q.prefix, si.id, si.name, s.id, s.name ORDER BY si.name, q.prefix, q.id`.execute(trx)).rows;

    return {
      from: iso(from), to: iso(to), site: query.site ?? null, service: query.service ?? null,
      totals: stats(totals),
      services: services.map((r) => ({ service: r.service, service_name: r.service_name, ...stats(r) })),
      queues: queues.map((r) => ({
        queue: r.queue, queue_name: r.queue_name, site: r.site, site_name: r.site_name, service: r.service, service_name: r.service_name, ...stats(r),
      })),
    };
  });
}
