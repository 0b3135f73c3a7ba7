import { z } from 'zod';
import { IsoDateTime, NullableIso, PageQuery, paginated, TenantIdParams, Uuid } from './common.ts';
import { defineRoutes, scope } from './route.ts';

export const PrintJobStatus = z.enum(['pending', 'printing', 'waiting', 'printed', 'failed']);

export const PrintJobDto = z.object({
  id: z.string(),
  printer_id: z.string().describe('The printer the job was sent to'),
  printed_on_printer_id: z.string().nullable().describe('Where it printed: the fallback printer when the first was out of paper'),
  ticket_id: z.string().nullable(),
  ticket_number: z.string().nullable(),
  kind: z.enum(['ticket', 'reprint', 'test']),
  status: PrintJobStatus.describe('waiting = the printer (and its fallback) cannot print now: paper out, cover open or offline'),
  printer_state: z.string().describe('Status read before the last attempt: ok, near-end, paper-out, cover-open, offline, unknown'),
  attempts: z.number().int(),
  last_error: z.string(),
  created_at: IsoDateTime,
  updated_at: IsoDateTime,
  printed_at: NullableIso,
});
export type PrintJobDto = z.infer<typeof PrintJobDto>;

/**
 * Published (DomainEvent kind 'printer-alert') when a printer cannot print, prints on its fallback,
 * runs low on paper or recovers. Kiosks in `kiosk_ids` show the ticket and its QR on screen when the
 * condition is blocking; staff consoles show the message.
 */
export const PrinterAlertCondition = z.enum([
  'paper-out', 'cover-open', 'offline', 'paper-near-end', 'status-unknown', 'printed-on-fallback', 'print-failed', 'recovered',
]);
export const PrinterAlert = z.object({
  type: z.literal('printer_alert'),
  condition: PrinterAlertCondition,
  /** true when the ticket has not been printed (show it on screen). */
  blocking: z.boolean(),
  printer_id: z.string(),
  printer_name: z.string(),
  message: z.string(),
  print_job_id: z.string().nullable(),
  ticket_id: z.string().nullable(),
  ticket_number: z.string().nullable(),
  public_id: z.string().nullable(),
  tracking_url: z.string().nullable(),
  kiosk_ids: z.array(z.string()),
  at: IsoDateTime,
});
export type PrinterAlert = z.infer<typeof PrinterAlert>;

export const ReprintBody = z.object({
  printer_id: Uuid.optional().describe("Defaults to the printer the ticket was printed on, else the calling kiosk's printer"),
}).strict();

export const PreviewQuery = z.object({ ticket: Uuid.optional(), duplicate: z.enum(['true', 'false']).optional() }).strict();

export const PreviewDto = z.object({
  svg: z.string().describe('SVG at printer resolution (1 unit = 1 dot, 203 dpi)'),
  width_dots: z.number().int(),
  paper_width_mm: z.number().int(),
  warnings: z.array(z.string()),
});

export const printingRoutes = defineRoutes({
  printTicket: {
    method: 'post', path: '/api/v1/tenants/:slug/tickets/:id/print/', tag: 'printing', access: scope('write:ticket', 'create-ticket'), status: 201,
    summary: 'Reprint a ticket: same number, marked DUPLICATA / DUPLICATE (a kiosk may reprint only a ticket it issued in the last 10 minutes)',
    params: TenantIdParams, body: ReprintBody, response: PrintJobDto,
  },
  ticketPrintJobs: {
    method: 'get', path: '/api/v1/tenants/:slug/tickets/:id/print/', tag: 'printing', access: scope('read:ticket', 'create-ticket'),
    summary: "A ticket's print jobs, newest first: a kiosk polls this after issuing to know whether to show the ticket on screen",
    params: TenantIdParams, response: z.array(PrintJobDto),
  },
  testPrinter: {
    method: 'post', path: '/api/v1/tenants/:slug/printers/:id/test/', tag: 'printing', access: scope('manage:queue'), status: 201,
    summary: 'Print a test page (accents, euro sign, QR code, cut)', params: TenantIdParams, response: PrintJobDto,
  },
  printerJobs: {
    method: 'get', path: '/api/v1/tenants/:slug/printers/:id/jobs/', tag: 'printing', access: scope('manage:queue'),
    summary: "A printer's job history, newest first (jobs sent to it, and jobs it printed as a fallback)",
    params: TenantIdParams, query: PageQuery.extend({ status: PrintJobStatus.optional() }).strict(), response: paginated(PrintJobDto),
  },
  printerPreview: {
    method: 'get', path: '/api/v1/tenants/:slug/printers/:id/preview/', tag: 'printing', access: scope('manage:queue'),
    summary: 'The ticket as this printer would print it, as SVG (a sample ticket unless ?ticket= names one)',
    params: TenantIdParams, query: PreviewQuery, response: PreviewDto,
  },
});
