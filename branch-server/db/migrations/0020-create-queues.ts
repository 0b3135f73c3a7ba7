import { sql, type Kysely } from 'kysely';

// Frozen: never import application code here.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE TABLE service (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenant(id),
    name TEXT NOT NULL,
    code TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    sla_seconds INTEGER NOT NULL DEFAULT 0,
    priority_rules TEXT NOT NULL DEFAULT '{}',
    default_service_seconds INTEGER NOT NULL DEFAULT 300,
    is_active INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  ) STRICT`.execute(db);

  await sql`CREATE TABLE queue (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenant(id),
    site_id TEXT NOT NULL REFERENCES site(id),
    service_id TEXT NOT NULL REFERENCES service(id),
    name TEXT NOT NULL,
    prefix TEXT NOT NULL,
    algorithm TEXT NOT NULL DEFAULT 'fifo' CHECK (algorithm IN ('fifo', 'priority', 'sla')),
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'paused', 'closed')),
    weight INTEGER NOT NULL DEFAULT 1,
    max_capacity INTEGER NOT NULL DEFAULT 0,
    ewma_service_seconds REAL,
    service_samples TEXT NOT NULL DEFAULT '[]',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  ) STRICT`.execute(db);
  await sql`CREATE INDEX queue_tenant_site ON queue (tenant_id, site_id)`.execute(db);

  // The per-queue daily sequence. Incremented in the ticket's own transaction: never a duplicate.
  await sql`CREATE TABLE queue_counter (
    queue_id TEXT NOT NULL REFERENCES queue(id),
    business_date TEXT NOT NULL,
    last_seq INTEGER NOT NULL,
    PRIMARY KEY (queue_id, business_date)
  ) STRICT, WITHOUT ROWID`.execute(db);

  await sql`CREATE TABLE agent_profile (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenant(id),
    user_id TEXT NOT NULL REFERENCES user(id),
    status TEXT NOT NULL DEFAULT 'available' CHECK (status IN ('available', 'busy', 'paused', 'offline')),
    status_reason TEXT NOT NULL DEFAULT '',
    counter_label TEXT NOT NULL DEFAULT '',
    rr_state TEXT NOT NULL DEFAULT '{}',
    status_changed_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (tenant_id, user_id)
  ) STRICT`.execute(db);

  await sql`CREATE TABLE agent_queue (
    tenant_id TEXT NOT NULL REFERENCES tenant(id),
    user_id TEXT NOT NULL REFERENCES user(id),
    queue_id TEXT NOT NULL REFERENCES queue(id),
    PRIMARY KEY (tenant_id, user_id, queue_id)
  ) STRICT, WITHOUT ROWID`.execute(db);
}
