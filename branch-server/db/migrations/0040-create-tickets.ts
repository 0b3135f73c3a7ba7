import { sql, type Kysely } from 'kysely';

// Frozen: never import application code here.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE TABLE appointment (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenant(id),
    site_id TEXT NOT NULL REFERENCES site(id),
    service_id TEXT NOT NULL REFERENCES service(id),
    customer_id TEXT REFERENCES customer(id),
    customer_name TEXT NOT NULL DEFAULT '',
    customer_phone TEXT NOT NULL DEFAULT '',
    starts_at INTEGER NOT NULL,
    ends_at INTEGER NOT NULL,
    status TEXT NOT NULL DEFAULT 'scheduled'
      CHECK (status IN ('scheduled', 'checked_in', 'cancelled', 'completed', 'no_show')),
    check_in_code TEXT NOT NULL UNIQUE,
    ticket_id TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  ) STRICT`.execute(db);
  await sql`CREATE INDEX appointment_service_start ON appointment (tenant_id, service_id, starts_at)`.execute(db);

  await sql`CREATE TABLE ticket (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenant(id),
    site_id TEXT NOT NULL REFERENCES site(id),
    queue_id TEXT NOT NULL REFERENCES queue(id),
    public_id TEXT NOT NULL UNIQUE,
    number TEXT NOT NULL,
    seq INTEGER NOT NULL,
    business_date TEXT NOT NULL,
    customer_id TEXT REFERENCES customer(id),
    customer_name TEXT NOT NULL DEFAULT '',
    customer_phone TEXT NOT NULL DEFAULT '',
    channel TEXT NOT NULL CHECK (channel IN ('web', 'app', 'qr', 'whatsapp', 'kiosk')),
    priority INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'en_attente'
      CHECK (status IN ('en_attente', 'appele', 'en_service', 'pause', 'transfere', 'clos', 'no_show')),
    eta_seconds INTEGER,
    eta_p90_seconds INTEGER,
    agent_id TEXT REFERENCES user(id),
    counter_label TEXT NOT NULL DEFAULT '',
    recall_count INTEGER NOT NULL DEFAULT 0,
    transferred_from TEXT REFERENCES ticket(id),
    appointment_id TEXT REFERENCES appointment(id),
    appointment_at INTEGER,
    created_at INTEGER NOT NULL,
    called_at INTEGER,
    started_at INTEGER,
    ended_at INTEGER,
    updated_at INTEGER NOT NULL
  ) STRICT`.execute(db);
  // A number is issued once per queue and business day. A transferred ticket keeps its number in the
  // target queue, so it is outside this index (it carries the source queue's sequence).
  await sql`CREATE UNIQUE INDEX ticket_number_unique ON ticket (queue_id, business_date, seq)
    WHERE transferred_from IS NULL`.execute(db);
  // Hot path of call-next and ETA refresh: only waiting tickets, whatever the history size.
  await sql`CREATE INDEX ticket_waiting ON ticket (queue_id, created_at) WHERE status = 'en_attente'`.execute(db);
  await sql`CREATE INDEX ticket_agent_active ON ticket (agent_id) WHERE status IN ('appele', 'en_service', 'pause')`.execute(db);
  await sql`CREATE INDEX ticket_tenant_created ON ticket (tenant_id, created_at)`.execute(db);
  await sql`CREATE INDEX ticket_queue_created ON ticket (queue_id, created_at)`.execute(db);
  await sql`CREATE INDEX ticket_transferred_from ON ticket (transferred_from) WHERE transferred_from IS NOT NULL`.execute(db);

  await sql`CREATE TABLE ticket_event (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenant(id),
    ticket_id TEXT NOT NULL REFERENCES ticket(id),
    type TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT NOT NULL,
    actor_user_id TEXT,
    actor_device_id TEXT,
    reason TEXT NOT NULL DEFAULT '',
    explanation TEXT,
    data TEXT NOT NULL DEFAULT '{}',
    created_at INTEGER NOT NULL
  ) STRICT`.execute(db);
  await sql`CREATE INDEX ticket_event_ticket ON ticket_event (ticket_id, created_at)`.execute(db);
  // ticket_event is append-only.
  await sql`CREATE TRIGGER ticket_event_no_update BEFORE UPDATE ON ticket_event
    BEGIN SELECT RAISE(ABORT, 'ticket_event is append-only'); END`.execute(db);
  await sql`CREATE TRIGGER ticket_event_no_delete BEFORE DELETE ON ticket_event
    BEGIN SELECT RAISE(ABORT, 'ticket_event is append-only'); END`.execute(db);

  await sql`CREATE TABLE feedback (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenant(id),
    ticket_id TEXT REFERENCES ticket(id),
    customer_id TEXT REFERENCES customer(id),
    csat INTEGER CHECK (csat BETWEEN 1 AND 5),
    nps INTEGER CHECK (nps BETWEEN 0 AND 10),
    nps_category TEXT CHECK (nps_category IN ('promoter', 'passive', 'detractor')),
    wait_rating INTEGER CHECK (wait_rating BETWEEN 1 AND 5),
    service_rating INTEGER CHECK (service_rating BETWEEN 1 AND 5),
    comment TEXT NOT NULL DEFAULT '',
    tags TEXT NOT NULL DEFAULT '[]',
    channel TEXT NOT NULL DEFAULT 'kiosk',
    created_at INTEGER NOT NULL
  ) STRICT`.execute(db);
  await sql`CREATE INDEX feedback_tenant_created ON feedback (tenant_id, created_at)`.execute(db);
  await sql`CREATE UNIQUE INDEX feedback_ticket_unique ON feedback (ticket_id) WHERE ticket_id IS NOT NULL`.execute(db);
}
