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
  created_at: number;
  updated_at: number;
}

export type PrinterRow = Selectable<PrinterTable>;
export type NewPrinterRow = Insertable<PrinterTable>;
export type PrinterRowUpdate = Updateable<PrinterTable>;
