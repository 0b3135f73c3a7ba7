import type { Insertable, Selectable, Updateable } from 'kysely';

/** A tenant's ticket header logo, stored as printed (1-bit, GS v 0 rows). */
export interface TicketLogoTable {
  tenant_id: string;
  width: number;
  height: number;
  bits: Buffer;
  /** Of the uploaded file: the console can tell whether the same image was sent again. */
  source_sha256: string;
  updated_by: string | null;
  updated_at: number;
}

export type TicketLogoRow = Selectable<TicketLogoTable>;
export type NewTicketLogoRow = Insertable<TicketLogoTable>;
export type TicketLogoRowUpdate = Updateable<TicketLogoTable>;
