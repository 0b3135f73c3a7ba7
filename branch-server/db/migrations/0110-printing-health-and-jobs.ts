import { sql, type Kysely } from 'kysely';

// Frozen: never import application code here.
export async function up(db: Kysely<any>): Promise<void> {
  // Printer health as last read with DLE EOT before a job (or by a test page).
  await sql`ALTER TABLE printer ADD COLUMN online INTEGER CHECK (online IN (0, 1))`.execute(db);
  await sql`ALTER TABLE printer ADD COLUMN paper TEXT NOT NULL DEFAULT 'unknown' CHECK (paper IN ('ok', 'near-end', 'out', 'unknown'))`.execute(db);
  await sql`ALTER TABLE printer ADD COLUMN last_error TEXT NOT NULL DEFAULT ''`.execute(db);
  await sql`ALTER TABLE printer ADD COLUMN last_seen_at INTEGER`.execute(db);
  await sql`ALTER TABLE printer ADD COLUMN last_checked_at INTEGER`.execute(db);

  // Jobs sharing an ordering key run one at a time, oldest first (print jobs of one printer).
  await sql`ALTER TABLE job ADD COLUMN ordering_key TEXT`.execute(db);
  await sql`CREATE INDEX job_ordering ON job (ordering_key, id) WHERE status IN ('pending', 'running')`.execute(db);

  // print_job gains its kind, the 'waiting' status (paper out, no fallback) and where it printed.
  // SQLite cannot change a CHECK constraint in place: the table is rebuilt (nothing references it).
  await sql`CREATE TABLE print_job_next (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenant(id),
    printer_id TEXT NOT NULL REFERENCES printer(id),
    ticket_id TEXT REFERENCES ticket(id),
    kind TEXT NOT NULL DEFAULT 'ticket' CHECK (kind IN ('ticket', 'reprint', 'test')),
    payload BLOB,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'printing', 'waiting', 'printed', 'failed')),
    printed_on_printer_id TEXT,
    printer_state TEXT NOT NULL DEFAULT '',
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    printed_at INTEGER
  ) STRICT`.execute(db);
  await sql`INSERT INTO print_job_next (id, tenant_id, printer_id, ticket_id, payload, status, attempts, last_error, created_at, updated_at)
    SELECT id, tenant_id, printer_id, ticket_id, payload, status, attempts, last_error, created_at, updated_at FROM print_job`.execute(db);
  await sql`DROP TABLE print_job`.execute(db);
  await sql`ALTER TABLE print_job_next RENAME TO print_job`.execute(db);
  await sql`CREATE INDEX print_job_printer ON print_job (printer_id, created_at)`.execute(db);
  await sql`CREATE INDEX print_job_ticket ON print_job (ticket_id) WHERE ticket_id IS NOT NULL`.execute(db);
}
