import type { syncRoutes, SyncStatusDto } from '../../contract/sync.contract.ts';
import { getSyncState } from '../../db/repositories/sync-state.repository.ts';
import { qb, type Db } from '../../db/sqlite.ts';
import { DomainError } from '../../domain/errors.ts';
import type { SyncStatus } from '../../../sync/client/sync-client.ts';
import type { Handlers } from '../context.ts';
import { findMembership, type Principal } from '../principal.ts';

/** The tenant sync speaks for: the enrolled one, or before enrollment the one enrollment will re-key. */
function syncTenantId(db: Db): string | null {
  return getSyncState(db, 'tenant_id') ?? db.first(qb.selectFrom('tenant').select('id').orderBy('created_at').orderBy('id').limit(1))?.id ?? null;
}

/** Routes about the branch itself (no tenant in the URL): admins (and managers) of the tenant this branch syncs for. */
export function requireBranchRole(db: Db, principal: Principal, roles: readonly ('admin' | 'manager')[]): void {
  if (principal.kind !== 'user') throw new DomainError('forbidden', 'This route is for signed-in users.');
  const tenantId = syncTenantId(db);
  const membership = tenantId ? findMembership(db, tenantId, principal.userId) : null;
  if (!membership) throw new DomainError('not-a-member', 'You are not a member of the tenant this branch syncs for.');
  if (!(roles as readonly string[]).includes(membership.role)) {
    throw new DomainError('missing-scope', `Only ${roles.join(' or ')}s of this branch's tenant may do this.`);
  }
}

function toDto(s: SyncStatus): SyncStatusDto {
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return {
    state: s.state, outbox_depth: s.outbox_depth, oldest_unsent_age_ms: s.oldest_unsent_age_ms, drain_total: s.drain_total,
    last_push_at: iso(s.last_push_at), last_pull_at: iso(s.last_pull_at), pull_lag: s.pull_lag, clock_offset_ms: s.clock_offset_ms,
    rejected_count: s.rejected_count, cloud_url: s.cloud_url, tenant: s.tenant, site: s.site, last_error: s.last_error,
    last_error_code: s.last_error_code, syncing: s.syncing,
  };
}

export const syncHandlers: Handlers<typeof syncRoutes> = {
  syncStatus: (ctx) => {
    requireBranchRole(ctx.deps.db, ctx.principal, ['admin', 'manager']);
    return toDto(ctx.deps.sync.status());
  },
  enrollBranch: async (ctx) => {
    requireBranchRole(ctx.deps.db, ctx.principal, ['admin']);
    await ctx.deps.sync.enroll(ctx.body.cloud_url, ctx.body.token, ctx.actor);
    return toDto(ctx.deps.sync.status());
  },
};
