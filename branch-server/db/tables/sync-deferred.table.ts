import type { Insertable, Selectable, Updateable } from 'kysely';

export interface SyncDeferredTable {
  id: string;
  entity: string;
  entity_id: string;
  payload: string;
  reason: string;
  created_at: number;
}

export type SyncDeferredRow = Selectable<SyncDeferredTable>;
export type NewSyncDeferredRow = Insertable<SyncDeferredTable>;
export type SyncDeferredRowUpdate = Updateable<SyncDeferredTable>;
