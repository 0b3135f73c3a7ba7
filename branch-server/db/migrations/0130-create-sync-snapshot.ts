import { sql, type Kysely } from 'kysely';

// Frozen: never import application code here.
export async function up(db: Kysely<any>): Promise<void> {
  // The reference rows a resumable snapshot has delivered so far (its progress is in sync_state):
  // when the snapshot completes, the tenant's rows not listed here are deactivated.
  await sql`CREATE TABLE sync_snapshot_seen (
    entity TEXT NOT NULL,
    id TEXT NOT NULL,
    PRIMARY KEY (entity, id)
  ) STRICT, WITHOUT ROWID`.execute(db);
  // Pending customer edits are laid over the merged row the feed brings, until the cloud has them;
  // partial, so the ticket hot path (three outbox rows per change) never maintains it.
  await sql`CREATE INDEX sync_outbox_customer ON sync_outbox (entity_id) WHERE entity = 'customer'`.execute(db);
}
