import type { Request } from 'express';
import type { LoginRateLimiter } from '../../../branch-server/http/rate-limit.ts';
import type {
  CloudBodyOf, CloudParamsOf, CloudQueryOf, CloudResponseOf, CloudRouteDef,
} from '../../protocol/cloud-route.ts';
import type { CloudDb } from '../db/database.ts';
import type { CloudRole, TenantRow } from '../db/schema.ts';
import type { CloudTokens } from './tokens.ts';
import type { Logger } from 'pino';
import type { CloudMetrics } from './metrics.ts';

export type CloudConfig = Readonly<{
  /** Changes when the cloud database is restored from a backup: branches then re-check their cursors. */
  epoch: string;
  version: string;
  refreshTtlSeconds: number;
  enrollTokenTtlSeconds: number;
  /** How long the change feed keeps rows; an older cursor gets 410 and takes a snapshot. */
  feedRetentionMs: number;
}>;

export type CloudDeps = Readonly<{
  cloud: CloudDb;
  now: () => number;
  tokens: CloudTokens;
  config: CloudConfig;
  /** Failed HQ sign-ins per account and address (per process, like the branch's). */
  loginLimiter: LoginRateLimiter;
  /** Lets tests inject faults at named points of a push (crash, delay); a no-op in production. */
  faults?: CloudFaults;
  /** Logs and metrics of the serving process (absent in the CLIs). */
  logger?: Logger;
  metrics?: CloudMetrics;
}>;

export type CloudFaults = Readonly<{ at(point: string): Promise<void> | void }>;

export type CloudUser = Readonly<{ kind: 'user'; userId: string; sessionId: string; isSuperAdmin: boolean }>;
export type CloudDevice = Readonly<{ kind: 'device'; deviceId: string; tenantId: string; siteId: string }>;
export type CloudPrincipal = CloudUser | CloudDevice | Readonly<{ kind: 'anonymous' }>;

export type CloudCtx<R extends CloudRouteDef> = Readonly<{
  deps: CloudDeps;
  params: CloudParamsOf<R>;
  query: CloudQueryOf<R>;
  body: CloudBodyOf<R>;
  principal: CloudPrincipal;
  /** The tenant named by `:slug` (access `tenant`), membership already checked. */
  tenant: TenantRow | null;
  /** The caller's role there; `super` for a super-admin. */
  role: CloudRole | 'super' | null;
  now: number;
  origin: string;
  req: Request;
  setStatus(status: number): void;
}>;

export type CloudHandler<R extends CloudRouteDef> = (ctx: CloudCtx<R>) => CloudResponseOf<R> | Promise<CloudResponseOf<R>>;
export type CloudHandlers<T extends Record<string, CloudRouteDef>> = { [K in keyof T]: CloudHandler<T[K]> };
