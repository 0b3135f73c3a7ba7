import type { Insertable, Selectable, Updateable } from 'kysely';

/** A site's quiet hours, local time in minutes after midnight; start > end spans midnight. */
export interface NotificationQuietHoursTable {
  site_id: string;
  tenant_id: string;
  start_minute: number;
  end_minute: number;
  updated_at: number;
}

export type NotificationQuietHoursRow = Selectable<NotificationQuietHoursTable>;
export type NewNotificationQuietHoursRow = Insertable<NotificationQuietHoursTable>;
export type NotificationQuietHoursRowUpdate = Updateable<NotificationQuietHoursTable>;
