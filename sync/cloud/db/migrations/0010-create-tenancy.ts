import { sql, type Kysely } from 'kysely';

// Frozen: never import application code here.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE TABLE cloud_meta (key text PRIMARY KEY, value text NOT NULL)`.execute(db);

  await sql`CREATE TABLE tenant (
    id uuid PRIMARY KEY,
    name text NOT NULL,
    slug text NOT NULL UNIQUE,
    plan text NOT NULL DEFAULT 'standard',
    locale text NOT NULL DEFAULT 'fr',
    timezone text NOT NULL DEFAULT 'UTC',
    data_retention_days integer NOT NULL DEFAULT 365,
    is_active smallint NOT NULL DEFAULT 1,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL
  )`.execute(db);

  // The change feed's clock: bumped (row-locked) inside every transaction that changes reference data,
  // so feed numbers are handed out in commit order, unlike a sequence.
  await sql`CREATE TABLE tenant_feed_counter (
    tenant_id uuid PRIMARY KEY REFERENCES tenant(id),
    value bigint NOT NULL DEFAULT 0,
    -- Feed rows up to here have been pruned: an older cursor must take a snapshot.
    pruned_through bigint NOT NULL DEFAULT 0
  )`.execute(db);

  await sql`CREATE TABLE change_feed (
    tenant_id uuid NOT NULL REFERENCES tenant(id),
    seq bigint NOT NULL,
    entity text NOT NULL,
    entity_id uuid NOT NULL,
    op text NOT NULL CHECK (op IN ('upsert', 'delete')),
    data jsonb NOT NULL,
    created_at bigint NOT NULL,
    PRIMARY KEY (tenant_id, seq)
  )`.execute(db);

  await sql`CREATE TABLE site (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL REFERENCES tenant(id),
    name text NOT NULL,
    slug text NOT NULL,
    address text NOT NULL DEFAULT '',
    city text NOT NULL DEFAULT '',
    country text NOT NULL DEFAULT '',
    latitude double precision,
    longitude double precision,
    timezone text NOT NULL,
    phone text NOT NULL DEFAULT '',
    is_active smallint NOT NULL DEFAULT 1,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL,
    UNIQUE (tenant_id, slug)
  )`.execute(db);

  await sql`CREATE TABLE service (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL REFERENCES tenant(id),
    name text NOT NULL,
    code text NOT NULL DEFAULT '',
    description text NOT NULL DEFAULT '',
    sla_seconds integer NOT NULL DEFAULT 0,
    priority_rules text NOT NULL DEFAULT '{}',
    default_service_seconds integer NOT NULL DEFAULT 300,
    is_active smallint NOT NULL DEFAULT 1,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL
  )`.execute(db);
  await sql`CREATE INDEX service_tenant ON service (tenant_id)`.execute(db);

  await sql`CREATE TABLE queue (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL REFERENCES tenant(id),
    site_id uuid NOT NULL REFERENCES site(id),
    service_id uuid NOT NULL REFERENCES service(id),
    name text NOT NULL,
    prefix text NOT NULL,
    algorithm text NOT NULL DEFAULT 'fifo' CHECK (algorithm IN ('fifo', 'priority', 'sla')),
    status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'paused', 'closed')),
    weight integer NOT NULL DEFAULT 1,
    max_capacity integer NOT NULL DEFAULT 0,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL
  )`.execute(db);
  await sql`CREATE INDEX queue_tenant_site ON queue (tenant_id, site_id)`.execute(db);

  // Users are global (one person may work for two tenants); what a user may do lives in membership.
  await sql`CREATE TABLE app_user (
    id uuid PRIMARY KEY,
    email text NOT NULL,
    password_hash text NOT NULL,
    first_name text NOT NULL DEFAULT '',
    last_name text NOT NULL DEFAULT '',
    phone text NOT NULL DEFAULT '',
    is_active smallint NOT NULL DEFAULT 1,
    is_super_admin smallint NOT NULL DEFAULT 0,
    last_login_at bigint,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL
  )`.execute(db);
  await sql`CREATE UNIQUE INDEX app_user_email ON app_user (lower(email))`.execute(db);

  await sql`CREATE TABLE tenant_membership (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL REFERENCES tenant(id),
    user_id uuid NOT NULL REFERENCES app_user(id),
    role text NOT NULL CHECK (role IN ('admin', 'manager', 'agent', 'analyst')),
    site_ids uuid[] NOT NULL DEFAULT '{}',
    is_active smallint NOT NULL DEFAULT 1,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL,
    UNIQUE (tenant_id, user_id)
  )`.execute(db);
  await sql`CREATE INDEX tenant_membership_user ON tenant_membership (user_id)`.execute(db);

  await sql`CREATE TABLE agent_queue (
    tenant_id uuid NOT NULL REFERENCES tenant(id),
    user_id uuid NOT NULL REFERENCES app_user(id),
    queue_id uuid NOT NULL REFERENCES queue(id),
    PRIMARY KEY (tenant_id, user_id, queue_id)
  )`.execute(db);

  await sql`CREATE TABLE notification_template (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL REFERENCES tenant(id),
    key text NOT NULL,
    channel text NOT NULL CHECK (channel IN ('sms', 'whatsapp', 'email', 'push')),
    language text NOT NULL DEFAULT 'fr',
    subject text NOT NULL DEFAULT '',
    body text NOT NULL,
    is_active smallint NOT NULL DEFAULT 1,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL,
    UNIQUE (tenant_id, key, channel, language)
  )`.execute(db);

  await sql`CREATE TABLE auth_session (
    id uuid PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES app_user(id),
    refresh_hash text NOT NULL UNIQUE,
    user_agent text NOT NULL DEFAULT '',
    ip text NOT NULL DEFAULT '',
    created_at bigint NOT NULL,
    expires_at bigint NOT NULL,
    revoked_at bigint
  )`.execute(db);
}
