import type { Insertable, Selectable, Updateable } from 'kysely';

export interface SyncRejectedTable {
  seq: number;
  mutation_id: string;
  entity: string;
  entity_id: string;
  payload: string;
  error: string;
  rejected_at: number;
}

export type SyncRejectedRow = Selectable<SyncRejectedTable>;
export type NewSyncRejectedRow = Insertable<SyncRejectedTable>;
export type SyncRejectedRowUpdate = Updateable<SyncRejectedTable>;
