import { sql, type Kysely } from 'kysely';

// Frozen: never import application code here.

/** HQ sees each branch's newest verified database backup (reported with the sync ack). */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE device ADD COLUMN last_backup_at bigint`.execute(db);
  await sql`ALTER TABLE device ADD COLUMN last_backup_ok boolean`.execute(db);
}
