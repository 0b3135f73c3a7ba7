import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Db } from '../db/sqlite.ts';
import type { CheckpointStats } from '../db/checkpointer.ts';
import type { DomainEvent } from '../use-cases/events.ts';

/** Latency buckets (seconds): ticket issuance is expected well under 15 ms, reports may take longer. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.015, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** What one route's requests update, bound once when the route is registered (no per-request label work). */
export type RouteMetrics = Readonly<{
  observe(seconds: number, status: number): void;
}>;

/**
 * Prometheus metrics of one branch server (its own registry: several servers may share a process in
 * tests). Request latency by route template (never the raw URL: ids would make a series per ticket),
 * ticket counters fed by the domain events, and gauges read from the database at scrape time.
 */
export class BranchMetrics {
  readonly registry = new Registry();
  readonly #latency: Histogram<'method' | 'route'>;
  readonly #requests: Counter<'method' | 'route' | 'status'>;
  readonly ticketsIssued: Counter;
  readonly ticketsCalled: Counter;
  readonly ticketsClosed: Counter;
  readonly ticketsNoShow: Counter;
  /** Print jobs that could not print (`waiting`: printer blocked; `failed`: given up). */
  readonly printFailures: Counter<'outcome'>;
  /**
   * Messages that ended `failed`, by channel (sms, whatsapp, email, push): the sender gave up (no
   * provider, a refusal, attempts spent) or Twilio's status callback reported it undelivered.
   */
  readonly notificationFailures: Counter<'channel'>;
  readonly backupsTaken: Counter<'kind' | 'result'>;
  readonly lastGoodBackup: Gauge;
  readonly retentionRows: Counter<'table'>;

  constructor(db: Db, sources: Readonly<{ wsClients: () => number; checkpoints?: () => CheckpointStats | null }>) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'sq_' });
    this.#latency = new Histogram({
      name: 'sq_http_request_duration_seconds', help: 'HTTP request latency by route template',
      labelNames: ['method', 'route'], buckets: LATENCY_BUCKETS, registers,
    });
    this.#requests = new Counter({ name: 'sq_http_requests_total', help: 'HTTP requests by route template and status', labelNames: ['method', 'route', 'status'], registers });
    this.ticketsIssued = new Counter({ name: 'sq_tickets_issued_total', help: 'Tickets issued', registers });
    this.ticketsCalled = new Counter({ name: 'sq_tickets_called_total', help: 'Tickets called (recalls included)', registers });
    this.ticketsClosed = new Counter({ name: 'sq_tickets_closed_total', help: 'Tickets closed after service', registers });
    this.ticketsNoShow = new Counter({ name: 'sq_tickets_no_show_total', help: 'Tickets marked no-show', registers });
    this.printFailures = new Counter({ name: 'sq_print_failures_total', help: 'Print jobs that could not print', labelNames: ['outcome'], registers });
    this.notificationFailures = new Counter({ name: 'sq_notification_failures_total', help: 'Notifications that could not be sent', labelNames: ['channel'], registers });
    this.backupsTaken = new Counter({ name: 'sq_backups_total', help: 'Backups taken, by kind and verification result', labelNames: ['kind', 'result'], registers });
    this.lastGoodBackup = new Gauge({ name: 'sq_backup_last_good_timestamp_seconds', help: 'When the newest verified backup was taken (0: none)', registers });
    this.retentionRows = new Counter({ name: 'sq_retention_pseudonymised_rows_total', help: 'Rows whose personal data the retention job removed', labelNames: ['table'], registers });

    const read = <R>(sql: string): R[] => {
      try {
        return db.raw<R>(sql);
      } catch {
        return [];
      }
    };
    new Gauge({
      name: 'sq_queue_waiting', help: 'Tickets waiting, per queue', labelNames: ['queue_id', 'queue'], registers,
      collect() {
        this.reset();
        for (const r of read<{ id: string; name: string; prefix: string; n: number }>(
          `SELECT q.id, q.name, q.prefix, (SELECT count(*) FROM ticket t WHERE t.queue_id = q.id AND t.status = 'en_attente') AS n FROM queue q`,
        )) this.set({ queue_id: r.id, queue: `${r.prefix} ${r.name}` }, r.n);
      },
    });
    new Gauge({
      name: 'sq_ws_clients', help: 'Connected WebSocket clients', registers,
      collect() {
        this.set(sources.wsClients());
      },
    });
    new Gauge({
      name: 'sq_wal_background_checkpoints', help: 'WAL checkpoints done by the checkpoint worker since start', registers,
      collect() {
        this.set(sources.checkpoints?.()?.checkpoints ?? 0);
      },
    });
    new Gauge({
      name: 'sq_wal_checkpoint_worker_up', help: '1 while WAL checkpoints run on their worker thread; 0: the writer checkpoints in its commits', registers,
      collect() {
        this.set(sources.checkpoints?.()?.active ? 1 : 0);
      },
    });
    new Gauge({
      name: 'sq_sync_outbox_depth', help: 'Changes waiting to be uploaded to the cloud', registers,
      collect() {
        this.set(read<{ n: number }>('SELECT count(*) AS n FROM sync_outbox')[0]?.n ?? 0);
      },
    });
    new Gauge({
      name: 'sq_sync_oldest_unsent_age_seconds', help: 'Age of the oldest change waiting to be uploaded (0: none)', registers,
      collect() {
        const oldest = read<{ at: number | null }>('SELECT min(created_at) AS at FROM sync_outbox')[0]?.at ?? null;
        this.set(oldest === null ? 0 : Math.max(0, (Date.now() - oldest) / 1000));
      },
    });
    new Gauge({
      name: 'sq_job_queue_depth', help: 'Durable jobs pending or running, by type', labelNames: ['type'], registers,
      collect() {
        this.reset();
        for (const r of read<{ type: string; n: number }>(`SELECT type, count(*) AS n FROM job WHERE status IN ('pending', 'running') GROUP BY type`)) {
          this.set({ type: r.type }, r.n);
        }
      },
    });
  }

  /** The bound series of one route (call once per route, at registration). */
  forRoute(method: string, route: string): RouteMetrics {
    const latency = this.#latency.labels(method.toUpperCase(), route);
    const requests = this.#requests;
    const byStatus = new Map<number, Counter.Internal>();
    const m = method.toUpperCase();
    return {
      observe(seconds, status) {
        latency.observe(seconds);
        let counter = byStatus.get(status);
        if (!counter) {
          counter = requests.labels(m, route, String(status));
          byStatus.set(status, counter);
        }
        counter.inc();
      },
    };
  }

  /** Domain events → ticket and print counters. */
  onEvent(event: DomainEvent): void {
    if (event.kind === 'ticket') {
      switch (event.event) {
        case 'ticket.created': this.ticketsIssued.inc(); break;
        case 'ticket.called': case 'ticket.recalled': this.ticketsCalled.inc(); break;
        case 'ticket.closed': this.ticketsClosed.inc(); break;
        case 'ticket.no_show': this.ticketsNoShow.inc(); break;
        default: break;
      }
    } else if (event.kind === 'print-job' && (event.job.status === 'failed' || event.job.status === 'waiting')) {
      this.printFailures.inc({ outcome: event.job.status });
    }
  }
}
