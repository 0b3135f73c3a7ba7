import { sql, type Kysely } from 'kysely';

// Frozen: never import application code here.
export async function up(db: Kysely<any>): Promise<void> {
  // A kiosk ticket is placed behind every walk-in already waiting. Counted from the waiting-line index,
  // that cost grew with the line (0.2 ms of every issuance at 4,000 waiting, a fifth of the server's
  // time in the rush benchmark). The count is kept per queue by triggers, so it is exact whichever
  // path writes a ticket (issuance, call, transfer, restore, sync, retention); the due appointments,
  // a count that depends on the time, get an index of their own that holds only them.
  await sql`CREATE TABLE queue_waiting (
    queue_id TEXT PRIMARY KEY,
    walk_ins INTEGER NOT NULL
  ) STRICT, WITHOUT ROWID`.execute(db);
  await sql`INSERT INTO queue_waiting (queue_id, walk_ins)
    SELECT queue_id, count(*) FROM ticket WHERE status = 'en_attente' AND appointment_at IS NULL GROUP BY queue_id`.execute(db);

  await sql`CREATE TRIGGER ticket_walk_in_inserted AFTER INSERT ON ticket
    WHEN new.status = 'en_attente' AND new.appointment_at IS NULL
    BEGIN
      INSERT INTO queue_waiting (queue_id, walk_ins) VALUES (new.queue_id, 1)
        ON CONFLICT (queue_id) DO UPDATE SET walk_ins = walk_ins + 1;
    END`.execute(db);
  await sql`CREATE TRIGGER ticket_walk_in_deleted AFTER DELETE ON ticket
    WHEN old.status = 'en_attente' AND old.appointment_at IS NULL
    BEGIN
      UPDATE queue_waiting SET walk_ins = walk_ins - 1 WHERE queue_id = old.queue_id;
    END`.execute(db);
  await sql`CREATE TRIGGER ticket_walk_in_left AFTER UPDATE OF status, appointment_at, queue_id ON ticket
    WHEN old.status = 'en_attente' AND old.appointment_at IS NULL
      AND NOT (new.status = 'en_attente' AND new.appointment_at IS NULL AND new.queue_id = old.queue_id)
    BEGIN
      UPDATE queue_waiting SET walk_ins = walk_ins - 1 WHERE queue_id = old.queue_id;
    END`.execute(db);
  await sql`CREATE TRIGGER ticket_walk_in_joined AFTER UPDATE OF status, appointment_at, queue_id ON ticket
    WHEN new.status = 'en_attente' AND new.appointment_at IS NULL
      AND NOT (old.status = 'en_attente' AND old.appointment_at IS NULL AND old.queue_id = new.queue_id)
    BEGIN
      INSERT INTO queue_waiting (queue_id, walk_ins) VALUES (new.queue_id, 1)
        ON CONFLICT (queue_id) DO UPDATE SET walk_ins = walk_ins + 1;
    END`.execute(db);

  await sql`CREATE INDEX ticket_waiting_appointments ON ticket (queue_id, appointment_at, id)
    WHERE status = 'en_attente' AND appointment_at IS NOT NULL`.execute(db);
}
