import type { Insertable, Selectable, Updateable } from 'kysely';

export interface SiteOpeningHoursTable {
  site_id: string;
  tenant_id: string;
  /** JSON: seven entries Monday..Sunday, `{open, close}` minutes of the local day, or null. */
  weekly: string;
  /** JSON: local dates YYYY-MM-DD the site is closed. */
  closed_dates: string;
  updated_at: number;
}

export type SiteOpeningHoursRow = Selectable<SiteOpeningHoursTable>;
export type NewSiteOpeningHoursRow = Insertable<SiteOpeningHoursTable>;
export type SiteOpeningHoursRowUpdate = Updateable<SiteOpeningHoursTable>;
