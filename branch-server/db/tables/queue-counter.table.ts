import type { Insertable, Selectable, Updateable } from 'kysely';

export interface QueueCounterTable {
  queue_id: string;
  business_date: string;
  last_seq: number;
}

export type QueueCounterRow = Selectable<QueueCounterTable>;
export type NewQueueCounterRow = Insertable<QueueCounterTable>;
export type QueueCounterRowUpdate = Updateable<QueueCounterTable>;
