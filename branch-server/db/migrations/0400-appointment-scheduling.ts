import { sql, type Kysely } from 'kysely';

// Frozen: never import application code here.
export async function up(db: Kysely<any>): Promise<void> {
  // Opening hours of a site for appointments: seven entries Monday..Sunday, each {open, close} in
  // minutes of the local day or null (closed that weekday); closed_dates are local YYYY-MM-DD.
  // A site without a row keeps the defaults (Monday–Friday 08:00–17:00).
  await sql`CREATE TABLE site_opening_hours (
    site_id TEXT PRIMARY KEY REFERENCES site(id),
    tenant_id TEXT NOT NULL REFERENCES tenant(id),
    weekly TEXT NOT NULL,
    closed_dates TEXT NOT NULL DEFAULT '[]',
    updated_at INTEGER NOT NULL
  ) STRICT`.execute(db);

  // How a service books and queues: slot length, places per slot (null = agents skilled for it at
  // the site), buffer after each slot, overbooking places, grace for late arrivals, remote joining
  // and what happens to its waiting tickets at closing time. A service without a row uses defaults.
  await sql`CREATE TABLE service_booking_rule (
    service_id TEXT PRIMARY KEY REFERENCES service(id),
    tenant_id TEXT NOT NULL REFERENCES tenant(id),
    slot_minutes INTEGER NOT NULL CHECK (slot_minutes BETWEEN 5 AND 240),
    buffer_minutes INTEGER NOT NULL CHECK (buffer_minutes BETWEEN 0 AND 120),
    capacity INTEGER CHECK (capacity BETWEEN 1 AND 100),
    overbooking INTEGER NOT NULL CHECK (overbooking BETWEEN 0 AND 100),
    grace_minutes INTEGER NOT NULL CHECK (grace_minutes BETWEEN 0 AND 240),
    remote_enabled INTEGER NOT NULL CHECK (remote_enabled IN (0, 1)),
    remote_daily_cap INTEGER NOT NULL CHECK (remote_daily_cap BETWEEN 0 AND 100000),
    remote_hold_minutes INTEGER NOT NULL CHECK (remote_hold_minutes BETWEEN 0 AND 240),
    end_of_day TEXT NOT NULL CHECK (end_of_day IN ('expire', 'carry_over')),
    updated_at INTEGER NOT NULL
  ) STRICT`.execute(db);

  // When each reminder was handed over (null: not yet), so a restart never sends one twice.
  await sql`ALTER TABLE appointment ADD COLUMN reminder_h24_at INTEGER`.execute(db);
  await sql`ALTER TABLE appointment ADD COLUMN reminder_h1_at INTEGER`.execute(db);
  await sql`CREATE INDEX appointment_scheduled_start ON appointment (starts_at) WHERE status = 'scheduled'`.execute(db);

  // A remote ticket (joined from a phone) is away until checked in at the kiosk; held_at is when its
  // turn came while it was away.
  await sql`ALTER TABLE ticket ADD COLUMN remote INTEGER NOT NULL DEFAULT 0 CHECK (remote IN (0, 1))`.execute(db);
  await sql`ALTER TABLE ticket ADD COLUMN held_at INTEGER`.execute(db);

  await sql`CREATE TABLE remote_join (
    ticket_id TEXT PRIMARY KEY REFERENCES ticket(id),
    tenant_id TEXT NOT NULL REFERENCES tenant(id),
    site_id TEXT NOT NULL REFERENCES site(id),
    service_id TEXT NOT NULL REFERENCES service(id),
    phone TEXT NOT NULL,
    check_in_code TEXT NOT NULL UNIQUE,
    business_date TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    arrived_at INTEGER
  ) STRICT`.execute(db);
  await sql`CREATE INDEX remote_join_service_day ON remote_join (site_id, service_id, business_date)`.execute(db);
  await sql`CREATE INDEX remote_join_phone ON remote_join (phone, created_at)`.execute(db);

  // A site's day, sealed at closing time: what happened, audited and uploaded to HQ. One per site and
  // local date; its existence means the day's end-of-day sweep ran.
  await sql`CREATE TABLE day_summary (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenant(id),
    site_id TEXT NOT NULL REFERENCES site(id),
    business_date TEXT NOT NULL,
    tickets_issued INTEGER NOT NULL,
    tickets_served INTEGER NOT NULL,
    tickets_no_show INTEGER NOT NULL,
    tickets_expired INTEGER NOT NULL,
    tickets_carried_over INTEGER NOT NULL,
    remote_joined INTEGER NOT NULL,
    remote_no_show INTEGER NOT NULL,
    appointments_booked INTEGER NOT NULL,
    appointments_checked_in INTEGER NOT NULL,
    appointments_no_show INTEGER NOT NULL,
    appointments_cancelled INTEGER NOT NULL,
    avg_wait_seconds INTEGER,
    max_wait_seconds INTEGER,
    sealed_at INTEGER NOT NULL,
    UNIQUE (site_id, business_date)
  ) STRICT`.execute(db);
}
