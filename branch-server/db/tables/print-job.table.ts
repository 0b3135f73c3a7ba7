import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

export interface PrintJobTable {
  id: string;
  tenant_id: string;
  printer_id: string;
  ticket_id: string | null;
  payload: Buffer | null;
  status: Generated<'pending' | 'printing' | 'printed' | 'failed'>;
  attempts: Generated<number>;
  last_error: Generated<string>;
  created_at: number;
  updated_at: number;
}

export type PrintJobRow = Selectable<PrintJobTable>;
export type NewPrintJobRow = Insertable<PrintJobTable>;
export type PrintJobRowUpdate = Updateable<PrintJobTable>;
