import { z } from 'zod';
import { IsoDateTime, PageQuery, paginated, TenantIdParams, TenantParams, Text, Uuid } from './common.ts';
import { defineRoutes, scope } from './route.ts';
import { TicketDto } from './tickets.contract.ts';

export const AppointmentStatus = z.enum(['scheduled', 'checked_in', 'cancelled', 'completed', 'no_show']);
const LocalDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD');
const Phone = z.string().trim().regex(/^\+?[0-9 ()-]{6,20}$/, 'must be a phone number');

export const SlotDto = z.object({
  starts_at: IsoDateTime,
  ends_at: IsoDateTime,
  available: z.number().int().describe('places left (0 when full or past)'),
  capacity: z.number().int(),
});

export const AppointmentDto = z.object({
  id: z.string(),
  service: z.string(),
  service_name: z.string(),
  site: z.string(),
  customer: z.string().nullable(),
  customer_name: z.string(),
  customer_phone: z.string(),
  starts_at: IsoDateTime,
  ends_at: IsoDateTime,
  status: AppointmentStatus,
  check_in_code: z.string().describe('6 characters, typed or scanned at the kiosk'),
  ticket: z.string().nullable(),
  created_at: IsoDateTime,
  updated_at: IsoDateTime,
});
export type AppointmentDto = z.infer<typeof AppointmentDto>;

export const SlotQuery = z.object({ service: Uuid, date: LocalDate, site: Uuid.optional() }).strict();

export const BookAppointmentBody = z.object({
  service: Uuid,
  starts_at: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time' }),
  site: Uuid.optional(),
  customer: Uuid.optional(),
  customer_name: Text(120).optional(),
  customer_phone: Phone.optional(),
}).strict().superRefine((body, ctx) => {
  if (body.customer) return;
  if (!body.customer_name) ctx.addIssue({ code: 'custom', path: ['customer_name'], message: 'give customer, or customer_name and customer_phone' });
  if (!body.customer_phone) ctx.addIssue({ code: 'custom', path: ['customer_phone'], message: 'give customer, or customer_name and customer_phone' });
});

export const RescheduleBody = z.object({
  starts_at: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time' }),
  reason: Text(500).default(''),
}).strict();

const ClockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'must be a time HH:MM');
const DayHoursDto = z.object({ open: ClockTime, close: ClockTime }).strict()
  .refine((d) => d.open < d.close, { message: 'open must be before close', path: ['close'] }).nullable();

export const OpeningHoursDto = z.object({
  site: z.string(),
  weekly: z.array(z.object({ open: z.string(), close: z.string() }).nullable()).describe('Monday..Sunday; null: closed'),
  closed_dates: z.array(z.string()),
});
export type OpeningHoursDto = z.infer<typeof OpeningHoursDto>;
export const OpeningHoursBody = z.object({
  weekly: z.array(DayHoursDto).length(7, 'must list Monday..Sunday (7 entries, null for a closed day)'),
  closed_dates: z.array(LocalDate).max(366).default([]),
}).strict();

export const EndOfDayRule = z.enum(['expire', 'carry_over']);
export const BookingRuleDto = z.object({
  service: z.string(),
  slot_minutes: z.number().int(),
  buffer_minutes: z.number().int(),
  capacity: z.number().int().nullable().describe('places per slot; null: the agents skilled for the service at the site'),
  overbooking: z.number().int().describe('extra places per slot beyond capacity'),
  grace_minutes: z.number().int().describe('a customer later than this after the slot start becomes a walk-in; an absent one a no-show'),
  remote_enabled: z.boolean(),
  remote_daily_cap: z.number().int().describe('remote joins per site and local day'),
  remote_hold_minutes: z.number().int().describe('how long a remote ticket whose turn came keeps its place'),
  end_of_day: EndOfDayRule.describe('waiting tickets at closing time: expire (closed) or carry_over (kept for the next day)'),
});
export type BookingRuleDto = z.infer<typeof BookingRuleDto>;
export const BookingRuleBody = z.object({
  slot_minutes: z.number().int().min(5).max(240),
  buffer_minutes: z.number().int().min(0).max(120),
  capacity: z.number().int().min(1).max(100).nullable(),
  overbooking: z.number().int().min(0).max(100),
  grace_minutes: z.number().int().min(0).max(240),
  remote_enabled: z.boolean(),
  remote_daily_cap: z.number().int().min(0).max(100_000),
  remote_hold_minutes: z.number().int().min(0).max(240),
  end_of_day: EndOfDayRule,
}).partial().strict();

