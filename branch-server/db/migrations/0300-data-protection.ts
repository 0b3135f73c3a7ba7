import { sql, type Kysely } from 'kysely';

// Frozen: never import application code here.

/**
 * Data protection (retention itself is `tenant.data_retention_days`, from 0010): the consents customers
 * gave (purpose, yes or no, when, through which channel), and audit rows that can lose personal
 * data without breaking their hash chain: the chain hashes a digest of `before` and `after`, and a
 * redacted row keeps the digests of what was there (`before_digest`, `after_digest`).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE audit_log ADD COLUMN before_digest TEXT`.execute(db);
  await sql`ALTER TABLE audit_log ADD COLUMN after_digest TEXT`.execute(db);
  await sql`ALTER TABLE audit_log ADD COLUMN redacted_at INTEGER`.execute(db);
  await sql`CREATE TABLE customer_consent (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenant(id),
    customer_id TEXT NOT NULL REFERENCES customer(id) ON DELETE CASCADE,
    purpose TEXT NOT NULL CHECK (purpose IN ('sms', 'email', 'whatsapp', 'push', 'marketing', 'feedback')),
    granted INTEGER NOT NULL CHECK (granted IN (0, 1)),
    channel TEXT NOT NULL CHECK (channel IN ('kiosk', 'web', 'app', 'qr', 'whatsapp', 'counter', 'phone', 'paper', 'hq')),
    recorded_at INTEGER NOT NULL,
    recorded_by TEXT
  ) STRICT`.execute(db);
  await sql`CREATE INDEX customer_consent_customer ON customer_consent (customer_id, recorded_at)`.execute(db);
  // The retention job looks for old rows that still hold personal data.
  await sql`CREATE INDEX feedback_comment_created ON feedback (created_at) WHERE comment != ''`.execute(db);
  await sql`CREATE INDEX notification_created ON notification (created_at) WHERE recipient != ''`.execute(db);
}
