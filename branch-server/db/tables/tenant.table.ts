import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

export interface TenantTable {
  id: string;
  name: string;
  slug: string;
  plan: Generated<string>;
  locale: Generated<string>;
  timezone: Generated<string>;
  data_retention_days: Generated<number>;
  is_active: Generated<0 | 1>;
  created_at: number;
  updated_at: number;
}

export type TenantRow = Selectable<TenantTable>;
export type NewTenantRow = Insertable<TenantTable>;
export type TenantRowUpdate = Updateable<TenantTable>;
