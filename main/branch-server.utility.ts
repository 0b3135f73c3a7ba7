import { hostname } from 'node:os';
import { loadConfig, ConfigError } from '../branch-server/config.ts';
import { MigrationError } from '../branch-server/db/migrate.ts';
import { qb } from '../branch-server/db/sqlite.ts';
import { start } from '../branch-server/start.ts';
import { createTenant } from '../branch-server/use-cases/create-tenant.ts';
import { advertiseBranchServer, type Advertisement } from './discovery.ts';
import { EXIT_FATAL, ToServer, type FromServer } from './branch-server-protocol.ts';
import { parentPort } from './parent-port.ts';
import { HELD_STATUSES } from './update-policy.ts';

/**
 * The branch server as the shell runs it (role "server"): in an Electron utilityProcess, supervised by
 * main (restarted with backoff if it dies). Configured by the same environment as `npm start`;
 * enrollment with HQ (CLOUD_URL + ENROLL_TOKEN) happens on the first start that has a token.
 */
async function main(): Promise<void> {
  const port = parentPort();
  const send = (message: FromServer) => port.post(message);
  let server: Awaited<ReturnType<typeof start>>;
  try {
    const config = loadConfig(process.env);
    server = await start({
      dataDir: config.dataDir, port: config.port, host: config.host, publicUrl: config.publicUrl,
      accessTokenTtlSeconds: config.accessTokenTtlSeconds, refreshTokenTtlSeconds: config.refreshTokenTtlSeconds,
      pairingCodeTtlSeconds: config.pairingCodeTtlSeconds,
      realtime: { heartbeatMs: config.wsHeartbeatMs, maxBufferedBytes: config.wsMaxBufferedBytes },
      ticketFont: config.ticketFont,
      jobs: { health: { intervalMs: config.printerHealthMs } },
    });
    const { sync } = server.deps;
    if (config.cloudUrl && config.enrollToken && !sync.enrolled) {
      await sync.enroll(config.cloudUrl, config.enrollToken).catch((error: unknown) => {
        console.error(`Enrollment with ${config.cloudUrl} failed: ${(error as Error).message}`);
      });
    }
  } catch (error) {
    if (error instanceof ConfigError || error instanceof MigrationError) {
      console.error(error.message);
      send({ type: 'fatal', message: error.message });
      process.exit(EXIT_FATAL);
    }
    throw error;
  }
  const { db } = server.deps;
  const tenants = db.raw<{ n: number }>('SELECT count(*) AS n FROM tenant')[0]?.n ?? 0;
  // Counter PCs, kiosks and displays find this server by mDNS (MDNS_NAME names it; MDNS=off disables).
  const advertisement: Advertisement | null = process.env['MDNS'] === 'off' ? null
    : advertiseBranchServer({ name: process.env['MDNS_NAME'] || `SmartQueue ${hostname()}`, port: server.port });
  send({ type: 'ready', url: server.url, port: server.port, enrolled: server.deps.sync.enrolled, tenants });

  port.onMessage((raw) => {
    const parsed = ToServer.safeParse(raw);
    if (!parsed.success) return;
    const message = parsed.data;
    if (message.type === 'activity') {
      const rows = db.all(qb.selectFrom('ticket').select('number').where('status', 'in', [...HELD_STATUSES]).orderBy('called_at').limit(50));
      send({ type: 'activity', id: message.id, tickets: rows.map((r) => r.number) });
    } else if (message.type === 'create-tenant') {
      const { name, slug, adminEmail, adminPassword } = message;
      createTenant(db, { name, slug, adminEmail, adminPassword, withDemoData: false }, Date.now()).then(
        (created) => send({ type: 'tenant-created', slug: created.slug }),
        (error: unknown) => send({ type: 'error', message: (error as Error).message }),
      );
    }
  });

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void advertisement?.stop();
    server.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
