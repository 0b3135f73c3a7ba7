import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrateToLatest } from '../../branch-server/db/migrate.ts';
import { Db, openSqlite } from '../../branch-server/db/sqlite.ts';
import { createTenant, type DemoData } from '../../branch-server/use-cases/create-tenant.ts';

export type DemoDb = Readonly<{ db: Db; tenantId: string; demo: DemoData; close(): void }>;

/** A branch database file in a temporary folder, migrated, holding the demo tenant (no server). */
export async function openDemoDb(prefix: string, now: number): Promise<DemoDb> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const sqlite = openSqlite(join(dir, 'branch.sqlite'));
  await migrateToLatest(sqlite);
  const db = new Db(sqlite);
  const created = await createTenant(db, { name: 'Bank', slug: 'bank', adminEmail: 'a@bank.test', adminPassword: 'password-123', withDemoData: true }, now);
  return {
    db, tenantId: created.tenantId, demo: created.demo!,
    close() {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
