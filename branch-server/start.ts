import { mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { APP_ROOT } from './app-root.ts';
import { Db, openSqlite } from './db/sqlite.ts';
import { BackgroundCheckpointer } from './db/checkpointer.ts';
import { migrateToLatest } from './db/migrate.ts';
import { createApp } from './http/app.ts';
import type { AppDeps } from './http/context.ts';
import { extendWithDocs } from './http/docs.ts';
import { mountUi } from './http/ui.ts';
import { mountAnnouncements } from './http/announcement.ts';
import { mountUpdates } from './http/updates.ts';
import { DEFAULT_PUBLIC_LIMITS, LoginRateLimiter, WindowRateLimiter, type WindowLimit } from './http/rate-limit.ts';
import { allRoutes } from './http/routes/index.ts';
import { loadOrCreateSecret } from './http/secrets.ts';
import { createTokenService } from './http/tokens.ts';
import { attachRealtime } from './realtime/hub.ts';
import { DEFAULT_REALTIME_OPTIONS, type RealtimeOptions } from './realtime/options.ts';
import { DeviceAgentHub } from './realtime/device-agents.ts';
import { DEFAULT_TIMEOUTS } from '../hardware/transports/transport.ts';
import { loadTicketFont } from '../hardware/fonts/ticket-font.ts';
import type { Font } from '../hardware/escpos/truetype.ts';
import { EventBus } from './use-cases/events.ts';
import { TicketIssuer } from './use-cases/issue-ticket.ts';
import { startJobs, type JobsOptions } from './jobs/printing.ts';
import { startNotifications, type NotificationsOptions } from './jobs/notifications.ts';
import { mountTwilioCallbacks } from './http/twilio-callback.ts';
import { attachEtaRefresher } from './use-cases/eta-refresher.ts';
import { notificationReminders, type AppointmentReminders } from './use-cases/appointment-reminders.ts';
import { deviceAlerts } from './use-cases/device-alerts.ts';
import { DEFAULT_APPOINTMENT_CLOCK, startAppointmentClock, type AppointmentClock, type AppointmentClockOptions } from './jobs/appointment-clock.ts';
import { MIGRATIONS } from './db/migrations/index.ts';
import { BranchSync, type BranchSyncOptions } from '../sync/client/branch-sync.ts';
import { createLogger, reportFailure } from './ops/logger.ts';
import { BranchMetrics } from './ops/metrics.ts';
import { BackupService, DEFAULT_BACKUP_OPTIONS, type BackupOptions } from './ops/backups.ts';
import { RetentionScheduler } from './jobs/retention.ts';
import { metricsHandler } from './http/observability.ts';
import { writePidFile } from './ops/pid-file.ts';
import { startUpdateMirror } from './jobs/update-mirror.ts';
import { getSyncState } from './db/repositories/sync-state.repository.ts';

export type StartOptions = Readonly<{
  dataDir: string;
  port?: number;
  host?: string;
  publicUrl?: string | null;
  accessTokenTtlSeconds?: number;
  refreshTokenTtlSeconds?: number;
  pairingCodeTtlSeconds?: number;
  /** WebSocket heartbeat and back-pressure limits (defaults in realtime/options.ts). */
  realtime?: Partial<RealtimeOptions>;
  /** Injected clock, for tests of expiry; defaults to Date.now. */
  now?: () => number;
  /** Job runner and printing timings (defaults in jobs/runner.ts and jobs/print-job.ts). */
  jobs?: JobsOptions;
  /**
   * The font Arabic ticket lines are drawn with: a path (must work), null/undefined to look for DejaVu
   * Sans and the like, or false for none (Arabic is then left out of printed tickets).
   */
  ticketFont?: string | null | false;
  /** Message and webhook delivery timings (defaults in jobs/notifications.ts). */
  notifications?: NotificationsOptions;
  /**
   * Appointment reminders (H-24, H-1): where they go, by default pending rows of the `notification`
   * table; and how often the day keeper looks (reminders, no-shows, closing time).
   */
  appointments?: Partial<Readonly<{ reminders: AppointmentReminders; clock: AppointmentClockOptions }>>;
  /** Per-address budgets of the public booking and remote-join routes (defaults in http/rate-limit.ts). */
  publicLimits?: Partial<Readonly<{ read: WindowLimit; write: WindowLimit }>>;
  /** Sync loop timings and transport (defaults in sync/client). The loop runs once enrolled. */
  sync?: Pick<BranchSyncOptions, 'loop' | 'transportFor' | 'deviceName' | 'faults'>;
  /** Logs: DATA_DIR/logs/branch.log by default; `dir: null` writes to stdout. */
  logs?: Readonly<{ dir?: string | null; level?: string; maxBytes?: number; keep?: number }>;
  /** `Authorization: Bearer <token>` opens /metrics to the network; without one only loopback may read it. */
  metricsToken?: string | null;
  /** Online backups (BACKUP_DIR, default DATA_DIR/backups): schedule and generations kept. */
  backups?: Partial<BackupOptions>;
  /** Local hour of the nightly retention job (pseudonymises personal data past each tenant's retention); null: off. */
  retentionHour?: number | null;
}>;

export type RunningServer = Readonly<{
  url: string;
  port: number;
  deps: AppDeps;
  events: EventBus;
  /** Reminders, no-shows and closing time; `tick()` runs one pass now (tests with a fake clock). */
  appointmentClock: AppointmentClock;
  close(): Promise<void>;
}>;

/**
 * Starts the branch server: opens (and migrates) `DATA_DIR/branch.sqlite`, serves the API and ws on
 * one port. The same function serves `npm start`, tests, benchmarks and the Electron shell.
 */
export async function start(options: StartOptions): Promise<RunningServer> {
  mkdirSync(options.dataDir, { recursive: true });
  mkdirSync(join(options.dataDir, 'updates'), { recursive: true });
  const sqlite = openSqlite(join(options.dataDir, 'branch.sqlite'));
  try {
    await migrateToLatest(sqlite);
  } catch (error) {
    sqlite.close();
    throw error;
  }
  const db = new Db(sqlite);
  let ticketFont: Font | null;
  try {
    ticketFont = options.ticketFont === false ? null : loadTicketFont(options.ticketFont ?? null);
  } catch (error) {
    sqlite.close();
    throw error;
  }
  const events = new EventBus();
  const now = options.now ?? Date.now;
  const version = readAppVersion();
  const logs = createLogger({
    dir: options.logs?.dir === undefined ? join(options.dataDir, 'logs') : options.logs.dir, name: 'branch',
    ...(options.logs?.level ? { level: options.logs.level } : {}),
    ...(options.logs?.maxBytes ? { maxBytes: options.logs.maxBytes } : {}),
    ...(options.logs?.keep ? { keep: options.logs.keep } : {}),
  });
  const logger = logs.logger;
  db.reportFailuresTo((message, error) => reportFailure(logger, message, error));
  // WAL checkpoints off the event loop (in a rush they were its longest stalls).
  const checkpointer = BackgroundCheckpointer.start(sqlite, {
    onFailure: (error) => reportFailure(logger, 'background checkpoints stopped; the writer checkpoints again', error),
  });
  events.reportFailuresTo((message, error) => reportFailure(logger, message, error));
  let wsClients = (): number => 0;
  const metrics = new BranchMetrics(db, { wsClients: () => wsClients(), checkpoints: () => checkpointer?.stats() ?? null });
  const backups = new BackupService(sqlite, { ...DEFAULT_BACKUP_OPTIONS, dir: join(options.dataDir, 'backups'), ...options.backups }, now, logger.child({ task: 'backup' }), {
    onBackup: (record) => {
      metrics.backupsTaken.inc({ kind: record.kind, result: record.ok ? 'ok' : 'failed' });
      if (record.ok) metrics.lastGoodBackup.set(record.started_at / 1000);
    },
  });
  const lastGood = backups.lastGood();
  if (lastGood) metrics.lastGoodBackup.set(lastGood.started_at / 1000);
  const sync = new BranchSync({
    db, now, appVersion: version, schemaVersion: Object.keys(MIGRATIONS).length, ...options.sync, logger: logger.child({ task: 'sync' }),
    backupStatus: () => {
      const good = backups.lastGood();
      return { last_backup_at: good?.started_at ?? null, last_backup_ok: good !== null && backups.lastFailure === null };
    },
    deviceAlerts: () => deviceAlerts(db, now()),
  });
  const deps: AppDeps = {
    db,
    now,
    events,
    tokens: createTokenService(loadOrCreateSecret(options.dataDir), options.accessTokenTtlSeconds ?? 900),
    loginLimiter: new LoginRateLimiter(),
    publicLimits: {
      read: new WindowRateLimiter(options.publicLimits?.read ?? DEFAULT_PUBLIC_LIMITS.read),
      write: new WindowRateLimiter(options.publicLimits?.write ?? DEFAULT_PUBLIC_LIMITS.write),
    },
    issuer: new TicketIssuer({ db, events }),
    ticketFont,
    sync,
    logger,
    metrics,
    backups,
    config: {
      publicUrl: options.publicUrl ?? null,
      refreshTtlSeconds: options.refreshTokenTtlSeconds ?? 30 * 86_400,
      pairingTtlSeconds: options.pairingCodeTtlSeconds ?? 15 * 60,
      dataDir: options.dataDir,
      version,
      startedAt: now(),
      metricsToken: options.metricsToken ?? null,
    },
  };
  // Enrolled: the LAN update mirror follows the cloud's feed (the desktop app's PCs read it here).
  const updateMirror = startUpdateMirror({ cloudUrl: () => getSyncState(db, 'cloud_url'), dir: join(options.dataDir, 'updates'), logger: logger.child({ task: 'update-mirror' }) });
  const app = createApp(deps, allRoutes(), (express, routes) => {
    express.get('/metrics', metricsHandler(metrics.registry, deps.config.metricsToken));
    extendWithDocs(express, routes);
    mountUi(express);
    // Binary (audio/wav), so outside the JSON contract pipeline; same auth checks (http/announcement.ts).
    mountAnnouncements(express, deps);
    // Form-encoded and signed by Twilio: outside the JSON contract pipeline too.
    mountTwilioCallbacks(express, deps);
    // The desktop app's update feed for the branch's PCs (LAN mirror), from DATA_DIR/updates.
    mountUpdates(express, join(options.dataDir, 'updates'));
  });
  const server: Server = createServer(app);
  server.keepAliveTimeout = 65_000;
  const realtimeOptions = { ...DEFAULT_REALTIME_OPTIONS, ...options.realtime };
  const agents = new DeviceAgentHub(db, events, deps.now, {
    heartbeatMs: realtimeOptions.heartbeatMs, maxMessagesPerBeat: realtimeOptions.maxClientMessagesPerBeat,
    printerTimeouts: { ...DEFAULT_TIMEOUTS, ...options.jobs?.printing?.timeouts }, logger: logger.child({ task: 'device-agents' }),
  });
  const realtime = attachRealtime(server, deps, events, realtimeOptions, agents);
  wsClients = realtime.clientCount;
  const unsubscribeMetrics = events.subscribe((event) => metrics.onEvent(event));
  const retention = new RetentionScheduler(db, now, logger.child({ task: 'retention' }), metrics, options.retentionHour === undefined ? 3 : options.retentionHour);
  const jobs = startJobs(db, events, deps.now, { ...options.jobs, font: ticketFont, logger: logger.child({ task: 'jobs' }) }, agents);
  const detachEtaRefresher = attachEtaRefresher(db, events, deps.now, realtime.watchesEtasOf);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8080, options.host ?? '0.0.0.0', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = !options.host || options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;
  sync.start({ localUrl: `http://${shownHost}:${port}` });
  backups.start();
  retention.start();
  const removePidFile = writePidFile(options.dataDir);
  logger.info({ port, version }, 'branch server started');
  const notifications = startNotifications({
    db, events, now: deps.now, dataDir: options.dataDir, publicUrl: options.publicUrl ?? null,
    baseUrl: () => `http://${shownHost}:${port}`, ...(options.notifications ? { options: options.notifications } : {}),
    onFailed: (channel) => metrics.notificationFailures.inc({ channel }), logger: logger.child({ task: 'notifications' }),
  });
  const appointmentClock = startAppointmentClock({
    db, events, now: deps.now,
    reminders: options.appointments?.reminders ?? notificationReminders({ db, now: deps.now, publicUrl: options.publicUrl ?? null }),
    publicBase: () => deps.config.publicUrl ?? `http://${shownHost}:${port}`, logger: logger.child({ task: 'appointment-clock' }),
  }, options.appointments?.clock ?? DEFAULT_APPOINTMENT_CLOCK);

  let closing: Promise<void> | null = null;
  return {
    url: `http://${shownHost}:${port}`,
    port,
    deps,
    events,
    appointmentClock,
    close() {
      closing ??= (async () => {
        sync.stop();
        await appointmentClock.stop();
        retention.stop();
        updateMirror.stop();
        unsubscribeMetrics();
        detachEtaRefresher();
        // Closing the agents first answers any print request still waiting on one, so the runner stops at once.
        await Promise.all([jobs.stop(), agents.close(), notifications.stop()]);
        await realtime.close();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await backups.stop();
        await checkpointer?.stop();
        db.close();
        removePidFile();
        logger.info('branch server stopped');
        await logs.close();
      })();
      return closing;
    },
  };
}

/** The version in package.json (beside `branch-server/`, in the repository and in the packaged app). */
function readAppVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(join(APP_ROOT, 'package.json'), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}
