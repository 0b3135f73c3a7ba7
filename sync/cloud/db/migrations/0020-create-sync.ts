import { sql, type Kysely } from 'kysely';

// Frozen: never import application code here.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE TABLE enrollment_token (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL REFERENCES tenant(id),
    site_id uuid NOT NULL REFERENCES site(id),
    token_hash text NOT NULL UNIQUE,
    created_by uuid,
    created_at bigint NOT NULL,
    expires_at bigint NOT NULL,
    used_at bigint,
    used_by_device uuid,
    revoked_at bigint
  )`.execute(db);

  // A branch appliance: its public key, and where its upload stream stands.
  await sql`CREATE TABLE device (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL REFERENCES tenant(id),
    site_id uuid NOT NULL REFERENCES site(id),
    name text NOT NULL,
    public_key text NOT NULL,
    app_version text NOT NULL DEFAULT '',
    schema_version integer NOT NULL DEFAULT 0,
    enrolled_at bigint NOT NULL,
    revoked_at bigint,
    stream_id uuid,
    last_applied_seq bigint NOT NULL DEFAULT 0,
    duplicates_skipped bigint NOT NULL DEFAULT 0,
    rows_applied bigint NOT NULL DEFAULT 0,
    rows_rejected bigint NOT NULL DEFAULT 0,
    feed_cursor bigint NOT NULL DEFAULT 0,
    outbox_depth integer NOT NULL DEFAULT 0,
    oldest_unsent_ms bigint,
    clock_offset_ms bigint,
    last_seen_at bigint,
    last_push_at bigint,
    last_pull_at bigint
  )`.execute(db);
  await sql`CREATE INDEX device_tenant_site ON device (tenant_id, site_id)`.execute(db);

  // Challenge nonces for device sign-in: single use, expiring by the cloud's clock.
  await sql`CREATE TABLE device_challenge (
    nonce text PRIMARY KEY,
    device_id uuid NOT NULL REFERENCES device(id),
    expires_at bigint NOT NULL
  )`.execute(db);

  await sql`CREATE TABLE sync_dead_letter (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL REFERENCES tenant(id),
    device_id uuid NOT NULL REFERENCES device(id),
    seq bigint NOT NULL,
    mutation_id uuid NOT NULL,
    entity text NOT NULL,
    entity_id text NOT NULL,
    payload jsonb NOT NULL,
    error text NOT NULL,
    created_at bigint NOT NULL
  )`.execute(db);
  await sql`CREATE INDEX sync_dead_letter_device ON sync_dead_letter (tenant_id, device_id, seq)`.execute(db);

  // Branch-owned rows: typed columns for reporting, the full row as the branch stores it in data.
  await sql`CREATE TABLE ticket (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL REFERENCES tenant(id),
    site_id uuid NOT NULL,
    device_id uuid NOT NULL,
    queue_id uuid NOT NULL,
    number text NOT NULL,
    status text NOT NULL,
    channel text NOT NULL,
    priority integer NOT NULL,
    agent_id uuid,
    customer_id uuid,
    created_at bigint NOT NULL,
    called_at bigint,
    started_at bigint,
    ended_at bigint,
    updated_at bigint NOT NULL,
    clock_offset_ms bigint,
    received_at bigint NOT NULL,
    data jsonb NOT NULL
  )`.execute(db);
  await sql`CREATE INDEX ticket_tenant_created ON ticket (tenant_id, created_at)`.execute(db);
  await sql`CREATE INDEX ticket_tenant_site_created ON ticket (tenant_id, site_id, created_at)`.execute(db);
  await sql`CREATE INDEX ticket_tenant_customer ON ticket (tenant_id, customer_id) WHERE customer_id IS NOT NULL`.execute(db);

  await sql`CREATE TABLE ticket_event (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL REFERENCES tenant(id),
    site_id uuid NOT NULL,
    device_id uuid NOT NULL,
    ticket_id uuid NOT NULL,
    type text NOT NULL,
    created_at bigint NOT NULL,
    received_at bigint NOT NULL,
    data jsonb NOT NULL
  )`.execute(db);
  await sql`CREATE INDEX ticket_event_tenant_ticket ON ticket_event (tenant_id, ticket_id, created_at)`.execute(db);
  await sql`CREATE INDEX ticket_event_tenant_created ON ticket_event (tenant_id, created_at)`.execute(db);

  await sql`CREATE TABLE feedback (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL REFERENCES tenant(id),
    site_id uuid NOT NULL,
    device_id uuid NOT NULL,
    ticket_id uuid,
    customer_id uuid,
    csat smallint,
    nps smallint,
    created_at bigint NOT NULL,
    received_at bigint NOT NULL,
    data jsonb NOT NULL
  )`.execute(db);
  await sql`CREATE INDEX feedback_tenant_created ON feedback (tenant_id, created_at)`.execute(db);

  await sql`CREATE TABLE audit_log (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL REFERENCES tenant(id),
    site_id uuid NOT NULL,
    device_id uuid NOT NULL,
    branch_seq bigint NOT NULL,
    action text NOT NULL,
    entity text NOT NULL,
    entity_id text NOT NULL,
    created_at bigint NOT NULL,
    prev_hash text NOT NULL,
    hash text NOT NULL,
    received_at bigint NOT NULL,
    data jsonb NOT NULL
  )`.execute(db);
  await sql`CREATE INDEX audit_log_tenant_created ON audit_log (tenant_id, created_at)`.execute(db);
  await sql`CREATE INDEX audit_log_device_seq ON audit_log (tenant_id, device_id, branch_seq)`.execute(db);

  await sql`CREATE TABLE appointment (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL REFERENCES tenant(id),
    site_id uuid NOT NULL,
    device_id uuid NOT NULL,
    service_id uuid NOT NULL,
    customer_id uuid,
    starts_at bigint NOT NULL,
    status text NOT NULL,
    updated_at bigint NOT NULL,
    received_at bigint NOT NULL,
    data jsonb NOT NULL
  )`.execute(db);
  await sql`CREATE INDEX appointment_tenant_starts ON appointment (tenant_id, starts_at)`.execute(db);

  // Customers: both sides edit them; each field carries the stamp that set it (see customer-merge.ts).
  await sql`CREATE TABLE customer (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL REFERENCES tenant(id),
    external_ref text,
    first_name text NOT NULL DEFAULT '',
    last_name text NOT NULL DEFAULT '',
    phone text NOT NULL DEFAULT '',
    email text NOT NULL DEFAULT '',
    language text NOT NULL DEFAULT 'fr',
    notify_sms smallint NOT NULL DEFAULT 0,
    notify_email smallint NOT NULL DEFAULT 0,
    notify_whatsapp smallint NOT NULL DEFAULT 0,
    consents text NOT NULL DEFAULT '{}',
    tags text NOT NULL DEFAULT '[]',
    metadata text NOT NULL DEFAULT '{}',
    stamps jsonb NOT NULL DEFAULT '{}',
    deleted jsonb,
    merged_into uuid,
    hlc text NOT NULL,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL
  )`.execute(db);
  await sql`CREATE INDEX customer_tenant_created ON customer (tenant_id, created_at)`.execute(db);

  // Duplicate detection: one live owner per normalised phone or e-mail.
  await sql`CREATE TABLE customer_key (
    tenant_id uuid NOT NULL REFERENCES tenant(id),
    key text NOT NULL,
    customer_id uuid NOT NULL REFERENCES customer(id),
    PRIMARY KEY (tenant_id, key)
  )`.execute(db);
}
