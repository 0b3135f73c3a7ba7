import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Db, openSqlite } from '../../branch-server/db/sqlite.ts';
import { migrateToLatest } from '../../branch-server/db/migrate.ts';
import { createTenant, type DemoData } from '../../branch-server/use-cases/create-tenant.ts';

export const SLUG = 'bench-bank';
export const ADMIN = { email: 'admin@bench-bank.com', password: 'bench-admin-password' } as const;

export type Tenant = Readonly<{ dataDir: string; file: string; tenantId: string; demo: DemoData }>;

/** The demo tenant written straight into a fresh database (the server is started afterwards). */
export async function createTenantOn(dataDir: string): Promise<Tenant> {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, 'branch.sqlite');
  const sqlite = openSqlite(file);
  await migrateToLatest(sqlite);
  const db = new Db(sqlite);
  try {
    const created = await createTenant(db, {
      name: 'Bench Bank', slug: SLUG, adminEmail: ADMIN.email, adminPassword: ADMIN.password, withDemoData: true,
    }, Date.now());
    return { dataDir, file, tenantId: created.tenantId, demo: created.demo! };
  } finally {
    db.close();
  }
}
