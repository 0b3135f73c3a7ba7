import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

export interface TicketTable {
  id: string;
  tenant_id: string;
  site_id: string;
  queue_id: string;
  public_id: string;
  number: string;
  seq: number;
  business_date: string;
  customer_id: string | null;
  customer_name: Generated<string>;
  customer_phone: Generated<string>;
  channel: 'web' | 'app' | 'qr' | 'whatsapp' | 'kiosk';
  priority: Generated<number>;
  status: Generated<'en_attente' | 'appele' | 'en_service' | 'pause' | 'transfere' | 'clos' | 'no_show'>;
  eta_seconds: number | null;
  eta_p90_seconds: number | null;
  agent_id: string | null;
  counter_label: Generated<string>;
  recall_count: Generated<number>;
  transferred_from: string | null;
  appointment_id: string | null;
  appointment_at: number | null;
  /** 1 while a ticket joined from a phone has not checked in at the kiosk. */
  remote: Generated<0 | 1>;
  /** When a remote ticket's turn came while it was away. */
  held_at: Generated<number | null>;
  created_at: number;
  called_at: number | null;
  started_at: number | null;
  ended_at: number | null;
  updated_at: number;
}

export type TicketRow = Selectable<TicketTable>;
export type NewTicketRow = Insertable<TicketTable>;
export type TicketRowUpdate = Updateable<TicketTable>;
