import type { Insertable, Selectable, Updateable } from 'kysely';

export interface ServiceBookingRuleTable {
  service_id: string;
  tenant_id: string;
  slot_minutes: number;
  buffer_minutes: number;
  /** null: the agents skilled for the service at the site. */
  capacity: number | null;
  overbooking: number;
  grace_minutes: number;
  remote_enabled: 0 | 1;
  remote_daily_cap: number;
  remote_hold_minutes: number;
  end_of_day: 'expire' | 'carry_over';
  updated_at: number;
}

export type ServiceBookingRuleRow = Selectable<ServiceBookingRuleTable>;
export type NewServiceBookingRuleRow = Insertable<ServiceBookingRuleTable>;
export type ServiceBookingRuleRowUpdate = Updateable<ServiceBookingRuleTable>;
