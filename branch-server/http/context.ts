import type { Request } from 'express';
import type { BodyOf, ParamsOf, QueryOf, ResponseOf, RouteDef } from '../contract/route.ts';
import type { Actor } from '../db/repositories/audit.repository.ts';
import type { TenantRow } from '../db/tables/tenant.table.ts';
import type { Db } from '../db/sqlite.ts';
import type { EventSink } from '../use-cases/events.ts';
import type { Membership, Principal } from './principal.ts';
import type { TokenService } from './tokens.ts';
import type { LoginRateLimiter, WindowRateLimiter } from './rate-limit.ts';
import type { TicketIssuer } from '../use-cases/issue-ticket.ts';
import type { Font } from '../../hardware/escpos/truetype.ts';
import type { BranchSync } from '../../sync/client/branch-sync.ts';
import type { Logger } from 'pino';
import type { BranchMetrics } from '../ops/metrics.ts';
import type { BackupService } from '../ops/backups.ts';

export type AppConfig = Readonly<{
  /** Public base URL of this branch server, for tracking links; defaults to the request's origin. */
  publicUrl: string | null;
  refreshTtlSeconds: number;
  pairingTtlSeconds: number;
  /** DATA_DIR: the database, secrets and backups live here (the health check watches its free space). */
  dataDir: string;
  /** This build's version, as reported by the health check. */
  version: string;
  /** When this server started (health: no backup yet is fine for the first interval). */
  startedAt: number;
  /** With it, the network may read /metrics (Authorization: Bearer); without, loopback only. */
  metricsToken: string | null;
}>;

/** Everything a route handler may touch. Built once by `start()`. */
export type AppDeps = Readonly<{
  db: Db;
  now: () => number;
  events: EventSink;
  tokens: TokenService;
  loginLimiter: LoginRateLimiter;
  /** Budgets per client address of the public booking and remote-join routes. */
  publicLimits: Readonly<{ read: WindowRateLimiter; write: WindowRateLimiter }>;
  /** Ticket issuance with group commit (one fsync for the tickets of one event-loop turn). */
  issuer: TicketIssuer;
  /** Draws Arabic ticket lines (printing and previews); null when the server found no font for it. */
  ticketFont: Font | null;
  /** Sync with the cloud: status, enrollment, the loop (sync/client). */
  sync: BranchSync;
  /** Structured logs (pino, DATA_DIR/logs); request lines carry `req_id`. */
  logger: Logger;
  /** Prometheus metrics (`/metrics`). */
  metrics: BranchMetrics;
  /** Online backups of the database (ops/backups.ts). */
  backups: BackupService;
  config: AppConfig;
}>;

type TenantOf<R extends RouteDef> = R['access'] extends { kind: 'tenant' } ? TenantRow : null;

export type Ctx<R extends RouteDef> = Readonly<{
  deps: AppDeps;
  params: ParamsOf<R>;
  query: QueryOf<R>;
  body: BodyOf<R>;
  principal: Principal;
  /** The tenant named by `:slug`, membership already checked. */
  tenant: TenantOf<R>;
  /** The caller's membership in that tenant (null for devices and public routes). */
  membership: Membership | null;
  actor: Actor;
  now: number;
  /** scheme://host of this request, for absolute links (pagination, tracking). */
  origin: string;
  req: Request;
  /** Overrides the route's success status for this answer (the health check answers 503 when failing). */
  setStatus(status: number): void;
}>;

export type Handler<R extends RouteDef> = (ctx: Ctx<R>) => ResponseOf<R> | Promise<ResponseOf<R>>;
export type Handlers<T extends Record<string, RouteDef>> = { [K in keyof T]: Handler<T[K]> };
