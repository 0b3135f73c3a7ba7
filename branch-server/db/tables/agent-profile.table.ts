import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

export interface AgentProfileTable {
  id: string;
  tenant_id: string;
  user_id: string;
  status: Generated<'available' | 'busy' | 'paused' | 'offline'>;
  status_reason: Generated<string>;
  counter_label: Generated<string>;
  rr_state: Generated<string>;
  status_changed_at: number;
  created_at: number;
  updated_at: number;
}

export type AgentProfileRow = Selectable<AgentProfileTable>;
export type NewAgentProfileRow = Insertable<AgentProfileTable>;
export type AgentProfileRowUpdate = Updateable<AgentProfileTable>;
