import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

export interface KioskTable {
  id: string;
  tenant_id: string;
  site_id: string | null;
  name: string;
  queue_ids: Generated<string>;
  languages: Generated<string>;
  printer_id: string | null;
  last_seen_at: number | null;
  created_at: number;
  updated_at: number;
}

export type KioskRow = Selectable<KioskTable>;
export type NewKioskRow = Insertable<KioskTable>;
export type KioskRowUpdate = Updateable<KioskTable>;
