import { sql, type Kysely } from 'kysely';

// Frozen: never import application code here.
export async function up(db: Kysely<any>): Promise<void> {
  // The logo printed at the head of a tenant's tickets, as the printer prints it: 1-bit rows of
  // ceil(width / 8) bytes, most significant bit first (GS v 0). A printer's own profile logo wins.
  await sql`CREATE TABLE ticket_logo (
    tenant_id TEXT PRIMARY KEY REFERENCES tenant(id),
    width INTEGER NOT NULL CHECK (width BETWEEN 1 AND 576),
    height INTEGER NOT NULL CHECK (height BETWEEN 1 AND 400),
    bits BLOB NOT NULL,
    source_sha256 TEXT NOT NULL,
    updated_by TEXT REFERENCES user(id),
    updated_at INTEGER NOT NULL
  ) STRICT`.execute(db);
}
