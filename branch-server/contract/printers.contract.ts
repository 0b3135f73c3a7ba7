import { z } from 'zod';
import { IsoDateTime, NoContent, NullableIso, PageQuery, paginated, TenantIdParams, TenantParams, Uuid } from './common.ts';
import { ConfigObject, Name } from './displays.contract.ts';
import { defineRoutes, scope } from './route.ts';

export const PrinterTransport = z.enum(['network', 'serial', 'usb']);

const Host = z.string().trim().min(1).max(253)
  .regex(/^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$|^[0-9A-Fa-f:.]+$/, 'must be a host name or an IP address');
/** A device path (/dev/ttyUSB0, /dev/usb/lp0) or a Windows port (COM3). */
export const DevicePath = z.string().trim().max(200).regex(/^(?:\/dev\/[A-Za-z0-9._/-]+|COM[0-9]{1,3})$/, 'must be a device path like /dev/ttyUSB0 or COM3');
/** USB ids arrive as numbers or hex strings ("0x04b8", "04b8"). */
const UsbId = z.union([
  z.number().int(),
  z.string().trim().regex(/^(?:0x)?[0-9A-Fa-f]{1,4}$/, 'must be a 16-bit hex id like 0x04b8').transform((s) => Number.parseInt(s.replace(/^0x/i, ''), 16)),
]).pipe(z.number().int().min(0, 'must be between 0 and 0xFFFF').max(0xffff, 'must be between 0 and 0xFFFF'));

export const PrinterDto = z.object({
  id: z.string(),
  name: z.string(),
  site: z.string().nullable(),
  transport: PrinterTransport,
  host: z.string().nullable(),
  port: z.number().int().nullable(),
  path: z.string().nullable(),
  baud_rate: z.number().int().nullable(),
  vendor_id: z.number().int().nullable(),
  product_id: z.number().int().nullable(),
  profile: z.record(z.string(), z.unknown()),
  fallback_printer_id: z.string().nullable(),
  agent_device_id: z.string().nullable().describe('The print agent that drives this printer from its PC (its address is as seen from there); null: the branch server does'),
  status: z.string().describe('Last state read before a job: ok, near-end, paper-out, cover-open, offline, unknown'),
  online: z.boolean().nullable().describe('null until the printer has been reached or when it does not answer status requests'),
  paper: z.enum(['ok', 'near-end', 'out', 'unknown']),
  last_error: z.string(),
  last_seen_at: NullableIso,
  last_checked_at: NullableIso,
  created_at: IsoDateTime,
  updated_at: IsoDateTime,
});
export type PrinterDto = z.infer<typeof PrinterDto>;

const printerFields = {
  name: Name,
  transport: PrinterTransport,
  host: Host.nullable().optional(),
  port: z.number().int().min(1).max(65535).nullable().optional(),
  path: DevicePath.nullable().optional(),
  baud_rate: z.number().int().min(300).max(921_600).nullable().optional(),
  vendor_id: UsbId.nullable().optional(),
  product_id: UsbId.nullable().optional(),
  profile: ConfigObject.optional(),
  fallback_printer_id: Uuid.nullable().optional(),
  agent_device_id: Uuid.nullable().optional(),
  site: Uuid.nullable().optional(),
};
/** Which fields a transport needs is checked by the use-case (a PATCH merges with what is stored). */
export const CreatePrinterBody = z.object(printerFields).strict();
export const UpdatePrinterBody = z.object(printerFields).partial().strict();

export const printerRoutes = defineRoutes({
  listPrinters: {
    method: 'get', path: '/api/v1/tenants/:slug/printers/', tag: 'printers', access: scope('manage:queue'),
    summary: 'Ticket printers and their health (managers watch it; changing them is for administrators)', params: TenantParams,
    query: PageQuery.extend({ site: Uuid.optional(), transport: PrinterTransport.optional() }).strict(), response: paginated(PrinterDto),
  },
  createPrinter: {
    method: 'post', path: '/api/v1/tenants/:slug/printers/', tag: 'printers', access: scope('manage:settings'), status: 201,
    summary: 'Add a printer: network (host, port 9100), serial (path, baud rate 9600) or USB (vendor/product id or /dev/usb/lp0)',
    params: TenantParams, body: CreatePrinterBody, response: PrinterDto,
  },
  getPrinter: {
    method: 'get', path: '/api/v1/tenants/:slug/printers/:id/', tag: 'printers', access: scope('manage:queue'),
    summary: 'One printer', params: TenantIdParams, response: PrinterDto,
  },
  updatePrinter: {
    method: 'patch', path: '/api/v1/tenants/:slug/printers/:id/', tag: 'printers', access: scope('manage:settings'),
    summary: 'Change a printer (fields the new transport does not use are cleared)',
    params: TenantIdParams, body: UpdatePrinterBody, response: PrinterDto,
  },
  deletePrinter: {
    method: 'delete', path: '/api/v1/tenants/:slug/printers/:id/', tag: 'printers', access: scope('manage:settings'), status: 204,
    summary: 'Remove a printer no kiosk or other printer relies on', params: TenantIdParams, response: NoContent,
  },
});
