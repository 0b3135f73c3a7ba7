import { sql, type Kysely } from 'kysely';

// Frozen: never import application code here.
export async function up(db: Kysely<any>): Promise<void> {
  // A login session. Access tokens (JWT) carry its id, so logout revokes them at once. The refresh
  // token rotates on every use; presenting an already-rotated one revokes the whole session (replay).
  await sql`CREATE TABLE auth_session (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES user(id),
    refresh_hash TEXT NOT NULL UNIQUE,
    previous_refresh_hash TEXT,
    created_at INTEGER NOT NULL,
    refreshed_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER,
    ip TEXT NOT NULL DEFAULT '',
    user_agent TEXT NOT NULL DEFAULT ''
  ) STRICT`.execute(db);
  await sql`CREATE INDEX auth_session_user ON auth_session (user_id)`.execute(db);
  await sql`CREATE INDEX auth_session_previous ON auth_session (previous_refresh_hash) WHERE previous_refresh_hash IS NOT NULL`.execute(db);
}
