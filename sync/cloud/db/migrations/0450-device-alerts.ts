import { sql, type Kysely } from 'kysely';

// Frozen: never import application code here.

/** HQ lists each branch's printer and display alerts, as the branch last reported them with its sync ack. */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE device ADD COLUMN device_alerts jsonb NOT NULL DEFAULT '[]'::jsonb`.execute(db);
  await sql`ALTER TABLE device ADD COLUMN device_alerts_at bigint`.execute(db);
}
