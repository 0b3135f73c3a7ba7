import { sql, type Kysely } from 'kysely';

// Frozen: never import application code here.
export async function up(db: Kysely<any>): Promise<void> {
  // A printer attached to a kiosk PC rather than to the branch server: its transport and address
  // (serial path, USB ids, LAN host) are as seen from that PC, and the print agent paired as this
  // device drives it. NULL: the branch server drives the printer itself.
  await sql`ALTER TABLE printer ADD COLUMN agent_device_id TEXT REFERENCES device(id)`.execute(db);
  await sql`CREATE INDEX printer_agent ON printer (agent_device_id) WHERE agent_device_id IS NOT NULL`.execute(db);

  // Scanners and call buttons plugged into a device agent's PC. A scanner checks in appointments
  // (and opens the ticket at the desk of agent_user_id, if bound); a button calls the next customer
  // for agent_user_id.
  await sql`CREATE TABLE device_input (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenant(id),
    device_id TEXT NOT NULL REFERENCES device(id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('scanner', 'button')),
    source TEXT NOT NULL CHECK (source IN ('serial', 'hid')),
    path TEXT NOT NULL,
    baud_rate INTEGER,
    agent_user_id TEXT REFERENCES user(id),
    state TEXT NOT NULL DEFAULT 'unknown' CHECK (state IN ('unknown', 'ok', 'error')),
    last_error TEXT NOT NULL DEFAULT '',
    last_event_at INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    CHECK (kind = 'scanner' OR agent_user_id IS NOT NULL)
  ) STRICT`.execute(db);
  await sql`CREATE INDEX device_input_device ON device_input (device_id)`.execute(db);
}
