import { z } from 'zod';
import { parseArgs } from '../../../branch-server/cli/args.ts';
import { Slug } from '../../../branch-server/contract/common.ts';
import { DomainError } from '../../../branch-server/domain/errors.ts';
import { openCloudDb } from '../db/database.ts';
import { cloudDeps } from '../start.ts';
import { createCloudTenant } from '../use-cases/tenants.ts';
import { describeStore, loadCloudConfig } from './config.ts';

const Args = z.object({
  name: z.string().min(1, 'is required'),
  slug: Slug,
  'admin-email': z.string().email(),
  'admin-password': z.string().min(8, 'must have at least 8 characters'),
  'with-demo-data': z.literal(true).optional(),
  'super-admin': z.literal(true).optional(),
  timezone: z.string().optional(),
}).strict();

const USAGE = `Usage: npm run cloud:create-tenant -- --name "Demo Bank" --slug demo-bank --admin-email admin@demo-bank.com --admin-password '…' [--with-demo-data] [--super-admin] [--timezone Africa/Dakar]
(with PGlite, stop the cloud first: one process at a time opens DATA_DIR)`;

async function main(): Promise<void> {
  let input;
  let config;
  try {
    config = loadCloudConfig();
    const parsed = Args.safeParse(Object.fromEntries(parseArgs(process.argv.slice(2))));
    if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `--${i.path.join('.') || '(arguments)'}: ${i.message}`).join('\n'));
    input = parsed.data;
  } catch (error) {
    console.error((error as Error).message);
    console.error(USAGE);
    process.exit(2);
  }
  const cloud = await openCloudDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    const created = await createCloudTenant(await cloudDeps(cloud), {
      name: input.name, slug: input.slug, adminEmail: input['admin-email'], adminPassword: input['admin-password'],
      withDemoData: input['with-demo-data'] === true, superAdmin: input['super-admin'] === true,
      ...(input.timezone ? { timezone: input.timezone } : {}),
    });
    console.log(`Tenant "${input.name}" (${input.slug}) created in ${describeStore(config)}; admin ${input['admin-email']}${input['super-admin'] ? ' (super-admin)' : ''}.`);
    if (created.demo) {
      console.log(`Demo data: site dakar-plateau (${created.demo.siteId}), queues ${created.demo.queues.map((q) => `${q.prefix} ${q.name}`).join(', ')}.`);
    }
  } catch (error) {
    if (error instanceof DomainError) {
      console.error(error.message);
      process.exitCode = 1;
      return;
    }
    throw error;
  } finally {
    await cloud.close();
  }
}

await main();
