import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kysely, Migrator, SqliteDialect, type MigrationProvider } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { appendAudit, SYSTEM_ACTOR } from '../../../branch-server/db/repositories/audit.repository.ts';
import { loadWaiting } from '../../../branch-server/db/repositories/tickets.repository.ts';
import { migrateToLatest, MigrationError } from '../../../branch-server/db/migrate.ts';
import { MIGRATIONS } from '../../../branch-server/db/migrations/index.ts';
import { Db, openSqlite, type SqliteHandle } from '../../../branch-server/db/sqlite.ts';

const MIGRATIONS_DIR = join(import.meta.dirname, '../../../branch-server/db/migrations');

/**
 * What each frozen migration creates. A migration added later (0100, …) is still applied step by step
 * and checked for STRICT tables below; add its objects here when it is written.
 */
const CREATES: Readonly<Record<string, { tables: string[]; indexes: string[]; triggers?: string[] }>> = {
  '0010-create-tenancy': { tables: ['site', 'tenant', 'tenant_membership', 'user'], indexes: ['tenant_membership_user'] },
  '0020-create-queues': { tables: ['agent_profile', 'agent_queue', 'queue', 'queue_counter', 'service'], indexes: ['queue_tenant_site'] },
  '0030-create-customers': { tables: ['customer'], indexes: ['customer_tenant_created', 'customer_tenant_email', 'customer_tenant_phone'] },
  '0040-create-tickets': {
    tables: ['appointment', 'feedback', 'ticket', 'ticket_event'],
    indexes: [
      'appointment_service_start', 'feedback_tenant_created', 'feedback_ticket_unique', 'ticket_agent_active', 'ticket_event_ticket',
      'ticket_number_unique', 'ticket_queue_created', 'ticket_tenant_created', 'ticket_transferred_from', 'ticket_waiting',
    ],
    triggers: ['ticket_event_no_delete', 'ticket_event_no_update'],
  },
  '0050-create-devices': { tables: ['device', 'display', 'kiosk', 'print_job', 'printer'], indexes: ['device_pairing_code'] },
  '0060-create-notifications': { tables: ['notification', 'notification_template'], indexes: ['notification_tenant_created'] },
  '0070-create-audit-log': { tables: ['audit_log'], indexes: ['audit_log_entity', 'audit_log_tenant_created'], triggers: ['audit_log_no_delete', 'audit_log_no_update'] },
  '0080-create-jobs-and-sync': { tables: ['job', 'sync_deferred', 'sync_outbox', 'sync_rejected', 'sync_state'], indexes: ['job_due'] },
  '0090-create-auth-sessions': { tables: ['auth_session'], indexes: ['auth_session_previous', 'auth_session_user'] },
  '0100-index-ticket-customer': { tables: [], indexes: ['ticket_customer'] },
  '0130-create-sync-snapshot': { tables: ['sync_snapshot_seen'], indexes: ['sync_outbox_customer'] },
  '0140-create-device-agent-hardware': { tables: ['device_input'], indexes: ['device_input_device', 'printer_agent'] },
  '0150-create-ticket-logo': { tables: ['ticket_logo'], indexes: [] },
  '0160-cover-ticket-waiting-line': { tables: [], indexes: ['ticket_waiting_line'] },
  '0200-notification-delivery': {
    tables: ['appointment_external_ref', 'event_cursor', 'notification_provider', 'notification_quiet_hours', 'notification_settings', 'webhook_delivery', 'webhook_subscription'],
    indexes: ['notification_dedupe', 'notification_provider_message', 'notification_ticket', 'webhook_delivery_tenant_created'],
  },
  '0400-appointment-scheduling': {
    tables: ['day_summary', 'remote_join', 'service_booking_rule', 'site_opening_hours'],
    indexes: ['appointment_scheduled_start', 'remote_join_phone', 'remote_join_service_day'],
  },
  '0410-cover-remote-waiting-line': { tables: [], indexes: [] },
  '0420-count-waiting-walk-ins': {
    tables: ['queue_waiting'], indexes: ['ticket_waiting_appointments'],
    triggers: ['ticket_walk_in_deleted', 'ticket_walk_in_inserted', 'ticket_walk_in_joined', 'ticket_walk_in_left'],
  },
  '0300-data-protection': { tables: ['customer_consent'], indexes: ['customer_consent_customer', 'feedback_comment_created', 'notification_created'] },
};

/** Kysely's bookkeeping tables and SQLite's own are not ours to check. */
const isOurs = (name: string) => !name.startsWith('sqlite_') && !name.startsWith('kysely_');

type SchemaObject = { type: string; name: string; tbl_name: string; sql: string | null };

