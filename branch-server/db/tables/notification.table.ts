import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

export type NotificationChannel = 'sms' | 'whatsapp' | 'email' | 'push';
export type NotificationStatus = 'pending' | 'sent' | 'failed' | 'delivered' | 'dropped';

export interface NotificationTable {
  id: string;
  tenant_id: string;
  ticket_id: string | null;
  customer_id: string | null;
  appointment_id: string | null;
  channel: NotificationChannel;
  template_key: Generated<string>;
  recipient: string;
  subject: Generated<string>;
  body: string;
  status: Generated<NotificationStatus>;
  /** twilio | smtp | sendgrid | fcm | gsm_modem: who took the message ('' until sent). */
  provider: Generated<string>;
  provider_id: string | null;
  attempts: Generated<number>;
  last_error: Generated<string>;
  /** One message per (tenant, key): `ticket_called:<ticket>:<recall>` and the like. */
  dedupe_key: string | null;
  created_at: number;
  sent_at: number | null;
  delivered_at: number | null;
  updated_at: number;
}

export type NotificationRow = Selectable<NotificationTable>;
export type NewNotificationRow = Insertable<NotificationTable>;
export type NotificationRowUpdate = Updateable<NotificationTable>;
