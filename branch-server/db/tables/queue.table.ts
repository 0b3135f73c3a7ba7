import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

export interface QueueTable {
  id: string;
  tenant_id: string;
  site_id: string;
  service_id: string;
  name: string;
  prefix: string;
  algorithm: Generated<'fifo' | 'priority' | 'sla'>;
  status: Generated<'open' | 'paused' | 'closed'>;
  weight: Generated<number>;
  max_capacity: Generated<number>;
  ewma_service_seconds: number | null;
  service_samples: Generated<string>;
  created_at: number;
  updated_at: number;
}

export type QueueRow = Selectable<QueueTable>;
export type NewQueueRow = Insertable<QueueTable>;
export type QueueRowUpdate = Updateable<QueueTable>;
