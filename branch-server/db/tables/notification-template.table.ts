import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

export interface NotificationTemplateTable {
  id: string;
  tenant_id: string;
  key: string;
  channel: 'sms' | 'whatsapp' | 'email' | 'push';
  language: Generated<string>;
  subject: Generated<string>;
  body: string;
  is_active: Generated<0 | 1>;
  created_at: number;
  updated_at: number;
}

export type NotificationTemplateRow = Selectable<NotificationTemplateTable>;
export type NewNotificationTemplateRow = Insertable<NotificationTemplateTable>;
export type NotificationTemplateRowUpdate = Updateable<NotificationTemplateTable>;
