import { sql, type Kysely } from 'kysely';

// Frozen: never import application code here.

/** Every table that holds one tenant's rows. */
const TENANT_TABLES = [
  'tenant_feed_counter', 'change_feed', 'site', 'service', 'queue', 'tenant_membership', 'agent_queue',
  'notification_template', 'enrollment_token', 'device', 'sync_dead_letter', 'ticket', 'ticket_event', 'feedback',
  'audit_log', 'appointment', 'customer', 'customer_key',
];

/**
 * Tenant isolation in the database itself: tenant-scoped work runs as `sq_app` with `app.tenant_id`
 * set for the transaction, and the policies hide every other tenant's rows, even from a query that
 * forgot its tenant filter. FORCE makes the policies apply to the tables' owner too.
 */
export async function up(db: Kysely<any>): Promise<void> {
  // Roles are cluster-wide: another database on the same server may have made it already.
  await sql.raw(`DO $$ BEGIN
      CREATE ROLE sq_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END $$`).execute(db);
  await sql`GRANT USAGE ON SCHEMA public TO sq_app`.execute(db);
  await sql`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO sq_app`.execute(db);

  const current = `nullif(current_setting('app.tenant_id', true), '')::uuid`;
  for (const table of TENANT_TABLES) {
    await sql.raw(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`).execute(db);
    await sql.raw(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`).execute(db);
    await sql.raw(`CREATE POLICY tenant_isolation ON ${table} USING (tenant_id = ${current}) WITH CHECK (tenant_id = ${current})`).execute(db);
    // The owner (migrations, enrollment, super-admin work) runs without a tenant and sees everything.
    await sql.raw(`CREATE POLICY owner_all ON ${table} TO CURRENT_USER USING (${current} IS NULL) WITH CHECK (${current} IS NULL)`).execute(db);
  }
  await sql.raw(`ALTER TABLE tenant ENABLE ROW LEVEL SECURITY`).execute(db);
  await sql.raw(`ALTER TABLE tenant FORCE ROW LEVEL SECURITY`).execute(db);
  await sql.raw(`CREATE POLICY tenant_isolation ON tenant USING (id = ${current}) WITH CHECK (id = ${current})`).execute(db);
  await sql.raw(`CREATE POLICY owner_all ON tenant TO CURRENT_USER USING (${current} IS NULL) WITH CHECK (${current} IS NULL)`).execute(db);
  // A user is visible to a tenant's work only while a member of it.
  await sql.raw(`ALTER TABLE app_user ENABLE ROW LEVEL SECURITY`).execute(db);
  await sql.raw(`ALTER TABLE app_user FORCE ROW LEVEL SECURITY`).execute(db);
  const member = 'EXISTS (SELECT 1 FROM tenant_membership m WHERE m.user_id = app_user.id)';
  await sql.raw(`CREATE POLICY member_read ON app_user FOR SELECT USING (${member})`).execute(db);
  await sql.raw(`CREATE POLICY member_update ON app_user FOR UPDATE USING (${member}) WITH CHECK (${member})`).execute(db);
  // Staff are global: a tenant admin may add a new person, who becomes visible once made a member.
  await sql.raw(`CREATE POLICY add_person ON app_user FOR INSERT WITH CHECK (true)`).execute(db);
  await sql.raw(`CREATE POLICY owner_all ON app_user TO CURRENT_USER USING (${current} IS NULL) WITH CHECK (${current} IS NULL)`).execute(db);
}
