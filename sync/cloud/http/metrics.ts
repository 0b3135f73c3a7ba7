import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { RouteObserver } from '../../../branch-server/http/observability.ts';
import type { CloudDb } from '../db/database.ts';

const LATENCY_BUCKETS = [0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * Prometheus metrics of one cloud process: request latency by route template, what branches upload,
 * and, read from the database at scrape time, each branch's reported backlog and backup age (the
 * same for every instance behind the load balancer: scrape one, or aggregate with max()).
 */
export class CloudMetrics {
  readonly registry = new Registry();
  readonly #latency: Histogram<'method' | 'route'>;
  readonly #requests: Counter<'method' | 'route' | 'status'>;
  readonly pushRows: Counter<'result'>;
  readonly retentionRows: Counter<'table'>;

  constructor(cloud: CloudDb) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'sq_cloud_' });
    this.#latency = new Histogram({
      name: 'sq_cloud_http_request_duration_seconds', help: 'HTTP request latency by route template', labelNames: ['method', 'route'], buckets: LATENCY_BUCKETS, registers,
    });
    this.#requests = new Counter({ name: 'sq_cloud_http_requests_total', help: 'HTTP requests by route template and status', labelNames: ['method', 'route', 'status'], registers });
    this.pushRows = new Counter({ name: 'sq_cloud_push_rows_total', help: 'Rows branches uploaded, by result', labelNames: ['result'], registers });
    this.retentionRows = new Counter({ name: 'sq_cloud_retention_rows_total', help: "Rows the nightly retention pseudonymised or erased, by table", labelNames: ['table'], registers });
    new Gauge({
      name: 'sq_cloud_branch_outbox_depth', help: 'Rows waiting to upload at each branch, as it last reported', labelNames: ['branch', 'site'], registers,
      async collect() {
        this.reset();
        for (const r of await branches(cloud)) this.set({ branch: r.id, site: r.site_id }, Number(r.outbox_depth));
      },
    });
    new Gauge({
      name: 'sq_cloud_branch_backup_age_seconds', help: "Age of each branch's newest verified backup, as it last reported (absent: never reported)", labelNames: ['branch', 'site'], registers,
      async collect() {
        this.reset();
        const now = Date.now();
        for (const r of await branches(cloud)) {
          if (r.last_backup_at !== null) this.set({ branch: r.id, site: r.site_id }, Math.max(0, (now - Number(r.last_backup_at)) / 1000));
        }
      },
    });
  }

  forRoute(method: string, route: string): RouteObserver {
    const m = method.toUpperCase();
    const latency = this.#latency.labels(m, route);
    const requests = this.#requests;
    const byStatus = new Map<number, Counter.Internal>();
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
}

/** Every active branch of every tenant (the system role reads across tenants, as maintenance does). */
async function branches(cloud: CloudDb): Promise<{ id: string; site_id: string; outbox_depth: number; last_backup_at: number | null }[]> {
  try {
    return await cloud.withSystem((trx) => trx.selectFrom('device').select(['id', 'site_id', 'outbox_depth', 'last_backup_at']).where('revoked_at', 'is', null).execute());
  } catch {
    return [];
  }
}
