import type { Insertable, Selectable, Updateable } from 'kysely';

export interface DeviceTable {
  id: string;
  tenant_id: string;
  type: 'kiosk' | 'display' | 'print_agent';
  name: string;
  kiosk_id: string | null;
  display_id: string | null;
  pairing_code_hash: string | null;
  pairing_expires_at: number | null;
  key_hash: string | null;
  paired_at: number | null;
  revoked_at: number | null;
  last_seen_at: number | null;
  created_by: string | null;
  created_at: number;
  updated_at: number;
}

export type DeviceRow = Selectable<DeviceTable>;
export type NewDeviceRow = Insertable<DeviceTable>;
export type DeviceRowUpdate = Updateable<DeviceTable>;
