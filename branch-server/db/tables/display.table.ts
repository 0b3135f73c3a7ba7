import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

export interface DisplayTable {
  id: string;
  tenant_id: string;
  site_id: string | null;
  name: string;
  type: 'main' | 'counter' | 'waiting_room';
  queue_ids: Generated<string>;
  languages: Generated<string>;
  layout: Generated<string>;
  theme: Generated<string>;
  last_seen_at: number | null;
  created_at: number;
  updated_at: number;
}

export type DisplayRow = Selectable<DisplayTable>;
export type NewDisplayRow = Insertable<DisplayTable>;
export type DisplayRowUpdate = Updateable<DisplayTable>;
