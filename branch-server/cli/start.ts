import { randomBytes } from 'node:crypto';
import { loadConfig, ConfigError } from '../config.ts';
import { MigrationError } from '../db/migrate.ts';
import { qb } from '../db/sqlite.ts';
import { start } from '../start.ts';
import type { BranchSync } from '../../sync/client/branch-sync.ts';
import { createTenant } from '../use-cases/create-tenant.ts';
import { parseArgs } from './args.ts';

const DEMO = { name: 'Demo Bank', slug: 'demo-bank', adminEmail: 'admin@demo-bank.com' } as const;

/** Flags of `npm start -- …` and the settings they stand for. */
const FLAGS: Readonly<Record<string, string>> = { 'cloud-url': 'CLOUD_URL', enroll: 'ENROLL_TOKEN' };

function flagOverrides(argv: readonly string[]): Record<string, string> {
  let args: Map<string, string | true>;
  try {
    args = parseArgs(argv);
  } catch (error) {
    throw new ConfigError(`${(error as Error).message}. Flags: --cloud-url <url> --enroll <token>`);
  }
  const overrides: Record<string, string> = {};
  for (const [flag, value] of args) {
    const key = FLAGS[flag];
    if (!key) throw new ConfigError(`Unknown flag --${flag}. Flags: --cloud-url <url> --enroll <token>`);
    if (value === true) throw new ConfigError(`--${flag} needs a value.`);
    overrides[key] = value;
  }
  return overrides;
}

/**
 * `npm start`: the branch server headless, with a demo tenant on first start of an empty database
 * (unless it enrolls with a cloud right away: then the tenant and site come from the cloud).
 */
async function main(): Promise<void> {
  const config = loadConfig(process.env, flagOverrides(process.argv.slice(2)));
  if (config.enrollToken && !config.cloudUrl) throw new ConfigError('ENROLL_TOKEN (--enroll) needs CLOUD_URL (--cloud-url): the cloud to enroll with.');
  const server = await start({
    dataDir: config.dataDir, port: config.port, host: config.host, publicUrl: config.publicUrl,
    accessTokenTtlSeconds: config.accessTokenTtlSeconds, refreshTokenTtlSeconds: config.refreshTokenTtlSeconds,
    pairingCodeTtlSeconds: config.pairingCodeTtlSeconds,
    realtime: { heartbeatMs: config.wsHeartbeatMs, maxBufferedBytes: config.wsMaxBufferedBytes },
    ticketFont: config.ticketFont,
    jobs: { health: { intervalMs: config.printerHealthMs } },
    logs: { level: config.logLevel },
    metricsToken: config.metricsToken,
    backups: {
      ...(config.backupDir ? { dir: config.backupDir } : {}), intervalMinutes: config.backupIntervalMinutes,
      nightlyHour: config.backupNightlyHour, keep: config.backupKeep, keepNightly: config.backupKeepNightly,
    },
    retentionHour: config.retentionHour,
    ...crashDrill(process.env['SYNC_CRASH_AT']),
  });
  const { db, sync } = server.deps;
  const lines = [`SmartQueue Branch is running on ${server.url}  (data: ${config.dataDir})`];
  const enrolling = config.enrollToken !== null && !sync.enrolled;
  const anyTenant = db.first(qb.selectFrom('tenant').select('slug').limit(1));
  if (!anyTenant && config.demoTenant && !enrolling) {
    // Shown once: the password is never printed or stored in clear again.
    const password = randomBytes(9).toString('base64url');
    const created = await createTenant(db, { ...DEMO, adminPassword: password, withDemoData: true }, Date.now());
    lines.push(
      '',
      `First start: created the demo tenant "${DEMO.name}" (${DEMO.slug}).`,
      `  Admin login:    ${DEMO.adminEmail}`,
      `  Admin password: ${password}   <- shown only this once; write it down`,
      ...(created.demo?.agents.map((a) => `  Agent login:    ${a.email} / ${a.password}  (${a.counter})`) ?? []),
    );
  } else if (anyTenant && !enrolling) {
    lines.push(`Tenant: ${anyTenant.slug}`);
  }
  lines.push(...await syncOnStart(server.deps.sync, config.cloudUrl, config.enrollToken));
  lines.push(
    '',
    `  API:           ${server.url}/api/v1/`,
    `  API docs:      ${server.url}/api/docs/`,
    `  Health:        ${server.url}/api/v1/health/`,
    `  Kiosk:         ${server.url}/kiosk`,
    `  Agent desk:    ${server.url}/agent`,
    `  Manager:       ${server.url}/manager`,
  );
  console.log(lines.join('\n'));

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal} received: closing connections and the database…`);
    server.close().then(() => process.exit(0), (error: unknown) => {
      console.error(error);
      process.exit(1);
    });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

/** Enrolls with the token if not enrolled yet; follows a new cloud URL if enrolled. Lines to print. */
/**
 * A crash drill for the sync tests: `SYNC_CRASH_AT=<point>` (one of CLIENT_FAULT_POINTS) kills this
 * process with SIGKILL the first time the sync client reaches that point, like a power cut there.
 */
function crashDrill(point: string | undefined): { sync?: { faults: { at(at: string): void } } } {
  if (!point) return {};
  return { sync: { faults: { at: (at) => { if (at === point) process.kill(process.pid, 'SIGKILL'); } } } };
}

async function syncOnStart(sync: BranchSync, cloudUrl: string | null, token: string | null): Promise<string[]> {
  if (cloudUrl && token && !sync.enrolled) {
    try {
      const enrolled = await sync.enroll(cloudUrl, token);
      return [
        '', `Enrolled with ${cloudUrl} as ${enrolled.tenant.name} (${enrolled.tenant.slug}), site ${enrolled.site.name}.`,
        '  Staff sign in with their HQ accounts once the first sync has brought them (see /api/v1/sync/status/).',
      ];
    } catch (error) {
      return ['', `Enrollment with ${cloudUrl} failed: ${(error as Error).message}`, '  The branch runs offline; enroll again from the manager console or with a new token.'];
    }
  }
  if (sync.enrolled) {
    const lines = [''];
    if (token) lines.push('ENROLL_TOKEN ignored: this branch is already enrolled.');
    if (cloudUrl && sync.useCloudUrl(cloudUrl)) lines.push(`Cloud URL changed to ${cloudUrl}.`);
    const status = sync.status();
    lines.push(`Sync: enrolled with ${status.cloud_url ?? '?'} as ${status.tenant?.slug ?? '?'} / ${status.site?.name ?? '?'}`);
    return lines;
  }
  return cloudUrl ? ['', `CLOUD_URL is set but this branch is not enrolled: add --enroll <token> (or ENROLL_TOKEN).`] : [];
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof MigrationError) {
    console.error(error.message);
    process.exit(2);
  }
  if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
    console.error(`Port already in use: set PORT to a free port. (${(error as Error).message})`);
    process.exit(2);
  }
  console.error(error);
  process.exit(1);
});
