import { sql, type Kysely } from 'kysely';

// Frozen: never import application code here.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE TABLE notification_template (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenant(id),
    key TEXT NOT NULL,
    channel TEXT NOT NULL CHECK (channel IN ('sms', 'whatsapp', 'email', 'push')),
    language TEXT NOT NULL DEFAULT 'fr',
    subject TEXT NOT NULL DEFAULT '',
    body TEXT NOT NULL,
    is_active INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (tenant_id, key, channel, language)
  ) STRICT`.execute(db);

  await sql`CREATE TABLE notification (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenant(id),
    ticket_id TEXT REFERENCES ticket(id),
    customer_id TEXT REFERENCES customer(id),
    channel TEXT NOT NULL CHECK (channel IN ('sms', 'whatsapp', 'email', 'push')),
    template_key TEXT NOT NULL DEFAULT '',
    recipient TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed', 'delivered')),
    provider_id TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    sent_at INTEGER,
    updated_at INTEGER NOT NULL
  ) STRICT`.execute(db);
  await sql`CREATE INDEX notification_tenant_created ON notification (tenant_id, created_at)`.execute(db);
}
