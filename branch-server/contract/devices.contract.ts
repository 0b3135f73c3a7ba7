import { z } from 'zod';
import { IsoDateTime, NoContent, NullableIso, PageQuery, paginated, TenantIdParams, TenantParams, Uuid } from './common.ts';
import { Name } from './displays.contract.ts';
import { defineRoutes, PUBLIC, scope } from './route.ts';

export const DeviceType = z.enum(['kiosk', 'display', 'print_agent']);
export const DeviceStatus = z.enum(['pending', 'paired', 'revoked']);

export const DeviceDto = z.object({
  id: z.string(),
  type: DeviceType,
  name: z.string(),
  kiosk_id: z.string().nullable(),
  display_id: z.string().nullable(),
  status: DeviceStatus.describe('pending: waiting for its pairing code; paired: holds a key; revoked: its key no longer works'),
  pairing_expires_at: NullableIso,
  paired_at: NullableIso,
  revoked_at: NullableIso,
  last_seen_at: NullableIso,
  created_at: IsoDateTime,
  updated_at: IsoDateTime,
});
export type DeviceDto = z.infer<typeof DeviceDto>;

export const PairingCodeDto = z.object({
  id: z.string(),
  pairing_code: z.string().describe('8 characters shown as ABCD-EFGH; single use'),
  expires_at: IsoDateTime,
});

export const CreateDeviceBody = z.object({
  type: DeviceType,
  name: Name,
  kiosk_id: Uuid.nullable().optional(),
  display_id: Uuid.nullable().optional(),
}).strict().superRefine((body, ctx) => {
  if (body.type === 'kiosk' && !body.kiosk_id) ctx.addIssue({ code: 'custom', path: ['kiosk_id'], message: 'a kiosk device needs kiosk_id' });
  if (body.type === 'display' && !body.display_id) ctx.addIssue({ code: 'custom', path: ['display_id'], message: 'a display device needs display_id' });
  if (body.type !== 'display' && body.display_id) ctx.addIssue({ code: 'custom', path: ['display_id'], message: `a ${body.type} device has no display_id` });
  if (body.type === 'display' && body.kiosk_id) ctx.addIssue({ code: 'custom', path: ['kiosk_id'], message: 'a display device has no kiosk_id' });
});

export const PairBody = z.object({ pairing_code: z.string().trim().min(1, 'must not be empty').max(32) }).strict();

export const PairedDto = z.object({
  device_id: z.string(),
  device_key: z.string().describe('send as "Authorization: Device <device_key>"; shown once'),
  type: DeviceType,
  tenant_slug: z.string(),
  kiosk_id: z.string().nullable(),
  display_id: z.string().nullable(),
});

export const deviceRoutes = defineRoutes({
  listDevices: {
    method: 'get', path: '/api/v1/tenants/:slug/devices/', tag: 'devices', access: scope('manage:settings'),
    summary: 'Paired and pending devices (kiosks, displays, print agents)', params: TenantParams,
    query: PageQuery.extend({ type: DeviceType.optional(), status: DeviceStatus.optional() }).strict(), response: paginated(DeviceDto),
  },
  createDevice: {
    method: 'post', path: '/api/v1/tenants/:slug/devices/', tag: 'devices', access: scope('manage:settings'), status: 201,
    summary: 'Register a physical device bound to a kiosk or display; returns its one-time pairing code',
    params: TenantParams, body: CreateDeviceBody, response: PairingCodeDto,
  },
  getDevice: {
    method: 'get', path: '/api/v1/tenants/:slug/devices/:id/', tag: 'devices', access: scope('manage:settings'),
    summary: 'One device', params: TenantIdParams, response: DeviceDto,
  },
  revokeDevice: {
    method: 'delete', path: '/api/v1/tenants/:slug/devices/:id/', tag: 'devices', access: scope('manage:settings'), status: 204,
    summary: 'Revoke a device: its key stops working at once', params: TenantIdParams, response: NoContent,
  },
  regeneratePairingCode: {
    method: 'post', path: '/api/v1/tenants/:slug/devices/:id/regenerate-code/', tag: 'devices', access: scope('manage:settings'),
    summary: 'Re-pair a device: a new pairing code, and its current key stops working',
    params: TenantIdParams, response: PairingCodeDto,
  },
  pairDevice: {
    method: 'post', path: '/api/v1/devices/pair/', tag: 'devices', access: PUBLIC,
    summary: 'Exchange a pairing code (with or without its dash) for a long-lived device key; single use',
    body: PairBody, response: PairedDto,
  },
});
