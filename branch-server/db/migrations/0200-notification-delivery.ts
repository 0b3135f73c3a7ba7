import { sql, type Kysely } from 'kysely';

// Frozen: never import application code here.
export async function up(db: Kysely<any>): Promise<void> {
  // The notification table gains what delivery needs: the `dropped` status (a message that went
  // stale while it waited is dropped, not sent late), the provider that sent it, a dedupe key (one
  // "your turn" per call), the appointment it is about, an e-mail subject and when it was delivered.
  // SQLite cannot change a CHECK constraint: the table is rebuilt (nothing references it).
  await sql`CREATE TABLE notification_rebuilt (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenant(id),
    ticket_id TEXT REFERENCES ticket(id),
    customer_id TEXT REFERENCES customer(id),
    appointment_id TEXT REFERENCES appointment(id),
    channel TEXT NOT NULL CHECK (channel IN ('sms', 'whatsapp', 'email', 'push')),
    template_key TEXT NOT NULL DEFAULT '',
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL DEFAULT '',
    body TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed', 'delivered', 'dropped')),
    provider TEXT NOT NULL DEFAULT '',
    provider_id TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT '',
    dedupe_key TEXT,
    created_at INTEGER NOT NULL,
    sent_at INTEGER,
    delivered_at INTEGER,
    updated_at INTEGER NOT NULL
  ) STRICT`.execute(db);
  await sql`INSERT INTO notification_rebuilt (id, tenant_id, ticket_id, customer_id, channel, template_key, recipient, body, status,
      provider_id, attempts, last_error, created_at, sent_at, updated_at)
    SELECT id, tenant_id, ticket_id, customer_id, channel, template_key, recipient, body, status,
      provider_id, attempts, last_error, created_at, sent_at, updated_at FROM notification`.execute(db);
  await sql`DROP TABLE notification`.execute(db);
  await sql`ALTER TABLE notification_rebuilt RENAME TO notification`.execute(db);
  await sql`CREATE INDEX notification_tenant_created ON notification (tenant_id, created_at)`.execute(db);
  await sql`CREATE INDEX notification_ticket ON notification (ticket_id) WHERE ticket_id IS NOT NULL`.execute(db);
  await sql`CREATE UNIQUE INDEX notification_dedupe ON notification (tenant_id, dedupe_key) WHERE dedupe_key IS NOT NULL`.execute(db);
  await sql`CREATE INDEX notification_provider_message ON notification (provider, provider_id) WHERE provider_id IS NOT NULL`.execute(db);

  // Per-tenant provider accounts. `secrets` is AES-256-GCM ciphertext (key in DATA_DIR), never
  // returned by the API; `settings` holds what is safe to show (sender number, SMTP host…).
  await sql`CREATE TABLE notification_provider (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenant(id),
    channel TEXT NOT NULL CHECK (channel IN ('sms', 'whatsapp', 'email', 'push')),
    provider TEXT NOT NULL CHECK (provider IN ('twilio', 'smtp', 'sendgrid', 'fcm', 'gsm_modem')),
    settings TEXT NOT NULL DEFAULT '{}',
    secrets BLOB,
    base_url TEXT,
    is_active INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (tenant_id, channel, provider)
  ) STRICT`.execute(db);

  // Anti-spam and timing rules per tenant; quiet hours per site (local time, minutes after midnight).
  await sql`CREATE TABLE notification_settings (
    tenant_id TEXT PRIMARY KEY REFERENCES tenant(id),
    max_per_ticket INTEGER NOT NULL DEFAULT 5,
    ahead_position INTEGER NOT NULL DEFAULT 3,
    stale_after_seconds INTEGER NOT NULL DEFAULT 900,
    updated_at INTEGER NOT NULL
  ) STRICT`.execute(db);
  await sql`CREATE TABLE notification_quiet_hours (
    site_id TEXT PRIMARY KEY REFERENCES site(id),
    tenant_id TEXT NOT NULL REFERENCES tenant(id),
    start_minute INTEGER NOT NULL CHECK (start_minute BETWEEN 0 AND 1439),
    end_minute INTEGER NOT NULL CHECK (end_minute BETWEEN 0 AND 1439),
    updated_at INTEGER NOT NULL
  ) STRICT`.execute(db);

  // How far the notifier and the webhook dispatcher have read the append-only tables (by rowid).
  await sql`CREATE TABLE event_cursor (
    name TEXT PRIMARY KEY,
    position INTEGER NOT NULL
  ) STRICT`.execute(db);

  await sql`CREATE TABLE webhook_subscription (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenant(id),
    url TEXT NOT NULL,
    events TEXT NOT NULL,
    secret BLOB NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    is_active INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  ) STRICT`.execute(db);
  await sql`CREATE TABLE webhook_delivery (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenant(id),
    subscription_id TEXT NOT NULL REFERENCES webhook_subscription(id) ON DELETE CASCADE,
    event TEXT NOT NULL,
    event_id TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    response_status INTEGER,
    last_error TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    delivered_at INTEGER,
    updated_at INTEGER NOT NULL,
    UNIQUE (subscription_id, event_id)
  ) STRICT`.execute(db);
  await sql`CREATE INDEX webhook_delivery_tenant_created ON webhook_delivery (tenant_id, created_at)`.execute(db);

  // Appointments made by an external scheduler: its id maps to ours, so a retried request books once.
  await sql`CREATE TABLE appointment_external_ref (
    tenant_id TEXT NOT NULL REFERENCES tenant(id),
    external_id TEXT NOT NULL,
    appointment_id TEXT NOT NULL REFERENCES appointment(id),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, external_id)
  ) STRICT`.execute(db);
}
