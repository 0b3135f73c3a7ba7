import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

export interface SyncOutboxTable {
  seq: Generated<number>;
  mutation_id: string;
  tenant_id: string;
  entity: string;
  entity_id: string;
  op: 'insert' | 'update' | 'delete';
  payload: string;
  created_at: number;
}

export type SyncOutboxRow = Selectable<SyncOutboxTable>;
export type NewSyncOutboxRow = Insertable<SyncOutboxTable>;
export type SyncOutboxRowUpdate = Updateable<SyncOutboxTable>;
