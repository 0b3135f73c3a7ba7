import { z } from 'zod';
import type { DeviceCapability, Scope } from '../domain/rbac.ts';

/**
 * Who may call a route.
 * - `public`: anyone (health, login, public tracking).
 * - `user`: any signed-in user, no tenant in the URL (auth/me, logout).
 * - `tenant`: the `:slug` in the URL names a tenant; a user must be an active member holding `scope`
 *   (null = membership alone), or a device of that tenant must hold `device`.
 */
export type Access =
  | Readonly<{ kind: 'public' }>
  | Readonly<{ kind: 'user' }>
  | Readonly<{ kind: 'tenant'; scope: Scope | null; device?: DeviceCapability; devicesOnly?: boolean }>;

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export type RouteDef = Readonly<{
  method: Method;
  /** Express-style path with `:params`, always with the v1 trailing slash. */
  path: string;
  summary: string;
  tag: string;
  access: Access;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  response: z.ZodType;
  /** HTTP status of a success; 200 unless said. */
  status?: 200 | 201 | 204;
  /**
   * Changes reference data HQ owns (sites, services, queues, staff, templates): refused once the
   * branch is enrolled with a cloud, whose feed would overwrite it. Made at HQ, it arrives by sync.
   */
  hqOwned?: true;
}>;

export function defineRoutes<const T extends Record<string, RouteDef>>(routes: T): T {
  return routes;
}

export const PUBLIC = { kind: 'public' } as const satisfies Access;
export const USER = { kind: 'user' } as const satisfies Access;
export type TenantAccess = Extract<Access, { kind: 'tenant' }>;
export function scope(needed: Scope | null, device?: DeviceCapability): TenantAccess {
  return device ? { kind: 'tenant', scope: needed, device } : { kind: 'tenant', scope: needed };
}
/** Routes only a paired device may call (its tenant comes from the key, the slug must match). */
export function deviceOnly(device: DeviceCapability): TenantAccess {
  return { kind: 'tenant', scope: null, device, devicesOnly: true };
}

export type BodyOf<R extends RouteDef> = R['body'] extends z.ZodType ? z.infer<R['body']> : undefined;
export type QueryOf<R extends RouteDef> = R['query'] extends z.ZodType ? z.infer<R['query']> : undefined;
export type ParamsOf<R extends RouteDef> = R['params'] extends z.ZodType ? z.infer<R['params']> : Record<string, never>;
export type ResponseOf<R extends RouteDef> = z.input<R['response']>;
