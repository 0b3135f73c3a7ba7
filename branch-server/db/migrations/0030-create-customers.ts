import { sql, type Kysely } from 'kysely';

// Frozen: never import application code here.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE TABLE customer (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenant(id),
    external_ref TEXT,
    first_name TEXT NOT NULL DEFAULT '',
    last_name TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    language TEXT NOT NULL DEFAULT 'fr',
    notify_sms INTEGER NOT NULL DEFAULT 0,
    notify_email INTEGER NOT NULL DEFAULT 0,
    notify_whatsapp INTEGER NOT NULL DEFAULT 0,
    consents TEXT NOT NULL DEFAULT '{}',
    tags TEXT NOT NULL DEFAULT '[]',
    metadata TEXT NOT NULL DEFAULT '{}',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  ) STRICT`.execute(db);
  await sql`CREATE INDEX customer_tenant_phone ON customer (tenant_id, phone)`.execute(db);
  await sql`CREATE INDEX customer_tenant_email ON customer (tenant_id, email)`.execute(db);
  await sql`CREATE INDEX customer_tenant_created ON customer (tenant_id, created_at)`.execute(db);
}
