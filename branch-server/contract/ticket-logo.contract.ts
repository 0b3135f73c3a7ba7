import { z } from 'zod';
import { IsoDateTime, NoContent, TenantParams } from './common.ts';
import { defineRoutes, scope } from './route.ts';

/** The widest logo that fits a 58 mm roll (384 dots): one logo serves every printer of the tenant. */
export const LOGO_MAX_WIDTH = 384;
export const LOGO_MAX_HEIGHT = 200;

export const TicketLogoDto = z.object({
  width: z.number().int().describe('dots (203 dpi)'),
  height: z.number().int(),
  svg: z.string().describe('The logo exactly as printed, 1 unit = 1 dot'),
  updated_at: IsoDateTime,
});
export type TicketLogoDto = z.infer<typeof TicketLogoDto>;

export const UploadTicketLogoBody = z.object({
  image: z.string().min(1, 'must not be empty')
    .describe('A PNG, base64 (a data:image/png;base64,… URL works too); the request body is limited to 100 KiB'),
  max_width: z.number().int().min(16).max(LOGO_MAX_WIDTH).optional().describe(`dots, default ${LOGO_MAX_WIDTH} (58 mm paper)`),
  max_height: z.number().int().min(8).max(LOGO_MAX_HEIGHT).optional().describe(`dots, default 120`),
  mode: z.enum(['threshold', 'dither']).optional().describe('threshold (default) for flat logos, dither for photos and gradients'),
  threshold: z.number().int().min(1).max(254).optional().describe('grey levels below this print black (threshold mode), default 128'),
}).strict();

export const ticketLogoRoutes = defineRoutes({
  getTicketLogo: {
    method: 'get', path: '/api/v1/tenants/:slug/ticket-logo/', tag: 'printing', access: scope('manage:settings'),
    summary: 'The logo printed at the head of tickets (404 when there is none)', params: TenantParams, response: TicketLogoDto,
  },
  uploadTicketLogo: {
    method: 'put', path: '/api/v1/tenants/:slug/ticket-logo/', tag: 'printing', access: scope('manage:settings'),
    summary: 'Upload the ticket logo (PNG): margins trimmed, scaled to fit, converted to 1 bit as printed. A printer profile\'s own logo still wins',
    params: TenantParams, body: UploadTicketLogoBody, response: TicketLogoDto,
  },
  deleteTicketLogo: {
    method: 'delete', path: '/api/v1/tenants/:slug/ticket-logo/', tag: 'printing', access: scope('manage:settings'), status: 204,
    summary: 'Print tickets without a logo', params: TenantParams, response: NoContent,
  },
});
