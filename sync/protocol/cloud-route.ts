import type { z } from 'zod';
import type { Method } from '../../branch-server/contract/route.ts';

/**
 * Who may call a cloud route.
 * - `public`: anyone (health, sign-in, enrollment and device sign-in, which carry their own proof).
 * - `user`: any signed-in HQ user.
 * - `super`: a super-admin (tenants are created and listed across the platform).
 * - `tenant`: `:slug` names a tenant; the caller is a super-admin or an active member whose role
 *   reaches `need` (analyst: read; manager: read, manage; admin: read, manage, admin).
 * - `device`: an enrolled branch with a device access token; tenant and site come from the token.
 */
export type CloudAccess =
  | Readonly<{ kind: 'public' }>
  | Readonly<{ kind: 'user' }>
  | Readonly<{ kind: 'super' }>
  | Readonly<{ kind: 'tenant'; need: TenantNeed }>
  | Readonly<{ kind: 'device' }>;
export type TenantNeed = 'read' | 'manage' | 'admin';

export type CloudRouteDef = Readonly<{
  method: Method;
  path: string;
  summary: string;
  tag: string;
  access: CloudAccess;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  response: z.ZodType;
  status?: 200 | 201 | 204;
  /** Body size limit when larger than the default 100 KiB (sync push batches). */
  maxBodyBytes?: number;
}>;

export function defineCloudRoutes<const T extends Record<string, CloudRouteDef>>(routes: T): T {
  return routes;
}

export const CLOUD_PUBLIC = { kind: 'public' } as const satisfies CloudAccess;
export const CLOUD_USER = { kind: 'user' } as const satisfies CloudAccess;
export const SUPER = { kind: 'super' } as const satisfies CloudAccess;
export const DEVICE = { kind: 'device' } as const satisfies CloudAccess;
export function tenantNeeds(need: TenantNeed): CloudAccess {
  return { kind: 'tenant', need };
}

export type CloudBodyOf<R extends CloudRouteDef> = R['body'] extends z.ZodType ? z.infer<R['body']> : undefined;
export type CloudQueryOf<R extends CloudRouteDef> = R['query'] extends z.ZodType ? z.infer<R['query']> : undefined;
export type CloudParamsOf<R extends CloudRouteDef> = R['params'] extends z.ZodType ? z.infer<R['params']> : Record<string, never>;
export type CloudResponseOf<R extends CloudRouteDef> = z.input<R['response']>;
