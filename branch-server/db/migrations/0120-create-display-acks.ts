import { sql, type Kysely } from 'kysely';

// Frozen: never import application code here.
export async function up(db: Kysely<any>): Promise<void> {
  // One row per call (a recall is another call: its recall_count) that a display rendered and
  // played, so staff can see a call no screen showed. Written again on a resend: INSERT OR IGNORE.
  await sql`CREATE TABLE display_ack (
    ticket_id TEXT NOT NULL REFERENCES ticket(id) ON DELETE CASCADE,
    recall_count INTEGER NOT NULL CHECK (recall_count >= 0),
    display_id TEXT NOT NULL REFERENCES display(id) ON DELETE CASCADE,
    tenant_id TEXT NOT NULL REFERENCES tenant(id),
    device_id TEXT REFERENCES device(id) ON DELETE SET NULL,
    played INTEGER NOT NULL CHECK (played IN (0, 1)),
    acked_at INTEGER NOT NULL,
    PRIMARY KEY (ticket_id, recall_count, display_id)
  ) STRICT, WITHOUT ROWID`.execute(db);
  // Deleting a display cascades here: without this index each delete would scan every ack.
  await sql`CREATE INDEX display_ack_display ON display_ack (display_id)`.execute(db);
}
