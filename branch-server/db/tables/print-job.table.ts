import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

export type PrintJobStatus = 'pending' | 'printing' | 'waiting' | 'printed' | 'failed';

export interface PrintJobTable {
  id: string;
  tenant_id: string;
  printer_id: string;
  ticket_id: string | null;
  kind: Generated<'ticket' | 'reprint' | 'test'>;
  /** UTF-8 JSON of what to print (the ticket as it was at issuance), rendered for the printer that takes it. */
  payload: Buffer | null;
  status: Generated<PrintJobStatus>;
  /** The printer that printed it: the fallback when the assigned one was out of paper. */
  printed_on_printer_id: string | null;
  /** The status read before the last attempt ('ok', 'near-end', 'paper-out', 'unknown'…). */
  printer_state: Generated<string>;
  attempts: Generated<number>;
  last_error: Generated<string>;
  created_at: number;
  updated_at: number;
  printed_at: number | null;
}

export type PrintJobRow = Selectable<PrintJobTable>;
export type NewPrintJobRow = Insertable<PrintJobTable>;
export type PrintJobRowUpdate = Updateable<PrintJobTable>;
