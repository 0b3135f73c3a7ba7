import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

export interface AuthSessionTable {
  id: string;
  user_id: string;
  refresh_hash: string;
  previous_refresh_hash: string | null;
  created_at: number;
  refreshed_at: number;
  expires_at: number;
  revoked_at: number | null;
  ip: Generated<string>;
  user_agent: Generated<string>;
}

export type AuthSessionRow = Selectable<AuthSessionTable>;
export type NewAuthSessionRow = Insertable<AuthSessionTable>;
export type AuthSessionRowUpdate = Updateable<AuthSessionTable>;
