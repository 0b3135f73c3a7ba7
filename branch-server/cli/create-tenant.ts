import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { z } from 'zod';
import { Db, openSqlite } from '../db/sqlite.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { loadConfig } from '../config.ts';
import { createTenant } from '../use-cases/create-tenant.ts';
import { DomainError } from '../domain/errors.ts';
import { parseArgs } from './args.ts';
import { Slug } from '../contract/common.ts';

const Args = z.object({
  name: z.string().min(1, 'is required'),
  slug: Slug,
  'admin-email': z.string().email(),
  'admin-password': z.string().min(8, 'must have at least 8 characters'),
  'with-demo-data': z.literal(true).optional(),
  timezone: z.string().optional(),
});

const USAGE = `Usage: npm run create-tenant -- --name "Demo Bank" --slug demo-bank --admin-email admin@demo-bank.com --admin-password '…' [--with-demo-data] [--timezone Africa/Dakar]`;

async function main(): Promise<void> {
  let argv: Map<string, string | true>;
  try {
    argv = parseArgs(process.argv.slice(2));
  } catch (error) {
    // e.g. `npm run create-tenant --name X` without the `--`: npm keeps the flags and passes the values.
    console.error((error as Error).message);
    console.error(USAGE);
    process.exit(2);
  }
  const parsed = Args.safeParse(Object.fromEntries(argv));
  if (!parsed.success) {
    console.error(parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('\n'));
    console.error(USAGE);
    process.exit(2);
  }
  const a = parsed.data;
  const config = loadConfig();
  mkdirSync(config.dataDir, { recursive: true });
  const sqlite = openSqlite(join(config.dataDir, 'branch.sqlite'));
  await migrateToLatest(sqlite);
  const db = new Db(sqlite);
  try {
    const created = await createTenant(db, {
      name: a.name, slug: a.slug, adminEmail: a['admin-email'], adminPassword: a['admin-password'],
      withDemoData: a['with-demo-data'] === true, ...(a.timezone ? { timezone: a.timezone } : {}),
    }, Date.now());
    console.log(`Tenant "${a.name}" (${created.slug}) created; admin ${a['admin-email']}.`);
    if (created.demo) {
      console.log(`Demo data: site ${created.demo.siteId}, ${created.demo.queues.length} queues, ${created.demo.agents.length} agents, ${created.demo.customers.length} customers.`);
      for (const agent of created.demo.agents) console.log(`  agent ${agent.email} (${agent.counter}) password: ${agent.password}`);
    }
  } catch (error) {
    if (error instanceof DomainError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  } finally {
    db.close();
  }
}

await main();
