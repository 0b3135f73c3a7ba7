import { z } from 'zod';
import { IsoDateTime, TenantIdParams } from './common.ts';
import { CustomerDto } from './customers.contract.ts';
import { defineRoutes, scope } from './route.ts';

export const ConsentPurpose = z.enum(['sms', 'email', 'whatsapp', 'push', 'marketing', 'feedback']);
export const ConsentChannel = z.enum(['kiosk', 'web', 'app', 'qr', 'whatsapp', 'counter', 'phone', 'paper', 'hq']);

export const ConsentDto = z.object({
  id: z.string(),
  purpose: ConsentPurpose,
  granted: z.boolean(),
  channel: ConsentChannel.describe('where the customer gave (or withdrew) it'),
  recorded_at: IsoDateTime,
  recorded_by: z.string().nullable().describe('the staff member or device that recorded it'),
});
export type ConsentDto = z.infer<typeof ConsentDto>;

export const RecordConsentBody = z.object({ purpose: ConsentPurpose, granted: z.boolean(), channel: ConsentChannel }).strict();

const Row = z.record(z.string(), z.unknown());
export const CustomerExportDto = z.object({
  exported_at: IsoDateTime,
  customer: CustomerDto,
  consents: z.array(ConsentDto).describe('every consent given or withdrawn, oldest first'),
  tickets: z.array(Row),
  appointments: z.array(Row),
  feedback: z.array(Row),
  notifications: z.array(Row),
});
export type CustomerExportDto = z.infer<typeof CustomerExportDto>;

/** The customer's data rights (GDPR): consents with date and channel, export. Erasure is `DELETE customers/{id}/`. */
export const customerDataRoutes = defineRoutes({
  listConsents: {
    method: 'get', path: '/api/v1/tenants/:slug/customers/:id/consents/', tag: 'customers', access: scope('read:customer'),
    summary: "The customer's consents as recorded, oldest first (purpose, given or withdrawn, when, through which channel)",
    params: TenantIdParams, response: z.array(ConsentDto),
  },
  recordConsent: {
    method: 'post', path: '/api/v1/tenants/:slug/customers/:id/consents/', tag: 'customers', access: scope('write:customer'), status: 201,
    summary: 'Records a consent given or withdrawn, with its channel; sms/email/whatsapp also switch the matching notify_* flag',
    params: TenantIdParams, body: RecordConsentBody, response: ConsentDto,
  },
  exportCustomer: {
    method: 'get', path: '/api/v1/tenants/:slug/customers/:id/export/', tag: 'customers', access: scope('write:customer'),
    summary: "Everything this branch holds about the customer, as JSON (right of access): the record, consents, tickets, appointments, feedback, notifications",
    params: TenantIdParams, response: CustomerExportDto,
  },
});
