import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

export interface SiteTable {
  id: string;
  tenant_id: string;
  name: string;
  slug: string;
  address: Generated<string>;
  city: Generated<string>;
  country: Generated<string>;
  latitude: number | null;
  longitude: number | null;
  timezone: string;
  phone: Generated<string>;
  is_active: Generated<0 | 1>;
  created_at: number;
  updated_at: number;
}

export type SiteRow = Selectable<SiteTable>;
export type NewSiteRow = Insertable<SiteTable>;
export type SiteRowUpdate = Updateable<SiteTable>;
