import type { z } from 'zod';
import type { HqDaySummaryDto, HqDaySummaryListQuery } from '../../protocol/hq-data.contract.ts';
import { pageOf, type PageResult } from '../db/paginate.ts';
import type { DaySummaryTable } from '../db/schema.ts';
import type { CloudDeps } from '../http/context.ts';
import { intOrNull, iso } from './dto.ts';

type DayView = DaySummaryTable & { site_name: string | null };

/** A sealed day as HQ reads it: the typed columns, and the counts from the row as the branch uploaded it (older branches may lack some). */
function toDayDto(r: DayView): HqDaySummaryDto {
  const n = (key: string) => intOrNull(r.data, key) ?? 0;
  return {
    id: r.id, site: r.site_id, site_name: r.site_name, branch: r.device_id, business_date: r.business_date,
    sealed_at: iso(r.sealed_at), received_at: iso(r.received_at),
    tickets_issued: n('tickets_issued'), tickets_served: n('tickets_served'), tickets_no_show: n('tickets_no_show'),
    tickets_expired: n('tickets_expired'), tickets_carried_over: n('tickets_carried_over'), remote_joined: n('remote_joined'),
    remote_no_show: n('remote_no_show'), appointments_booked: n('appointments_booked'), appointments_checked_in: n('appointments_checked_in'),
    appointments_no_show: n('appointments_no_show'), appointments_cancelled: n('appointments_cancelled'),
    avg_wait_seconds: intOrNull(r.data, 'avg_wait_seconds'), max_wait_seconds: intOrNull(r.data, 'max_wait_seconds'),
  };
}

/** The tenant's sealed days, newest business date first (by the (tenant_id, business_date) index). */
export async function listDaySummaries(
  deps: CloudDeps, tenantId: string, q: z.infer<typeof HqDaySummaryListQuery>,
): Promise<PageResult<HqDaySummaryDto>> {
  return deps.cloud.withTenant(tenantId, (trx) => {
    let query = trx.selectFrom('day_summary as d').leftJoin('site', 'site.id', 'd.site_id')
      .selectAll('d').select('site.name as site_name').where('d.tenant_id', '=', tenantId);
    if (q.site) query = query.where('d.site_id', '=', q.site);
    if (q.from) query = query.where('d.business_date', '>=', q.from);
    if (q.to) query = query.where('d.business_date', '<=', q.to);
    return pageOf(query.orderBy('d.business_date', 'desc').orderBy('site.name').orderBy('d.id'), q, (rows) => rows.map(toDayDto));
  });
}
