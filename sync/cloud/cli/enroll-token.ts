import { z } from 'zod';
import { parseArgs } from '../../../branch-server/cli/args.ts';
import { Slug } from '../../../branch-server/contract/common.ts';
import { DomainError } from '../../../branch-server/domain/errors.ts';
import { openCloudDb } from '../db/database.ts';
import { cloudDeps } from '../start.ts';
import { createEnrollmentToken } from '../use-cases/enrollment.ts';
import { loadCloudConfig } from './config.ts';

const Args = z.object({
  tenant: Slug,
  site: Slug,
  'ttl-hours': z.coerce.number().int().min(1).max(24 * 30).optional(),
}).strict();

const USAGE = 'Usage: npm run cloud:enroll-token -- --tenant <tenant-slug> --site <site-slug> [--ttl-hours 168]';

/**
 * Prints a single-use enrollment token for one site on its LAST line (scripts take `tail -n 1`);
 * the branch enrolls with `npm start -- --cloud-url <url> --enroll <token>`.
 */
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
    const site = await cloud.db.selectFrom('site').innerJoin('tenant', 'tenant.id', 'site.tenant_id')
      .select(['site.id', 'site.tenant_id', 'site.name', 'tenant.name as tenant_name'])
      .where('tenant.slug', '=', input.tenant).where('site.slug', '=', input.site).executeTakeFirst();
    if (!site) throw new DomainError('not-found', `No site "${input.site}" in tenant "${input.tenant}".`);
    const deps = await cloudDeps(cloud);
    const created = await createEnrollmentToken(deps, {
      tenantId: site.tenant_id, siteId: site.id, createdBy: null,
      ...(input['ttl-hours'] !== undefined ? { ttlSeconds: input['ttl-hours'] * 3600 } : {}),
    });
    console.log(`Enrollment token for site "${site.name}" of "${site.tenant_name}", single use, valid until ${new Date(created.expiresAt).toISOString()}:`);
    console.log(created.token);
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
