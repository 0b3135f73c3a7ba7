import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

export interface PrinterTable {
  id: string;
  tenant_id: string;
  site_id: string | null;
  name: string;
  transport: 'network' | 'serial' | 'usb';
  host: string | null;
  port: number | null;
  path: string | null;
  baud_rate: number | null;
  vendor_id: number | null;
  product_id: number | null;
  profile: Generated<string>;
  fallback_printer_id: string | null;
  status: Generated<string>;
  /** Health as last read (DLE EOT): null = never read or no answer. */
  online: 0 | 1 | null;
  paper: Generated<'ok' | 'near-end' | 'out' | 'unknown'>;
  last_error: Generated<string>;
  /** Last time the printer answered (status or a completed write). */
  last_seen_at: number | null;
  last_checked_at: number | null;
  /** The print agent (a `print_agent` device) that drives this printer from its PC; null = the branch server does. */
  agent_device_id: string | null;
  created_at: number;
  updated_at: number;
}

export type PrinterRow = Selectable<PrinterTable>;
export type NewPrinterRow = Insertable<PrinterTable>;
export type PrinterRowUpdate = Updateable<PrinterTable>;
