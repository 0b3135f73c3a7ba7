import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

export interface NotificationSettingsTable {
  tenant_id: string;
  max_per_ticket: Generated<number>;
  ahead_position: Generated<number>;
  stale_after_seconds: Generated<number>;
  updated_at: number;
}

export type NotificationSettingsRow = Selectable<NotificationSettingsTable>;
export type NewNotificationSettingsRow = Insertable<NotificationSettingsTable>;
export type NotificationSettingsRowUpdate = Updateable<NotificationSettingsTable>;
