import { randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import { LoginRateLimiter, type LoginLimits } from '../../branch-server/http/rate-limit.ts';
import { openCloudDb, type CloudDb, type CloudDbOptions } from './db/database.ts';
import { createCloudApp } from './http/app.ts';
import { mountHqUi } from './http/hq-ui.ts';
import { mountUpdates } from '../../branch-server/http/updates.ts';
import type { CloudConfig, CloudDeps, CloudFaults } from './http/context.ts';
import { cloudRoutes } from './http/routes/index.ts';
import { createCloudTokens } from './http/tokens.ts';
import { startMaintenance } from './use-cases/maintenance.ts';
import { createLogger } from '../../branch-server/ops/logger.ts';
import { CloudMetrics } from './http/metrics.ts';
import { mountPublicRelay } from './http/public-relay.ts';
import { BranchRelay, type RelayOptions } from './relay/branch-relay.ts';

export type CloudStartOptions = CloudDbOptions & Readonly<{
  port?: number;
  host?: string;
  now?: () => number;
  faults?: CloudFaults;
  /** Use an already open database (tests that restart the HTTP side on the same data). */
  cloud?: CloudDb;
  config?: Partial<Omit<CloudConfig, 'epoch'>>;
  loginLimits?: LoginLimits;
  /** Mounts extra routes (the HQ dashboard is always mounted at /hq). */
  extend?: (app: Express) => void;
  /** Logs: JSON lines to `dir` (rotated), or stdout with `dir: null`; silent when absent (tests). */
  logs?: Readonly<{ dir: string | null; level?: string }>;
  /** `Authorization: Bearer <token>` opens /metrics to the network; without one only loopback may read it. */
  metricsToken?: string | null;
  /** The desktop app's release feed (electron-builder's `latest*.yml` and installers), served at /updates/; branches mirror it. */
  updatesDir?: string | null;
  /** The branches' public-page relay: how long a branch may take to answer, heartbeat period. */
  relay?: Partial<RelayOptions>;
  /** UTC hour of the nightly retention (each tenant's `data_retention_days`); null: never (default 3). */
  retentionHour?: number | null;
}>;

export type RunningCloud = Readonly<{
  url: string;
  port: number;
  deps: CloudDeps;
  /** The branches' relay sockets held by this process. */
  relay: BranchRelay;
  /** Stops listening and drops open connections at once (a crash, as far as clients can tell). */
  kill(): void;
  close(): Promise<void>;
}>;

export const CLOUD_VERSION = '0.1.0';

/**
 * Starts the cloud API: opens (and migrates) PostgreSQL or PGlite, reads the shared secrets and the
 * epoch from the database (made on first start), serves HQ and sync routes on one port.
 */
export async function startCloud(options: CloudStartOptions): Promise<RunningCloud> {
  const cloud = options.cloud ?? await openCloudDb(options);
  const logs = createLogger({ dir: options.logs?.dir ?? null, name: 'cloud', level: options.logs ? options.logs.level ?? 'info' : 'silent' });
  const deps: CloudDeps = { ...await cloudDeps(cloud, options), logger: logs.logger, metrics: new CloudMetrics(cloud) };
  const relay = new BranchRelay(deps, options.relay);
  const app = createCloudApp(deps, cloudRoutes(), (express) => {
    mountHqUi(express);
    mountPublicRelay(express, deps, relay);
    if (options.updatesDir) mountUpdates(express, options.updatesDir);
    options.extend?.(express);
  }, options.metricsToken ?? null);
  const stopMaintenance = startMaintenance(deps, { retentionHour: options.retentionHour === undefined ? 3 : options.retentionHour });
  const server = createServer(app);
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  await relay.start(server);
  const { port } = server.address() as AddressInfo;
  const host = options.host && options.host !== '0.0.0.0' ? options.host : '127.0.0.1';
  let closed = false;
  return {
    url: `http://${host}:${port}`,
    port,
    deps,
    relay,
    kill() {
      stopMaintenance();
      void relay.close();
      server.close();
      server.closeAllConnections();
    },
    async close() {
      if (closed) return;
      closed = true;
      stopMaintenance();
      await relay.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (!options.cloud) await cloud.close();
      await logs.close();
    },
  };
}

/**
 * What every use-case needs, from an open database: the shared secret and epoch (made on first use),
 * the clock and the configuration. The CLIs use it too, so they act exactly as the API does.
 */
export async function cloudDeps(cloud: CloudDb, options: Omit<CloudStartOptions, 'cloud'> = {}): Promise<CloudDeps> {
  const meta = await loadOrCreateMeta(cloud);
  return {
    cloud,
    now: options.now ?? Date.now,
    tokens: createCloudTokens(Buffer.from(meta.jwtSecret, 'base64url')),
    config: {
      epoch: meta.epoch,
      version: CLOUD_VERSION,
      refreshTtlSeconds: 7 * 24 * 3600,
      enrollTokenTtlSeconds: 7 * 24 * 3600,
      feedRetentionMs: 90 * 24 * 3600 * 1000,
      ...options.config,
    },
    loginLimiter: new LoginRateLimiter(options.loginLimits),
    ...(options.faults ? { faults: options.faults } : {}),
  };
}

async function loadOrCreateMeta(cloud: CloudDb): Promise<{ epoch: string; jwtSecret: string }> {
  // Two processes starting together must agree: insert-if-absent, then read what won.
  await cloud.db.insertInto('cloud_meta')
    .values([
      { key: 'epoch', value: randomUUID() },
      { key: 'jwt_secret', value: randomBytes(32).toString('base64url') },
    ])
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  const rows = await cloud.db.selectFrom('cloud_meta').selectAll().where('key', 'in', ['epoch', 'jwt_secret']).execute();
  const get = (key: string) => rows.find((r) => r.key === key)?.value ?? '';
  return { epoch: get('epoch'), jwtSecret: get('jwt_secret') };
}
