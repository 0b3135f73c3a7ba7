import type { Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { NotificationChannel } from './notification.table.ts';

export type ProviderKind = 'twilio' | 'smtp' | 'sendgrid' | 'fcm' | 'gsm_modem';

export interface NotificationProviderTable {
  id: string;
  tenant_id: string;
  channel: NotificationChannel;
  provider: ProviderKind;
  /** JSON of what may be shown (sender, host, port, serial path…). */
  settings: Generated<string>;
  /** AES-256-GCM ciphertext of the secret fields (notifications/secret-box.ts); never leaves the server. */
  secrets: Buffer | null;
  base_url: string | null;
  is_active: Generated<0 | 1>;
  created_at: number;
  updated_at: number;
}

export type NotificationProviderRow = Selectable<NotificationProviderTable>;
export type NewNotificationProviderRow = Insertable<NotificationProviderTable>;
export type NotificationProviderRowUpdate = Updateable<NotificationProviderTable>;
