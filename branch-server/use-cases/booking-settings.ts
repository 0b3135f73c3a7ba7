import type { z } from 'zod';
import type { BookingRuleBody, BookingRuleDto, OpeningHoursBody, OpeningHoursDto } from '../contract/appointments.contract.ts';
import { appendAudit } from '../db/repositories/audit.repository.ts';
import { qb, type Db } from '../db/sqlite.ts';
import type { ServiceBookingRuleRow } from '../db/tables/service-booking-rule.table.ts';
import { DEFAULT_SLOT_CONFIG, type DayHours, type SlotConfig } from '../domain/appointment-slots.ts';
import { DomainError } from '../domain/errors.ts';
import type { Caller } from './deps.ts';

export type BookingRule = Omit<ServiceBookingRuleRow, 'service_id' | 'tenant_id' | 'updated_at'>;

/** A service without settings: 15-minute slots, no buffer, one place per skilled agent, 10 minutes of grace. */
export const DEFAULT_BOOKING_RULE: BookingRule = {
  slot_minutes: 15, buffer_minutes: 0, capacity: null, overbooking: 0, grace_minutes: 10,
  remote_enabled: 1, remote_daily_cap: 200, remote_hold_minutes: 5, end_of_day: 'expire',
};

export function bookingRule(db: Db, serviceId: string): BookingRule {
  const row = db.first(qb.selectFrom('service_booking_rule').selectAll().where('service_id', '=', serviceId));
  if (!row) return DEFAULT_BOOKING_RULE;
  const { service_id: _s, tenant_id: _t, updated_at: _u, ...rule } = row;
  return rule;
}

type Hours = { weekly: DayHours[]; closedDates: string[] };

function siteHours(db: Db, siteId: string): Hours {
  const row = db.first(qb.selectFrom('site_opening_hours').selectAll().where('site_id', '=', siteId));
  if (!row) return { weekly: [...DEFAULT_SLOT_CONFIG.weekly], closedDates: [] };
  return { weekly: JSON.parse(row.weekly) as DayHours[], closedDates: JSON.parse(row.closed_dates) as string[] };
}

/** The slot grid of a service at a site: the site's hours, the service's slot length and buffer. */
export function slotConfig(db: Db, siteId: string, serviceId: string): SlotConfig {
  const hours = siteHours(db, siteId);
  const rule = bookingRule(db, serviceId);
  return { weekly: hours.weekly, closedDates: hours.closedDates, slotMinutes: rule.slot_minutes, bufferMinutes: rule.buffer_minutes };
}

const hhmm = (minute: number) => `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
const minuteOf = (text: string) => Number(text.slice(0, 2)) * 60 + Number(text.slice(3, 5));

function siteOf(db: Db, tenantId: string, siteId: string) {
  const site = db.first(qb.selectFrom('site').select(['id']).where('id', '=', siteId).where('tenant_id', '=', tenantId));
  if (!site) throw new DomainError('not-found', 'Site not found.');
  return site;
}

function serviceOf(db: Db, tenantId: string, serviceId: string) {
  const service = db.first(qb.selectFrom('service').select(['id']).where('id', '=', serviceId).where('tenant_id', '=', tenantId));
  if (!service) throw new DomainError('not-found', 'Service not found.');
  return service;
}

export function getOpeningHours(db: Db, tenantId: string, siteId: string): OpeningHoursDto {
  siteOf(db, tenantId, siteId);
  const hours = siteHours(db, siteId);
  return {
    site: siteId,
    weekly: hours.weekly.map((d) => (d ? { open: hhmm(d.open), close: hhmm(d.close) } : null)),
    closed_dates: hours.closedDates,
  };
}

/** Stores a site's hours (the API's shape); inside the caller's transaction. The sync client applies HQ's with it too. */
export function writeOpeningHours(db: Db, tenantId: string, siteId: string, body: z.infer<typeof OpeningHoursBody>, now: number): void {
  const weekly = JSON.stringify(body.weekly.map((d) => (d ? { open: minuteOf(d.open), close: minuteOf(d.close) } : null)));
  const closed = JSON.stringify([...new Set(body.closed_dates)].sort());
  db.run(qb.insertInto('site_opening_hours').values({ site_id: siteId, tenant_id: tenantId, weekly, closed_dates: closed, updated_at: now })
    .onConflict((oc) => oc.column('site_id').doUpdateSet({ weekly, closed_dates: closed, updated_at: now })));
}

/** Stores a service's complete booking rule (the API's shape); inside the caller's transaction. */
export function writeBookingRule(db: Db, tenantId: string, serviceId: string, rule: Omit<BookingRuleDto, 'service'>, now: number): void {
  const values = {
    slot_minutes: rule.slot_minutes, buffer_minutes: rule.buffer_minutes, capacity: rule.capacity, overbooking: rule.overbooking,
    grace_minutes: rule.grace_minutes, remote_enabled: rule.remote_enabled ? 1 as const : 0 as const, remote_daily_cap: rule.remote_daily_cap,
    remote_hold_minutes: rule.remote_hold_minutes, end_of_day: rule.end_of_day, updated_at: now,
  };
  db.run(qb.insertInto('service_booking_rule').values({ service_id: serviceId, tenant_id: tenantId, ...values })
    .onConflict((oc) => oc.column('service_id').doUpdateSet(values)));
}

export function setOpeningHours(db: Db, caller: Caller, siteId: string, body: z.infer<typeof OpeningHoursBody>): OpeningHoursDto {
  db.tx(() => {
    siteOf(db, caller.tenantId, siteId);
    const before = getOpeningHours(db, caller.tenantId, siteId);
    writeOpeningHours(db, caller.tenantId, siteId, body, caller.now);
    appendAudit(db, caller.actor, { tenantId: caller.tenantId, action: 'site.opening_hours_changed', entity: 'site', entityId: siteId, before, after: body }, caller.now);
  });
  return getOpeningHours(db, caller.tenantId, siteId);
}

export function getBookingRule(db: Db, tenantId: string, serviceId: string): BookingRuleDto {
  serviceOf(db, tenantId, serviceId);
  const rule = bookingRule(db, serviceId);
  return { service: serviceId, ...rule, remote_enabled: rule.remote_enabled === 1 };
}

export function setBookingRule(db: Db, caller: Caller, serviceId: string, body: z.infer<typeof BookingRuleBody>): BookingRuleDto {
  db.tx(() => {
    serviceOf(db, caller.tenantId, serviceId);
    const before = getBookingRule(db, caller.tenantId, serviceId);
    const merged = { ...before, ...body };
    writeBookingRule(db, caller.tenantId, serviceId, merged, caller.now);
    appendAudit(db, caller.actor, { tenantId: caller.tenantId, action: 'service.booking_rule_changed', entity: 'service', entityId: serviceId, before, after: merged }, caller.now);
  });
  return getBookingRule(db, caller.tenantId, serviceId);
}
