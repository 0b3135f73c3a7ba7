import type { Insertable, Selectable, Updateable } from 'kysely';

export interface SyncStateTable {
  key: string;
  value: string;
}

export type SyncStateRow = Selectable<SyncStateTable>;
export type NewSyncStateRow = Insertable<SyncStateTable>;
export type SyncStateRowUpdate = Updateable<SyncStateTable>;
