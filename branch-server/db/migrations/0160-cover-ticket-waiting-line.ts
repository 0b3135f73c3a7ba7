import { sql, type Kysely } from 'kysely';

// Frozen: never import application code here.
export async function up(db: Kysely<any>): Promise<void> {
  // The waiting line is read on every issuance (position of the newcomer), call-next, ETA push and
  // display update. ticket_waiting held (queue_id, created_at) only, so each waiting ticket cost a
  // lookup of its table row; with a morning rush of ~900 waiting per queue that lookup dominated.
  // This index carries every column those reads need, so they never leave it (COVERING INDEX).
  await sql`CREATE INDEX ticket_waiting_line ON ticket (queue_id, created_at, priority, appointment_at, id, public_id, number)
    WHERE status = 'en_attente'`.execute(db);
  await sql`DROP INDEX ticket_waiting`.execute(db);
}
