import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

export interface AppointmentTable {
  id: string;
  tenant_id: string;
  site_id: string;
  service_id: string;
  customer_id: string | null;
  customer_name: Generated<string>;
  customer_phone: Generated<string>;
  starts_at: number;
  ends_at: number;
  status: Generated<'scheduled' | 'checked_in' | 'cancelled' | 'completed' | 'no_show'>;
  check_in_code: string;
  ticket_id: string | null;
  /** When the reminder was handed to the notification system; null: not yet. */
  reminder_h24_at: Generated<number | null>;
  reminder_h1_at: Generated<number | null>;
  created_at: number;
  updated_at: number;
}

export type AppointmentRow = Selectable<AppointmentTable>;
export type NewAppointmentRow = Insertable<AppointmentTable>;
export type AppointmentRowUpdate = Updateable<AppointmentTable>;
