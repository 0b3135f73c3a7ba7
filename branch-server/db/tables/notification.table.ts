import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

export interface NotificationTable {
  id: string;
  tenant_id: string;
  ticket_id: string | null;
  customer_id: string | null;
  channel: 'sms' | 'whatsapp' | 'email' | 'push';
  template_key: Generated<string>;
  recipient: string;
  body: string;
  status: Generated<'pending' | 'sent' | 'failed' | 'delivered'>;
  provider_id: string | null;
  attempts: Generated<number>;
  last_error: Generated<string>;
  created_at: number;
  sent_at: number | null;
  updated_at: number;
}

export type NotificationRow = Selectable<NotificationTable>;
export type NewNotificationRow = Insertable<NotificationTable>;
export type NotificationRowUpdate = Updateable<NotificationTable>;
