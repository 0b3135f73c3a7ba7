import { sql, type Kysely } from 'kysely';

// Frozen: never import application code here.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE TABLE printer (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenant(id),
    site_id TEXT REFERENCES site(id),
    name TEXT NOT NULL,
    transport TEXT NOT NULL CHECK (transport IN ('network', 'serial', 'usb')),
    host TEXT,
    port INTEGER,
    path TEXT,
    baud_rate INTEGER,
    vendor_id INTEGER,
    product_id INTEGER,
    profile TEXT NOT NULL DEFAULT '{}',
    fallback_printer_id TEXT REFERENCES printer(id),
    status TEXT NOT NULL DEFAULT 'unknown',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  ) STRICT`.execute(db);

  await sql`CREATE TABLE print_job (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenant(id),
    printer_id TEXT NOT NULL REFERENCES printer(id),
    ticket_id TEXT REFERENCES ticket(id),
    payload BLOB,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'printing', 'printed', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  ) STRICT`.execute(db);

  await sql`CREATE TABLE display (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenant(id),
    site_id TEXT REFERENCES site(id),
    name TEXT NOT NULL,
    type TEXT NOT NULL CHECK (type IN ('main', 'counter', 'waiting_room')),
    queue_ids TEXT NOT NULL DEFAULT '[]',
    languages TEXT NOT NULL DEFAULT '["fr"]',
    layout TEXT NOT NULL DEFAULT '{}',
    theme TEXT NOT NULL DEFAULT '{}',
    last_seen_at INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  ) STRICT`.execute(db);

  await sql`CREATE TABLE kiosk (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenant(id),
    site_id TEXT REFERENCES site(id),
    name TEXT NOT NULL,
    queue_ids TEXT NOT NULL DEFAULT '[]',
    languages TEXT NOT NULL DEFAULT '["fr","en","ar"]',
    printer_id TEXT REFERENCES printer(id),
    last_seen_at INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  ) STRICT`.execute(db);

  // A physical device. Only hashes of the pairing code and of the device key are stored.
  await sql`CREATE TABLE device (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenant(id),
    type TEXT NOT NULL CHECK (type IN ('kiosk', 'display', 'print_agent')),
    name TEXT NOT NULL,
    kiosk_id TEXT REFERENCES kiosk(id),
    display_id TEXT REFERENCES display(id),
    pairing_code_hash TEXT,
    pairing_expires_at INTEGER,
    key_hash TEXT UNIQUE,
    paired_at INTEGER,
    revoked_at INTEGER,
    last_seen_at INTEGER,
    created_by TEXT REFERENCES user(id),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  ) STRICT`.execute(db);
  await sql`CREATE UNIQUE INDEX device_pairing_code ON device (pairing_code_hash) WHERE pairing_code_hash IS NOT NULL`.execute(db);
}
