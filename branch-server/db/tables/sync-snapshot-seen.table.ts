import type { Insertable, Selectable, Updateable } from 'kysely';

export interface SyncSnapshotSeenTable {
  entity: string;
  id: string;
}

export type SyncSnapshotSeenRow = Selectable<SyncSnapshotSeenTable>;
export type NewSyncSnapshotSeenRow = Insertable<SyncSnapshotSeenTable>;
export type SyncSnapshotSeenRowUpdate = Updateable<SyncSnapshotSeenTable>;
