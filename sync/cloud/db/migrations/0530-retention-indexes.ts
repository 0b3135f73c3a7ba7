import { sql, type Kysely } from 'kysely';

// Frozen: never import application code here.

/**
 * The cloud's nightly retention looks for old rows that still hold personal data. Partial indexes
 * on exactly those predicates keep each night's look small once the history has been cleaned (the
 * predicates are repeated word for word in use-cases/retention.ts so the planner can use them).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE INDEX ticket_personal_created ON ticket (tenant_id, created_at)
    WHERE (customer_id IS NOT NULL OR coalesce(data->>'customer_name', '') <> '' OR coalesce(data->>'customer_phone', '') <> '')`.execute(db);
  await sql`CREATE INDEX appointment_personal_starts ON appointment (tenant_id, starts_at)
    WHERE (customer_id IS NOT NULL OR coalesce(data->>'customer_name', '') <> '' OR coalesce(data->>'customer_phone', '') <> '')`.execute(db);
  await sql`CREATE INDEX feedback_personal_created ON feedback (tenant_id, created_at)
    WHERE (customer_id IS NOT NULL OR coalesce(data->>'comment', '') <> '')`.execute(db);
  await sql`CREATE INDEX audit_log_unredacted_created ON audit_log (tenant_id, created_at) WHERE data->>'redacted_at' IS NULL`.execute(db);
}
