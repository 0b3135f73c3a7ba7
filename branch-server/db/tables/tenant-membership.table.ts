import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

export interface TenantMembershipTable {
  id: string;
  tenant_id: string;
  user_id: string;
  role: 'admin' | 'manager' | 'agent';
  is_active: Generated<0 | 1>;
  created_at: number;
  updated_at: number;
}

export type TenantMembershipRow = Selectable<TenantMembershipTable>;
export type NewTenantMembershipRow = Insertable<TenantMembershipTable>;
export type TenantMembershipRowUpdate = Updateable<TenantMembershipTable>;
