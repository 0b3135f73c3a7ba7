import type { z } from 'zod';
import type { BookingRuleBody, BookingRuleDto, OpeningHoursBody, OpeningHoursDto } from '../../../branch-server/contract/appointments.contract.ts';
import { DEFAULT_SLOT_CONFIG } from '../../../branch-server/domain/appointment-slots.ts';
import { DEFAULT_BOOKING_RULE } from '../../../branch-server/use-cases/booking-settings.ts';
import type { CloudDeps } from '../http/context.ts';
import { recordChange } from './feed.ts';
import { toServiceRef, toSiteRef } from './reference-rows.ts';
import { findService } from './services.ts';
import { findSite } from './sites.ts';

type Hours = z.infer<typeof OpeningHoursBody>;
type Rule = Omit<BookingRuleDto, 'service'>;

const hhmm = (minute: number) => `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;

/** What a branch uses when HQ never set a site's hours. */
const DEFAULT_HOURS: Hours = {
  weekly: DEFAULT_SLOT_CONFIG.weekly.map((d) => (d ? { open: hhmm(d.open), close: hhmm(d.close) } : null)),
  closed_dates: [],
};
const DEFAULT_RULE: Rule = { ...DEFAULT_BOOKING_RULE, remote_enabled: DEFAULT_BOOKING_RULE.remote_enabled === 1 };

export async function getSiteOpeningHours(deps: CloudDeps, tenantId: string, siteId: string): Promise<OpeningHoursDto> {
  return deps.cloud.withTenant(tenantId, async (trx) => {
    const site = await findSite(trx, tenantId, siteId);
    return { site: site.id, ...((site.opening_hours as Hours | null) ?? DEFAULT_HOURS) };
  });
}

/** Stores the hours on the site row and puts the site in the feed: its branch applies them with the row. */
export async function setSiteOpeningHours(deps: CloudDeps, tenantId: string, siteId: string, body: Hours, now: number): Promise<OpeningHoursDto> {
  const hours: Hours = { weekly: body.weekly, closed_dates: [...new Set(body.closed_dates)].sort() };
  return deps.cloud.withTenant(tenantId, async (trx) => {
    await findSite(trx, tenantId, siteId);
    const site = await trx.updateTable('site').set({ opening_hours: hours, updated_at: now })
      .where('tenant_id', '=', tenantId).where('id', '=', siteId).returningAll().executeTakeFirstOrThrow();
    await recordChange(trx, tenantId, { entity: 'site', entityId: site.id, op: 'upsert', data: toSiteRef(site) }, now);
    return { site: site.id, ...hours };
  });
}

export async function getServiceBookingRule(deps: CloudDeps, tenantId: string, serviceId: string): Promise<BookingRuleDto> {
  return deps.cloud.withTenant(tenantId, async (trx) => {
    const service = await findService(trx, tenantId, serviceId);
    return { service: service.id, ...((service.booking_rule as Rule | null) ?? DEFAULT_RULE) };
  });
}

/** Merges the change into the whole rule (a branch always receives every field) and feeds the service row. */
export async function setServiceBookingRule(
  deps: CloudDeps, tenantId: string, serviceId: string, patch: z.infer<typeof BookingRuleBody>, now: number,
): Promise<BookingRuleDto> {
  return deps.cloud.withTenant(tenantId, async (trx) => {
    const before = await findService(trx, tenantId, serviceId);
    const current = (before.booking_rule as Rule | null) ?? DEFAULT_RULE;
    const rule: Rule = {
      slot_minutes: patch.slot_minutes ?? current.slot_minutes, buffer_minutes: patch.buffer_minutes ?? current.buffer_minutes,
      capacity: patch.capacity !== undefined ? patch.capacity : current.capacity, overbooking: patch.overbooking ?? current.overbooking,
      grace_minutes: patch.grace_minutes ?? current.grace_minutes, remote_enabled: patch.remote_enabled ?? current.remote_enabled,
      remote_daily_cap: patch.remote_daily_cap ?? current.remote_daily_cap, remote_hold_minutes: patch.remote_hold_minutes ?? current.remote_hold_minutes,
      end_of_day: patch.end_of_day ?? current.end_of_day,
    };
    const service = await trx.updateTable('service').set({ booking_rule: rule, updated_at: now })
      .where('tenant_id', '=', tenantId).where('id', '=', serviceId).returningAll().executeTakeFirstOrThrow();
    await recordChange(trx, tenantId, { entity: 'service', entityId: service.id, op: 'upsert', data: toServiceRef(service) }, now);
    return { service: service.id, ...rule };
  });
}
