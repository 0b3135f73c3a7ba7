import { sql, type Kysely } from 'kysely';

// Frozen: never import application code here.
export async function up(db: Kysely<any>): Promise<void> {
  // 0400 gave tickets `remote` and `held_at`, which the waiting-line reads now select: the covering
  // index of 0160 is rebuilt with them so those reads still never leave it.
  await sql`DROP INDEX ticket_waiting_line`.execute(db);
  await sql`CREATE INDEX ticket_waiting_line ON ticket (queue_id, created_at, priority, appointment_at, remote, held_at, id, public_id, number)
    WHERE status = 'en_attente'`.execute(db);
}
