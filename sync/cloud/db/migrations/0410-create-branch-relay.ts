import { sql, type Kysely } from 'kysely';

// Frozen: never import application code here.
export async function up(db: Kysely<any>): Promise<void> {
  // Which cloud process holds an enrolled branch's relay socket (one per site; the newest wins).
  // `seen_at` is refreshed by the holder's heartbeat: a process that died leaves a row that goes stale.
  await sql`CREATE TABLE relay_presence (
    site_id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL REFERENCES tenant(id),
    device_id uuid NOT NULL,
    instance_id uuid NOT NULL,
    connected_at bigint NOT NULL,
    seen_at bigint NOT NULL
  )`.execute(db);
  // Tickets joined through the cloud's public page: which branch to ask when the customer tracks one.
  await sql`CREATE TABLE relay_ticket (
    public_id text PRIMARY KEY,
    tenant_id uuid NOT NULL REFERENCES tenant(id),
    site_id uuid NOT NULL,
    created_at bigint NOT NULL
  )`.execute(db);
  await sql`CREATE INDEX relay_ticket_created ON relay_ticket (created_at)`.execute(db);
  const current = `nullif(current_setting('app.tenant_id', true), '')::uuid`;
  for (const table of ['relay_presence', 'relay_ticket']) {
    await sql.raw(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${table} TO sq_app`).execute(db);
    await sql.raw(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`).execute(db);
    await sql.raw(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`).execute(db);
    await sql.raw(`CREATE POLICY tenant_isolation ON ${table} USING (tenant_id = ${current}) WITH CHECK (tenant_id = ${current})`).execute(db);
    await sql.raw(`CREATE POLICY owner_all ON ${table} TO CURRENT_USER USING (${current} IS NULL) WITH CHECK (${current} IS NULL)`).execute(db);
  }
}
