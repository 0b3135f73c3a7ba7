import { qb, type Db } from '../db/sqlite.ts';
import type { EventBus } from '../use-cases/events.ts';
import type { ModemTimeouts } from '../notifications/adapters/gsm-modem.ts';
import { secretBoxFor } from '../notifications/secret-box.ts';
import { planTicketNotifications, SEND_NOTIFICATION_JOB } from '../use-cases/plan-notifications.ts';
import { DELIVER_WEBHOOK_JOB, dispatchWebhookEvents } from '../use-cases/webhooks.ts';
import { createDeliverWebhookHandler } from './deliver-webhook.ts';
import { purgeExpiredNotifications, RETENTION_EVERY_MS, RETENTION_JOB } from './notification-retention.ts';
import { enqueueJob, JobRunner, type RunnerOptions } from './runner.ts';
import { createSendNotificationHandler } from './send-notification.ts';
import type { Logger } from 'pino';
import { reportFailure } from '../ops/logger.ts';

export type NotificationsOptions = Readonly<{
  runner?: Partial<RunnerOptions>;
  /** How often new feedback and appointments are looked for (ticket events wake the readers at once). */
  scanMs?: number;
  /** The least time between two scans (default MIN_SCAN_GAP_MS). */
  minScanGapMs?: number;
  modemTimeouts?: Partial<ModemTimeouts>;
  webhookTimeoutMs?: number;
}>;

export const MIN_SCAN_GAP_MS = 100;

export type NotificationsRuntime = Readonly<{ runner: JobRunner; scan(): void; stop(): Promise<void> }>;

/**
 * Messages and webhooks, on their own durable runner (a slow SMTP server never delays a ticket
 * print): the planner and the webhook dispatcher read the journal after each committed ticket
 * change (and every `scanMs` for feedback and appointments), the runner sends, and a recurring job
 * purges what is past the tenant's retention period.
 */
export function startNotifications(deps: Readonly<{
  db: Db; events: EventBus; now: () => number; dataDir: string; baseUrl: () => string; publicUrl: string | null; options?: NotificationsOptions;
  /** Told of each message that ends `failed`. */
  onFailed?: (channel: string) => void;
  logger?: Logger;
}>): NotificationsRuntime {
  const { db, events, now } = deps;
  const box = secretBoxFor(deps.dataDir);
  const runner = new JobRunner(db, now, {
    [SEND_NOTIFICATION_JOB]: createSendNotificationHandler({
      db, now, box, callbackBase: () => deps.publicUrl ?? deps.baseUrl(), adapters: deps.options?.modemTimeouts ? { modemTimeouts: deps.options.modemTimeouts } : {},
      ...(deps.onFailed ? { onFailed: deps.onFailed } : {}),
    }),
    [DELIVER_WEBHOOK_JOB]: createDeliverWebhookHandler({ db, now, box, ...(deps.options?.webhookTimeoutMs ? { timeoutMs: deps.options.webhookTimeoutMs } : {}) }),
    [RETENTION_JOB]: async () => {
      purgeExpiredNotifications(db, now());
      db.tx(() => enqueueJob(db, { type: RETENTION_JOB, payload: {}, runAt: now() + RETENTION_EVERY_MS }, now()));
      return { kind: 'done' };
    },
  }, { concurrency: 4, ...deps.options?.runner, ...(deps.logger ? { logger: deps.logger } : {}) });

  let scheduled = false;
  let stopped = false;
  let lastScan = -Infinity;
  /** The journal readers; each returns how many rows it read (0: caught up). */
  const readers: readonly [string, () => number][] = [
    ['planning', () => planTicketNotifications(db, deps.publicUrl ?? deps.baseUrl(), now())],
    ['webhook dispatch', () => dispatchWebhookEvents(db, now())],
  ];
  const drain = (read: () => number) => {
    let any = false;
    while (read() > 0) any = true;
    return any;
  };
  const runScan = () => {
    scheduled = false;
    lastScan = performance.now();
    if (stopped) return;
    let queued = false;
    try {
      // All readers in one transaction: one commit (one fsync) per scan instead of one each.
      queued = db.tx(() => readers.map(([, read]) => drain(read)).some(Boolean));
    } catch {
      // One failing reader must not hold the others back: each alone, in its own transaction.
      for (const [name, read] of readers) {
        try {
          if (drain(read)) queued = true;
        } catch (error) {
          reportFailure(deps.logger, `notifications: ${name} failed`, error);
        }
      }
    }
    if (queued) runner.nudge();
  };
  /**
   * Each scan commits its cursors, a durable write; during a rush every issued ticket would wake one.
   * Scans are therefore at least MIN_SCAN_GAP_MS apart: a quiet branch scans at once, a busy one reads
   * the events of many tickets per commit (a message leaves at most that much later).
   */
  const scan = () => {
    if (scheduled || stopped) return;
    scheduled = true;
    const wait = lastScan + (deps.options?.minScanGapMs ?? MIN_SCAN_GAP_MS) - performance.now();
    if (wait <= 0) setImmediate(runScan);
    else setTimeout(runScan, Math.ceil(wait)).unref();
  };
  const unsubscribe = events.subscribe((event) => {
    if (event.kind === 'ticket') scan();
  });
  const timer = setInterval(scan, deps.options?.scanMs ?? 2000);
  timer.unref();

  db.tx(() => {
    const pending = db.first(qb.selectFrom('job').select('id').where('type', '=', RETENTION_JOB).where('status', 'in', ['pending', 'running']));
    if (!pending) enqueueJob(db, { type: RETENTION_JOB, payload: {}, runAt: now() }, now());
  });
  runner.start();
  scan();
  return {
    runner,
    scan,
    async stop() {
      stopped = true;
      unsubscribe();
      clearInterval(timer);
      await runner.stop();
    },
  };
}
