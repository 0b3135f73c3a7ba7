import { z } from 'zod';
import { IsoDateTime, NoContent, NullableIso, Slug, TenantIdParams, Uuid } from './common.ts';
import { Name } from './displays.contract.ts';
import { DevicePath } from './printers.contract.ts';
import { defineRoutes, scope } from './route.ts';

export const DeviceInputKind = z.enum(['scanner', 'button']);
export const DeviceInputSource = z.enum(['serial', 'hid']);

export const DeviceInputDto = z.object({
  id: z.string(),
  device_id: z.string().describe('The print agent whose PC the scanner or button is plugged into'),
  name: z.string(),
  kind: DeviceInputKind.describe('scanner: checks in appointments and opens tickets at the desk; button: calls the next customer'),
  source: DeviceInputSource.describe('serial: lines on a serial port (CR or LF ends a scan); hid: a USB keyboard-mode device read as raw HID reports'),
  path: z.string(),
  baud_rate: z.number().int().nullable(),
  agent_id: z.string().nullable().describe('The agent (user id) whose desk a scan opens, and for whom a button calls next'),
  state: z.enum(['unknown', 'ok', 'error']).describe('As last reported by the print agent'),
  last_error: z.string(),
  last_event_at: NullableIso,
  created_at: IsoDateTime,
  updated_at: IsoDateTime,
});
export type DeviceInputDto = z.infer<typeof DeviceInputDto>;

const fields = {
  name: Name,
  kind: DeviceInputKind,
  source: DeviceInputSource,
  path: DevicePath,
  baud_rate: z.number().int().min(300).max(921_600).nullable().optional(),
  agent_id: Uuid.nullable().optional(),
};
export const CreateDeviceInputBody = z.object(fields).strict();
export const UpdateDeviceInputBody = z.object(fields).partial().strict();

const InputParams = z.object({ slug: Slug, id: Uuid, input_id: Uuid });

export const deviceInputRoutes = defineRoutes({
  listDeviceInputs: {
    method: 'get', path: '/api/v1/tenants/:slug/devices/:id/inputs/', tag: 'devices', access: scope('manage:settings'),
    summary: "A print agent's scanners and call buttons", params: TenantIdParams, response: z.array(DeviceInputDto),
  },
  createDeviceInput: {
    method: 'post', path: '/api/v1/tenants/:slug/devices/:id/inputs/', tag: 'devices', access: scope('manage:settings'), status: 201,
    summary: 'Plug a scanner or call button into a print agent: serial (path, baud rate 9600) or HID (/dev/hidrawN); a button needs agent_id',
    params: TenantIdParams, body: CreateDeviceInputBody, response: DeviceInputDto,
  },
  updateDeviceInput: {
    method: 'patch', path: '/api/v1/tenants/:slug/devices/:id/inputs/:input_id/', tag: 'devices', access: scope('manage:settings'),
    summary: 'Change a scanner or call button', params: InputParams, body: UpdateDeviceInputBody, response: DeviceInputDto,
  },
  deleteDeviceInput: {
    method: 'delete', path: '/api/v1/tenants/:slug/devices/:id/inputs/:input_id/', tag: 'devices', access: scope('manage:settings'), status: 204,
    summary: 'Remove a scanner or call button', params: InputParams, response: NoContent,
  },
});
