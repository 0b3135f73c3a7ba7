import type { z } from 'zod';
import type { PublicAppointmentDto, PublicBookBody, PublicManageBody, PublicSiteDto } from '../contract/public-booking.contract.ts';
import type { AppointmentDto } from '../contract/appointments.contract.ts';
import type { Actor } from '../db/repositories/audit.repository.ts';
import { invalidReference } from '../db/repositories/device-config.repository.ts';
import { newcomerEta, waitingSummary } from '../db/repositories/tickets.repository.ts';
import { qb, type Db } from '../db/sqlite.ts';
import type { SiteRow } from '../db/tables/site.table.ts';
import type { TenantRow } from '../db/tables/tenant.table.ts';
import { DomainError } from '../domain/errors.ts';
import { businessDate } from '../domain/numbering.ts';
import { bookAppointment, cancelAppointment, CHECK_IN_CODE_LENGTH, rescheduleAppointment } from './appointments.ts';
import { bookingRule } from './booking-settings.ts';
import type { Caller, UseCaseDeps } from './deps.ts';
import { normalizeHumanCode } from './human-code.ts';
import { normalizePhone } from './remote-join.ts';

/** The active site behind a public page, with its tenant; unknown or inactive answers 404. */
export function publicSite(db: Db, siteId: string): { site: SiteRow; tenant: TenantRow } {
  const site = db.first(qb.selectFrom('site').selectAll().where('id', '=', siteId).where('is_active', '=', 1));
  const tenant = site ? db.first(qb.selectFrom('tenant').selectAll().where('id', '=', site.tenant_id).where('is_active', '=', 1)) : undefined;
  if (!site || !tenant) throw new DomainError('not-found', 'This branch has no public page.');
  return { site, tenant };
}

/** Who acts on a public page: nobody signed in, from this address. */
export function publicCaller(tenant: TenantRow, actor: Actor, now: number, origin: string): Caller {
  return { tenantId: tenant.id, tenantSlug: tenant.slug, actor, role: null, now, origin };
}

export function rebookUrl(origin: string, siteId: string, serviceId: string): string {
  return `${origin}/book/${siteId}?service=${serviceId}`;
}

/** The services of the site with people waiting now and the wait of joining now. */
export function describeSite(db: Db, site: SiteRow, tenant: TenantRow, now: number): PublicSiteDto {
  const queues = db.all(qb.selectFrom('queue').innerJoin('service', 'service.id', 'queue.service_id')
    .select(['queue.id as queue_id', 'queue.status', 'service.id as service_id', 'service.name'])
    .where('queue.site_id', '=', site.id).where('service.is_active', '=', 1).orderBy('service.name').orderBy('queue.created_at'));
  const day = businessDate(now, site.timezone);
  const seen = new Set<string>();
  const services: PublicSiteDto['services'] = [];
  for (const q of queues) {
    if (seen.has(q.service_id)) continue;
    seen.add(q.service_id);
    const rule = bookingRule(db, q.service_id);
    const joined = db.raw<{ n: number }>('SELECT COUNT(*) AS n FROM remote_join WHERE site_id = ? AND service_id = ? AND business_date = ?', site.id, q.service_id, day)[0]?.n ?? 0;
    const full = joined >= rule.remote_daily_cap;
    services.push({
      id: q.service_id, name: q.name, waiting: waitingSummary(db, q.queue_id, now).waiting,
      eta_seconds: newcomerEta(db, q.queue_id, { id: '', priority: 0 }, now)?.etaSeconds ?? null,
      remote_open: rule.remote_enabled === 1 && !full && q.status === 'open', remote_full: full,
    });
  }
  return { site: site.id, site_name: site.name, tenant_name: tenant.name, timezone: site.timezone, services };
}

function toPublic(site: SiteRow, dto: AppointmentDto, origin: string): PublicAppointmentDto {
  return {
    id: dto.id, service_name: dto.service_name, site_name: site.name, starts_at: dto.starts_at, ends_at: dto.ends_at,
    status: dto.status, check_in_code: dto.check_in_code, rebook_url: rebookUrl(origin, site.id, dto.service),
  };
}

export function bookFromPublicPage(deps: UseCaseDeps, caller: Caller, site: SiteRow, body: z.infer<typeof PublicBookBody>): PublicAppointmentDto {
  const dto = bookAppointment(deps, caller, { ...body, site: site.id });
  return toPublic(site, dto, caller.origin);
}

/** Cancels, or with `starts_at` reschedules, the booking that matches both the code and the phone number. */
export function manageFromPublicPage(deps: UseCaseDeps, caller: Caller, site: SiteRow, body: z.infer<typeof PublicManageBody>): PublicAppointmentDto {
  const { db } = deps;
  const code = normalizeHumanCode(body.code, CHECK_IN_CODE_LENGTH);
  const row = code === null ? undefined
    : db.first(qb.selectFrom('appointment').selectAll().where('tenant_id', '=', caller.tenantId).where('site_id', '=', site.id).where('check_in_code', '=', code));
  if (!row || normalizePhone(row.customer_phone) !== normalizePhone(body.customer_phone)) {
    throw invalidReference([{ field: 'code', message: 'no booking here matches this code and phone number' }]);
  }
  const dto = body.starts_at === undefined
    ? cancelAppointment(deps, caller, row.id, 'cancelled by the customer')
    : rescheduleAppointment(deps, caller, row.id, { starts_at: body.starts_at, reason: 'moved by the customer' });
  return toPublic(site, dto, caller.origin);
}