const SiteIdParams = z.object({ slug: TenantParams.shape.slug, id: Uuid });

export const AppointmentListQuery = PageQuery.extend({
  date: LocalDate.optional().describe("the site's local date"),
  status: AppointmentStatus.optional(),
  service: Uuid.optional(),
  site: Uuid.optional(),
  customer: Uuid.optional(),
}).strict();

// Registered before the ticket routes: `tickets/:id/` would otherwise take `tickets/appointments/`.
export const appointmentRoutes = defineRoutes({
  appointmentSlots: {
    method: 'get', path: '/api/v1/tenants/:slug/tickets/appointments/slots/', tag: 'appointments', access: scope('read:ticket', 'list-services'),
    summary: "Bookable slots of a service on a day (site's opening hours, 15-minute slots, one place per skilled agent)",
    params: TenantParams, query: SlotQuery, response: z.array(SlotDto),
  },
  listAppointments: {
    method: 'get', path: '/api/v1/tenants/:slug/tickets/appointments/', tag: 'appointments', access: scope('read:ticket'),
    summary: 'Appointments by start time (filters: date, status, service, site, customer)',
    params: TenantParams, query: AppointmentListQuery, response: paginated(AppointmentDto),
  },
  bookAppointment: {
    method: 'post', path: '/api/v1/tenants/:slug/tickets/appointments/', tag: 'appointments', access: scope('write:ticket'), status: 201,
    summary: 'Book a slot for a customer; returns the check-in code',
    params: TenantParams, body: BookAppointmentBody, response: AppointmentDto,
  },
  checkInAppointment: {
    method: 'post', path: '/api/v1/tenants/:slug/tickets/appointments/check_in/', tag: 'appointments', access: scope('write:ticket', 'check-in'),
    summary: "The customer arrived: the appointment becomes a ticket in its service's queue, called at its slot time",
    params: TenantParams, body: z.object({ code: z.string().trim().min(1, 'must not be empty').max(20) }).strict(), response: TicketDto,
  },
  getAppointment: {
    method: 'get', path: '/api/v1/tenants/:slug/tickets/appointments/:id/', tag: 'appointments', access: scope('read:ticket'),
    summary: 'One appointment', params: TenantIdParams, response: AppointmentDto,
  },
  cancelAppointment: {
    method: 'post', path: '/api/v1/tenants/:slug/tickets/appointments/:id/cancel/', tag: 'appointments', access: scope('write:ticket'),
    summary: 'Cancel a scheduled appointment (its slot becomes free)',
    params: TenantIdParams, body: z.object({ reason: Text(500).default('') }).strict(), response: AppointmentDto,
  },
  rescheduleAppointment: {
    method: 'post', path: '/api/v1/tenants/:slug/tickets/appointments/:id/reschedule/', tag: 'appointments', access: scope('write:ticket'),
    summary: 'Move a scheduled appointment to another free slot of its service (same check-in code; reminders start again)',
    params: TenantIdParams, body: RescheduleBody, response: AppointmentDto,
  },
  getOpeningHours: {
    method: 'get', path: '/api/v1/tenants/:slug/sites/:id/opening-hours/', tag: 'appointments', access: scope('read:queue'),
    summary: "A site's opening hours for appointments (Monday..Sunday) and closed dates",
    params: SiteIdParams, response: OpeningHoursDto,
  },
  setOpeningHours: {
    method: 'put', path: '/api/v1/tenants/:slug/sites/:id/opening-hours/', tag: 'appointments', access: scope('manage:queue'), hqOwned: true,
    summary: "Set a site's opening hours (HH:MM, site time) and closed dates; existing appointments are kept",
    params: SiteIdParams, body: OpeningHoursBody, response: OpeningHoursDto,
  },
  getBookingRule: {
    method: 'get', path: '/api/v1/tenants/:slug/queues/services/:id/booking/', tag: 'appointments', access: scope('read:queue'),
    summary: 'How a service books (slot length, capacity, buffer, overbooking, grace), joins remotely and ends its day',
    params: TenantIdParams, response: BookingRuleDto,
  },
  setBookingRule: {
    method: 'put', path: '/api/v1/tenants/:slug/queues/services/:id/booking/', tag: 'appointments', access: scope('manage:queue'), hqOwned: true,
    summary: "Change a service's booking rule (fields left out keep their value)",
    params: TenantIdParams, body: BookingRuleBody, response: BookingRuleDto,
  },
});
