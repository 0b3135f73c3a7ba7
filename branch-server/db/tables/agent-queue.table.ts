import type { Insertable, Selectable, Updateable } from 'kysely';

export interface AgentQueueTable {
  tenant_id: string;
  user_id: string;
  queue_id: string;
}

export type AgentQueueRow = Selectable<AgentQueueTable>;
export type NewAgentQueueRow = Insertable<AgentQueueTable>;
export type AgentQueueRowUpdate = Updateable<AgentQueueTable>;