function schema(sqlite: SqliteHandle): SchemaObject[] {
  return (sqlite.prepare('SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY type, name').all() as SchemaObject[])
    .filter((o) => isOurs(o.name));
}

function names(objects: SchemaObject[], type: string): string[] {
  return objects.filter((o) => o.type === type && !o.name.startsWith('sqlite_autoindex_')).map((o) => o.name).sort();
}

const open: SqliteHandle[] = [];
function freshDb(): SqliteHandle {
  const sqlite = openSqlite(':memory:');
  open.push(sqlite);
  return sqlite;
}
afterEach(() => {
  for (const sqlite of open.splice(0)) if (sqlite.open) sqlite.close();
});

function migratorFor(sqlite: SqliteHandle): { kysely: Kysely<unknown>; migrator: Migrator } {
  // The Kysely instance must not close the shared connection on destroy.
  const kysely = new Kysely<unknown>({ dialect: new SqliteDialect({ database: { close: () => undefined, prepare: (s: string) => sqlite.prepare(s) } }) });
  const provider: MigrationProvider = { getMigrations: async () => ({ ...MIGRATIONS }) };
  return { kysely, migrator: new Migrator({ db: kysely, provider }) };
}

describe('migrations', () => {
  // Numbers are multiples of 10 and increase; parallel branches own separate ranges (0200–0290…), so gaps are allowed.
  it('registers numbered names in steps of 10, sorted, one per file on disk', () => {
    const registered = Object.keys(MIGRATIONS);
    expect(registered.length).toBeGreaterThanOrEqual(Object.keys(CREATES).length);
    registered.forEach((name, i) => {
      expect(name).toMatch(/^\d{4}-[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(Number(name.slice(0, 4)) % 10, name).toBe(0);
      if (i > 0) expect(Number(name.slice(0, 4)), name).toBeGreaterThan(Number(registered[i - 1]!.slice(0, 4)));
      expect(typeof MIGRATIONS[name]!.up).toBe('function');
    });
    expect([...registered].sort()).toEqual(registered);
    const files = readdirSync(MIGRATIONS_DIR).filter((f) => f !== 'index.ts').map((f) => f.replace(/\.ts$/, '')).sort();
    expect(files).toEqual(registered);
    for (const name of Object.keys(CREATES)) expect(registered).toContain(name);
  });

  it('keeps every migration frozen: it imports nothing but kysely', () => {
    for (const file of readdirSync(MIGRATIONS_DIR).filter((f) => f !== 'index.ts')) {
      const text = readFileSync(join(MIGRATIONS_DIR, file), 'utf8');
      const specifiers = [
        ...text.matchAll(/\bimport\s+(?:type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]/g),
        ...text.matchAll(/\b(?:import|require)\s*\(\s*['"]([^'"]+)['"]\s*\)/g),
        ...text.matchAll(/\bexport\s+[^'";]*?\s+from\s+['"]([^'"]+)['"]/g),
      ].map((m) => m[1]);
      expect(specifiers.length, file).toBeGreaterThan(0);
      expect(new Set(specifiers), file).toEqual(new Set(['kysely']));
    }
  });

  it('applies the registry one step at a time, each step creating its STRICT tables, indexes and triggers', async () => {
    const sqlite = freshDb();
    const { kysely, migrator } = migratorFor(sqlite);
    try {
      let before = schema(sqlite);
      for (const name of Object.keys(MIGRATIONS)) {
        const { error, results } = await migrator.migrateTo(name);
        expect(error, name).toBeUndefined();
        expect(results?.map((r) => [r.migrationName, r.status])).toEqual([[name, 'Success']]);
        const after = schema(sqlite);
        const known = new Set(before.map((o) => `${o.type}:${o.name}`));
        const added = after.filter((o) => !known.has(`${o.type}:${o.name}`));
        const expected = CREATES[name];
        if (expected) {
          expect(names(added, 'table'), name).toEqual(expected.tables);
          expect(names(added, 'index'), name).toEqual(expected.indexes);
          expect(names(added, 'trigger'), name).toEqual(expected.triggers ?? []);
        }
        const tables = sqlite.prepare(`SELECT name, strict FROM pragma_table_list WHERE schema = 'main' AND type = 'table'`).all() as { name: string; strict: number }[];
        const notStrict = tables.filter((tb) => isOurs(tb.name) && tb.strict !== 1).map((tb) => tb.name);
        expect(notStrict, `after ${name}`).toEqual([]);
        before = after;
      }
    } finally {
      await kysely.destroy();
    }
    // The step-by-step database is exactly what the app's migrateToLatest considers up to date.
    expect(await migrateToLatest(sqlite)).toEqual([]);
    expect(sqlite.pragma('foreign_key_check')).toEqual([]);
  });

  it('makes STRICT tables refuse a value of the wrong type', async () => {
    const sqlite = freshDb();
    await migrateToLatest(sqlite);
    expect(() => sqlite.prepare(`INSERT INTO tenant (id, name, slug, created_at, updated_at) VALUES ('t', 'T', 't', 'yesterday', 0)`).run())
      .toThrow(/cannot store TEXT value in INTEGER column/);
  });

  it('is idempotent: migrating an up-to-date database does nothing', async () => {
    const sqlite = freshDb();
    expect(await migrateToLatest(sqlite)).toEqual(Object.keys(MIGRATIONS));
    const once = schema(sqlite);
    expect(await migrateToLatest(sqlite)).toEqual([]);
    expect(await migrateToLatest(sqlite)).toEqual([]);
    expect(schema(sqlite)).toEqual(once);
    expect(sqlite.prepare('SELECT count(*) FROM kysely_migration').pluck().get()).toBe(Object.keys(MIGRATIONS).length);
  });

  it('refuses a database written by a newer version, saying so, and leaves it untouched', async () => {
    const sqlite = freshDb();
    await migrateToLatest(sqlite);
    sqlite.prepare('INSERT INTO kysely_migration (name, timestamp) VALUES (?, ?)').run('9990-from-a-newer-version', new Date().toISOString());
    const before = schema(sqlite);
    const error = await migrateToLatest(sqlite).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as Error).message).toMatch(/written by a newer version/);
    expect((error as Error).message).toContain('9990-from-a-newer-version');
    expect(schema(sqlite)).toEqual(before);
  });

  it('keeps ticket_event and audit_log append-only, and one number per queue, day and sequence', async () => {
    const sqlite = freshDb();
    await migrateToLatest(sqlite);
    const ids = seedQueue(sqlite);
    insertTicket(sqlite, ids, { id: 't1', seq: 1, status: 'en_attente' });
    expect(() => insertTicket(sqlite, ids, { id: 't2', seq: 1, status: 'en_attente' })).toThrow(/UNIQUE constraint failed/);
    sqlite.prepare(`INSERT INTO ticket_event (id, tenant_id, ticket_id, type, to_status, created_at) VALUES ('e1', ?, 't1', 'ticket.created', 'en_attente', 0)`).run(ids.tenant);
    expect(() => sqlite.prepare(`UPDATE ticket_event SET reason = 'x'`).run()).toThrow(/append-only/);
    expect(() => sqlite.prepare(`DELETE FROM ticket_event`).run()).toThrow(/append-only/);
    appendAudit(new Db(sqlite), SYSTEM_ACTOR, { tenantId: ids.tenant, action: 'test', entity: 'tenant', entityId: ids.tenant }, 0);
    expect(() => sqlite.prepare(`UPDATE audit_log SET action = 'x'`).run()).toThrow(/append-only/);
    expect(() => sqlite.prepare(`DELETE FROM audit_log`).run()).toThrow(/append-only/);
  });
});

type Ids = { tenant: string; site: string; queues: [string, string] };

function seedQueue(sqlite: SqliteHandle): Ids {
  const ids: Ids = { tenant: 'tenant-1', site: 'site-1', queues: ['queue-a', 'queue-b'] };
  sqlite.prepare(`INSERT INTO tenant (id, name, slug, created_at, updated_at) VALUES (?, 'T', 't', 0, 0)`).run(ids.tenant);
  sqlite.prepare(`INSERT INTO site (id, tenant_id, name, slug, timezone, created_at, updated_at) VALUES (?, ?, 'S', 's', 'UTC', 0, 0)`).run(ids.site, ids.tenant);
  sqlite.prepare(`INSERT INTO service (id, tenant_id, name, created_at, updated_at) VALUES ('service-1', ?, 'Svc', 0, 0)`).run(ids.tenant);
  for (const [i, q] of ids.queues.entries()) {
    sqlite.prepare(`INSERT INTO queue (id, tenant_id, site_id, service_id, name, prefix, created_at, updated_at) VALUES (?, ?, ?, 'service-1', ?, ?, 0, 0)`)
      .run(q, ids.tenant, ids.site, `Q${i}`, i === 0 ? 'A' : 'B');
  }
  return ids;
}

function insertTicket(sqlite: SqliteHandle, ids: Ids, t: { id: string; seq: number; status: string; queue?: string; day?: string; at?: number }): void {
  sqlite.prepare(`INSERT INTO ticket (id, tenant_id, site_id, queue_id, public_id, number, seq, business_date, channel, status, created_at, updated_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'kiosk', ?, ?, ?)`)
    .run(t.id, ids.tenant, ids.site, t.queue ?? ids.queues[0], `public-${t.id}`, `A${t.seq}`, t.seq, t.day ?? '2025-01-01', t.status, t.at ?? t.seq, t.at ?? t.seq);
}

/** A Db whose statements report the SQL and parameters they ran, to EXPLAIN exactly what the app executes. */
function recordingDb(sqlite: SqliteHandle): { db: Db; ran: { sql: string; params: unknown[] }[] } {
  const ran: { sql: string; params: unknown[] }[] = [];
  const wrap = (sqlText: string) => {
    const statement = sqlite.prepare(sqlText);
    const record = <F extends (...params: unknown[]) => unknown>(fn: F) => (...params: unknown[]) => {
      ran.push({ sql: sqlText, params });
      return fn.apply(statement, params);
    };
    const wrapper = {
      reader: statement.reader, all: record(statement.all), get: record(statement.get), run: record(statement.run),
      raw(on?: boolean) {
        statement.raw(on);
        return wrapper;
      },
    };
    return wrapper;
  };
  const handle = { prepare: wrap, get inTransaction() { return sqlite.inTransaction; }, transaction: sqlite.transaction.bind(sqlite), open: true, close() {} };
  return { db: new Db(handle as unknown as SqliteHandle), ran };
}

function queryPlan(sqlite: SqliteHandle, q: { sql: string; params: unknown[] }): string[] {
  return (sqlite.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all(...q.params) as { detail: string }[]).map((r) => r.detail);
}

describe('query plans of the hot paths', () => {
  it('finds the waiting tickets of call-next in the ticket_waiting_line index alone, whatever the history size', async () => {
    const sqlite = freshDb();
    await migrateToLatest(sqlite);
    const ids = seedQueue(sqlite);
    sqlite.transaction(() => {
      // A long history of finished tickets in both queues, and a few waiting ones.
      for (let i = 1; i <= 3000; i += 1) insertTicket(sqlite, ids, { id: `done-${i}`, seq: i, status: 'clos', queue: ids.queues[i % 2], day: `2024-01-${String((i % 28) + 1).padStart(2, '0')}` });
      for (let i = 1; i <= 4; i += 1) insertTicket(sqlite, ids, { id: `wait-${i}`, seq: i, status: 'en_attente', queue: ids.queues[i % 2], at: 10_000 + i });
    })();

    const { db, ran } = recordingDb(sqlite);
    const waiting = loadWaiting(db, ids.queues);
    expect(waiting.map((w) => w.id).sort()).toEqual(['wait-1', 'wait-2', 'wait-3', 'wait-4']);
    expect(ran).toHaveLength(1);
    const plan = queryPlan(sqlite, ran[0]!);
    expect(plan.join('\n')).toMatch(/USING COVERING INDEX ticket_waiting_line\b/);
    expect(plan.some((line) => /^SCAN ticket\b/.test(line))).toBe(false);

    // One queue only: the same index.
    ran.length = 0;
    expect(loadWaiting(db, [ids.queues[0]]).map((w) => w.id).sort()).toEqual(['wait-2', 'wait-4']);
    expect(queryPlan(sqlite, ran[0]!).join('\n')).toMatch(/USING COVERING INDEX ticket_waiting_line\b/);
  });

  it('reads the tail of the audit chain straight from the primary key, without a sort', async () => {
    const sqlite = freshDb();
    await migrateToLatest(sqlite);
    const ids = seedQueue(sqlite);
    const { db, ran } = recordingDb(sqlite);
    db.tx(() => {
      for (let i = 0; i < 500; i += 1) appendAudit(db, SYSTEM_ACTOR, { tenantId: ids.tenant, action: 'test', entity: 'tenant', entityId: ids.tenant }, i);
    });
    const tail = ran.find((q) => /^select\b.*\bfrom "?audit_log"?/i.test(q.sql));
    expect(tail, 'appendAudit reads the previous hash').toBeDefined();
    const plan = queryPlan(sqlite, tail!);
    // Ordered by seq (the INTEGER PRIMARY KEY, i.e. the rowid b-tree itself): no other index, no temp b-tree.
    expect(plan).toEqual(['SCAN audit_log']);
    const opcodes = (sqlite.prepare(`EXPLAIN ${tail!.sql}`).all(...tail!.params) as { opcode: string }[]).map((r) => r.opcode);
    expect(opcodes).toContain('Last'); // seeks to the end of the primary key
    expect(opcodes).not.toContain('SorterOpen');
    expect(opcodes).not.toContain('OpenEphemeral');
  });
});
