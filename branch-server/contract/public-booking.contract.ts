import { z } from 'zod';
import { IsoDateTime, Text, Uuid } from './common.ts';
import { AppointmentStatus, SlotDto } from './appointments.contract.ts';
import { defineRoutes, PUBLIC } from './route.ts';

/**
 * The customer's side, without an account: a site's public page (book an appointment, or join a
 * queue from the phone before coming). Every route is rate-limited per client address; remote joins
 * also per phone number.
 */
const LocalDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD');
const Phone = z.string().trim().regex(/^\+?[0-9 ()-]{6,20}$/, 'must be a phone number');
const SiteParams = z.object({ site_id: Uuid });

export const PublicServiceDto = z.object({
  id: z.string(),
  name: z.string(),
  waiting: z.number().int().describe('people waiting now'),
  eta_seconds: z.number().int().nullable().describe('the wait a customer joining now can expect'),
  remote_open: z.boolean().describe('joining from the phone is possible now (enabled and the daily cap not reached)'),
  remote_full: z.boolean().describe('the daily cap of remote joins is reached: book an appointment instead'),
});

export const PublicSiteDto = z.object({
  site: z.string(),
  site_name: z.string(),
  tenant_name: z.string(),
  timezone: z.string(),
  services: z.array(PublicServiceDto),
});
export type PublicSiteDto = z.infer<typeof PublicSiteDto>;

export const PublicAppointmentDto = z.object({
  id: z.string(),
  service_name: z.string(),
  site_name: z.string(),
  starts_at: IsoDateTime,
  ends_at: IsoDateTime,
  status: AppointmentStatus,
  check_in_code: z.string().describe('typed at the kiosk, or scanned from the QR (the QR holds this code)'),
  /** The public page to book again (same site and service), for a cancellation or a no-show. */
  rebook_url: z.string(),
});
export type PublicAppointmentDto = z.infer<typeof PublicAppointmentDto>;

export const PublicJoinDto = z.object({
  public_id: z.string(),
  number: z.string(),
  queue_name: z.string(),
  status: z.string(),
  position: z.number().int().nullable(),
  eta_seconds: z.number().int().nullable(),
  check_in_code: z.string().describe('check in at the kiosk on arrival (code or QR); until then the ticket is remote'),
  tracking_url: z.string(),
  hold_minutes: z.number().int().describe('if your turn comes before you check in, your place is kept this long'),
});
export type PublicJoinDto = z.infer<typeof PublicJoinDto>;

export const PublicBookBody = z.object({
  service: Uuid,
  starts_at: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time' }),
  customer_name: Text(120).min(1, 'must not be empty'),
  customer_phone: Phone,
}).strict();

/** The customer proves it is their booking with the code and the phone number it was made with. */
export const PublicManageBody = z.object({
  code: z.string().trim().min(1, 'must not be empty').max(20),
  customer_phone: Phone,
  starts_at: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time' }).optional(),
}).strict();

export const PublicJoinBody = z.object({
  service: Uuid,
  phone: Phone,
  name: Text(120).default(''),
}).strict();

export const publicBookingRoutes = defineRoutes({
  publicSite: {
    method: 'get', path: '/api/v1/public/sites/:site_id/', tag: 'public', access: PUBLIC,
    summary: "A site's public page: its services, people waiting and the ETA of joining now",
    params: SiteParams, response: PublicSiteDto,
  },
  publicSlots: {
    method: 'get', path: '/api/v1/public/sites/:site_id/slots/', tag: 'public', access: PUBLIC,
    summary: 'Bookable slots of a service at the site on a local day',
    params: SiteParams, query: z.object({ service: Uuid, date: LocalDate }).strict(), response: z.array(SlotDto),
  },
  publicBook: {
    method: 'post', path: '/api/v1/public/sites/:site_id/appointments/', tag: 'public', access: PUBLIC, status: 201,
    summary: 'Book an appointment from the public page; the confirmation carries the check-in code (and its QR)',
    params: SiteParams, body: PublicBookBody, response: PublicAppointmentDto,
  },
  publicManageAppointment: {
    method: 'post', path: '/api/v1/public/sites/:site_id/appointments/manage/', tag: 'public', access: PUBLIC,
    summary: 'Cancel (no starts_at) or reschedule (starts_at) a booking, proven by its code and phone number',
    params: SiteParams, body: PublicManageBody, response: PublicAppointmentDto,
  },
  publicJoin: {
    method: 'post', path: '/api/v1/public/sites/:site_id/join/', tag: 'public', access: PUBLIC, status: 201,
    summary: 'Join a queue from the phone: a remote ticket with its tracking page, checked in at the kiosk on arrival',
    params: SiteParams, body: PublicJoinBody, response: PublicJoinDto,
  },
});
