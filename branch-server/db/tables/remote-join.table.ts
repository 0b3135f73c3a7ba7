import type { Insertable, Selectable, Updateable } from 'kysely';

export interface RemoteJoinTable {
  ticket_id: string;
  tenant_id: string;
  site_id: string;
  service_id: string;
  phone: string;
  check_in_code: string;
  business_date: string;
  created_at: number;
  arrived_at: number | null;
}

export type RemoteJoinRow = Selectable<RemoteJoinTable>;
export type NewRemoteJoinRow = Insertable<RemoteJoinTable>;
export type RemoteJoinRowUpdate = Updateable<RemoteJoinTable>;
