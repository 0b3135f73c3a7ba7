import { Kysely, Migrator, SqliteDialect, type MigrationProvider } from 'kysely';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../../branch-server/db/migrations/index.ts';
import { openSqlite } from '../../../branch-server/db/sqlite.ts';

describe('migration 0110 (printer health, job ordering, print_job rebuilt)', () => {
  it('keeps existing print jobs and printers, and lets print_job hold the waiting status it could not before', async () => {
    const sqlite = openSqlite(':memory:');
    const kysely = new Kysely<unknown>({ dialect: new SqliteDialect({ database: { close: () => undefined, prepare: (s: string) => sqlite.prepare(s) } }) });
    const provider: MigrationProvider = { getMigrations: async () => ({ ...MIGRATIONS }) };
    const migrator = new Migrator({ db: kysely, provider });
    try {
      expect((await migrator.migrateTo('0100-index-ticket-customer')).error).toBeUndefined();
      sqlite.prepare(`INSERT INTO tenant (id, name, slug, created_at, updated_at) VALUES ('t1', 'T', 't', 1, 1)`).run();
      sqlite.prepare(`INSERT INTO printer (id, tenant_id, name, transport, host, port, created_at, updated_at) VALUES ('p1', 't1', 'Hall', 'network', '10.0.0.9', 9100, 1, 1)`).run();
      sqlite.prepare(`INSERT INTO print_job (id, tenant_id, printer_id, payload, status, attempts, last_error, created_at, updated_at) VALUES ('j1', 't1', 'p1', X'7B7D', 'failed', 2, 'jam', 5, 6)`).run();
      expect(() => sqlite.prepare(`UPDATE print_job SET status = 'waiting'`).run()).toThrow(/CHECK/);

      expect((await migrator.migrateTo('0110-printing-health-and-jobs')).error).toBeUndefined();
      expect(sqlite.prepare('SELECT id, printer_id, status, attempts, last_error, kind, printed_at, created_at FROM print_job').all()).toEqual([
        { id: 'j1', printer_id: 'p1', status: 'failed', attempts: 2, last_error: 'jam', kind: 'ticket', printed_at: null, created_at: 5 },
      ]);
      expect(sqlite.prepare('SELECT name, online, paper, last_error, last_seen_at FROM printer').get()).toEqual({ name: 'Hall', online: null, paper: 'unknown', last_error: '', last_seen_at: null });
      sqlite.prepare(`UPDATE print_job SET status = 'waiting'`).run();
      expect(() => sqlite.prepare(`UPDATE printer SET paper = 'soggy'`).run()).toThrow(/CHECK/);
      expect((sqlite.prepare(`SELECT strict FROM pragma_table_list WHERE name = 'print_job'`).get() as { strict: number }).strict).toBe(1);
      expect(sqlite.pragma('foreign_key_check')).toEqual([]);
    } finally {
      await kysely.destroy();
      sqlite.close();
    }
  });
});
