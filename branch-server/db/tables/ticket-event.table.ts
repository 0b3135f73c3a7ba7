import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

export interface TicketEventTable {
  id: string;
  tenant_id: string;
  ticket_id: string;
  type: string;
  from_status: string | null;
  to_status: string;
  actor_user_id: string | null;
  actor_device_id: string | null;
  reason: Generated<string>;
  explanation: string | null;
  data: Generated<string>;
  created_at: number;
}

export type TicketEventRow = Selectable<TicketEventTable>;
export type NewTicketEventRow = Insertable<TicketEventTable>;
export type TicketEventRowUpdate = Updateable<TicketEventTable>;
