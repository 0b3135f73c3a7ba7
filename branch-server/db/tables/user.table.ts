import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

export interface UserTable {
  id: string;
  email: string;
  password_hash: string;
  first_name: Generated<string>;
  last_name: Generated<string>;
  phone: Generated<string>;
  is_active: Generated<0 | 1>;
  last_login_at: number | null;
  created_at: number;
  updated_at: number;
}

export type UserRow = Selectable<UserTable>;
export type NewUserRow = Insertable<UserTable>;
export type UserRowUpdate = Updateable<UserTable>;
