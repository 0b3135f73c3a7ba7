import { sql, type Kysely } from 'kysely';

// Frozen: never import application code here.
export async function up(db: Kysely<any>): Promise<void> {
  // A branch's sealed day (counts, waits, no-shows), uploaded once at closing time; one per site and date.
  await sql`CREATE TABLE day_summary (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL REFERENCES tenant(id),
    site_id uuid NOT NULL,
    device_id uuid NOT NULL,
    business_date text NOT NULL,
    sealed_at bigint NOT NULL,
    received_at bigint NOT NULL,
    data jsonb NOT NULL,
    UNIQUE (site_id, business_date)
  )`.execute(db);
  await sql`CREATE INDEX day_summary_tenant_date ON day_summary (tenant_id, business_date)`.execute(db);
  await sql`GRANT SELECT, INSERT, UPDATE, DELETE ON day_summary TO sq_app`.execute(db);
  const current = `nullif(current_setting('app.tenant_id', true), '')::uuid`;
  await sql.raw('ALTER TABLE day_summary ENABLE ROW LEVEL SECURITY').execute(db);
  await sql.raw('ALTER TABLE day_summary FORCE ROW LEVEL SECURITY').execute(db);
  await sql.raw(`CREATE POLICY tenant_isolation ON day_summary USING (tenant_id = ${current}) WITH CHECK (tenant_id = ${current})`).execute(db);
  await sql.raw(`CREATE POLICY owner_all ON day_summary TO CURRENT_USER USING (${current} IS NULL) WITH CHECK (${current} IS NULL)`).execute(db);
}
