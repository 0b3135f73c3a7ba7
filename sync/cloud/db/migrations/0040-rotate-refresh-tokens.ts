import { sql, type Kysely } from 'kysely';

// Frozen: never import application code here.

/**
 * HQ refresh tokens rotate as the branch's do: the previous one is kept (hashed) so a replay of a
 * rotated token is recognised and ends the whole session.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE auth_session ADD COLUMN previous_refresh_hash text`.execute(db);
  await sql`ALTER TABLE auth_session ADD COLUMN refreshed_at bigint`.execute(db);
  await sql`CREATE INDEX auth_session_previous_refresh ON auth_session (previous_refresh_hash) WHERE previous_refresh_hash IS NOT NULL`.execute(db);
  await sql`CREATE INDEX auth_session_user ON auth_session (user_id)`.execute(db);
}
