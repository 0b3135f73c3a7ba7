import { DomainError } from '../../../branch-server/domain/errors.ts';
import type { CloudRole, TenantRow } from '../db/schema.ts';
import type { CloudPrincipal } from './context.ts';

/** Who acts on a tenant-scoped HQ route: membership and right already checked by the pipeline. */
export type HqCaller = Readonly<{
  tenantId: string;
  userId: string;
  role: CloudRole | 'super';
  now: number;
}>;

type TenantCtx = Readonly<{ tenant: TenantRow | null; role: CloudRole | 'super' | null; principal: CloudPrincipal; now: number }>;

export function hqCaller(ctx: TenantCtx): HqCaller {
  if (!ctx.tenant || !ctx.role || ctx.principal.kind !== 'user') throw new DomainError('forbidden', 'This route is for members of the tenant.');
  return { tenantId: ctx.tenant.id, userId: ctx.principal.userId, role: ctx.role, now: ctx.now };
}

/** The admin right (admin role or super-admin): granting the admin role, templates, sites, branches. */
export function holdsAdmin(caller: HqCaller): boolean {
  return caller.role === 'admin' || caller.role === 'super';
}
