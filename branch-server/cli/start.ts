import { randomBytes } from 'node:crypto';
import { loadConfig, ConfigError } from '../config.ts';
import { MigrationError } from '../db/migrate.ts';
import { qb } from '../db/sqlite.ts';
import { start } from '../start.ts';
import { createTenant } from '../use-cases/create-tenant.ts';

const DEMO = { name: 'Demo Bank', slug: 'demo-bank', adminEmail: 'admin@demo-bank.com' } as const;

/** `npm start`: the branch server headless, with a demo tenant on first start of an empty database. */
async function main(): Promise<void> {
  const config = loadConfig();
  const server = await start({
    dataDir: config.dataDir, port: config.port, host: config.host, publicUrl: config.publicUrl,
    accessTokenTtlSeconds: config.accessTokenTtlSeconds, refreshTokenTtlSeconds: config.refreshTokenTtlSeconds,
    pairingCodeTtlSeconds: config.pairingCodeTtlSeconds,
    realtime: { heartbeatMs: config.wsHeartbeatMs, maxBufferedBytes: config.wsMaxBufferedBytes },
    ticketFont: config.ticketFont,
    jobs: { health: { intervalMs: config.printerHealthMs } },
  });
  const { db } = server.deps;
  const anyTenant = db.first(qb.selectFrom('tenant').select('slug').limit(1));
  const lines = [`SmartQueue Branch is running on ${server.url}  (data: ${config.dataDir})`];
  if (!anyTenant && config.demoTenant) {
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
  } else if (anyTenant) {
    lines.push(`Tenant: ${anyTenant.slug}`);
  }
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
