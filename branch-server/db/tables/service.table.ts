import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

export interface ServiceTable {
  id: string;
  tenant_id: string;
  name: string;
  code: Generated<string>;
  description: Generated<string>;
  sla_seconds: Generated<number>;
  priority_rules: Generated<string>;
  default_service_seconds: Generated<number>;
  is_active: Generated<0 | 1>;
  created_at: number;
  updated_at: number;
}

export type ServiceRow = Selectable<ServiceTable>;
export type NewServiceRow = Insertable<ServiceTable>;
export type ServiceRowUpdate = Updateable<ServiceTable>;
