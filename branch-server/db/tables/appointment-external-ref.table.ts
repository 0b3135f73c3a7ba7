import type { Insertable, Selectable } from 'kysely';

/** An external scheduler's appointment id, mapped to ours (idempotent incoming bookings). */
export interface AppointmentExternalRefTable {
  tenant_id: string;
  external_id: string;
  appointment_id: string;
  created_at: number;
}

export type AppointmentExternalRefRow = Selectable<AppointmentExternalRefTable>;
export type NewAppointmentExternalRefRow = Insertable<AppointmentExternalRefTable>;
