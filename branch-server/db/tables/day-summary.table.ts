import type { Insertable, Selectable, Updateable } from 'kysely';

export interface DaySummaryTable {
  id: string;
  tenant_id: string;
  site_id: string;
  business_date: string;
  tickets_issued: number;
  tickets_served: number;
  tickets_no_show: number;
  tickets_expired: number;
  tickets_carried_over: number;
  remote_joined: number;
  remote_no_show: number;
  appointments_booked: number;
  appointments_checked_in: number;
  appointments_no_show: number;
  appointments_cancelled: number;
  avg_wait_seconds: number | null;
  max_wait_seconds: number | null;
  sealed_at: number;
}

export type DaySummaryRow = Selectable<DaySummaryTable>;
export type NewDaySummaryRow = Insertable<DaySummaryTable>;
export type DaySummaryRowUpdate = Updateable<DaySummaryTable>;
