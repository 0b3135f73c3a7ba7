import type { z } from 'zod';
import { DomainError } from '../../../branch-server/domain/errors.ts';
import {
  BRANCH_ONLINE_WINDOW_MS, type BranchDto, type BranchListQuery, type CreateEnrollTokenBody, type EnrollTokenListQuery,
} from '../../protocol/hq-branches.contract.ts';
import type { DeviceAlert } from '../../protocol/messages.ts';
import type { CloudTx } from '../db/database.ts';
import { pageOf, type PageResult } from '../db/paginate.ts';
import type { DeviceRow, EnrollmentTokenTable } from '../db/schema.ts';
import type { HqCaller } from '../http/caller.ts';
import type { CloudDeps } from '../http/context.ts';
import { iso, isoOrNull } from './dto.ts';
import { createEnrollmentToken } from './enrollment.ts';
import { feedHead } from './feed.ts';

type TokenView = Omit<EnrollmentTokenTable, 'token_hash'> & { site_name: string };
export type EnrollTokenView = Readonly<{
  id: string; site: string; site_name: string; status: 'active' | 'used' | 'expired' | 'revoked'; created_by: string | null;
  created_at: string; expires_at: string; used_at: string | null; used_by_device: string | null; revoked_at: string | null;
}>;

function tokenStatus(row: TokenView, now: number): EnrollTokenView['status'] {
  if (row.used_at !== null) return 'used';
  if (row.revoked_at !== null) return 'revoked';
  return row.expires_at <= now ? 'expired' : 'active';
}

function toTokenDto(row: TokenView, now: number): EnrollTokenView {
  return {
    id: row.id, site: row.site_id, site_name: row.site_name, status: tokenStatus(row, now), created_by: row.created_by,
    created_at: iso(row.created_at), expires_at: iso(row.expires_at), used_at: isoOrNull(row.used_at),
    used_by_device: row.used_by_device, revoked_at: isoOrNull(row.revoked_at),
  };
}

/** Never selects the token hash: listing tokens must not hand out anything that helps enroll. */
function tokenViews(trx: CloudTx, tenantId: string) {
  return trx.selectFrom('enrollment_token as t').innerJoin('site', 'site.id', 't.site_id')
    .select(['t.id', 't.tenant_id', 't.site_id', 't.created_by', 't.created_at', 't.expires_at', 't.used_at', 't.used_by_device',
      't.revoked_at', 'site.name as site_name'])
    .where('t.tenant_id', '=', tenantId);
}

async function tokenView(trx: CloudTx, tenantId: string, id: string, now: number): Promise<EnrollTokenView> {
  const row = await tokenViews(trx, tenantId).where('t.id', '=', id).executeTakeFirst();
  if (!row) throw new DomainError('not-found', 'Enrollment token not found.');
  return toTokenDto(row, now);
}

export async function listEnrollTokens(
  deps: CloudDeps, tenantId: string, query: z.infer<typeof EnrollTokenListQuery>, now: number,
): Promise<PageResult<EnrollTokenView>> {
  return deps.cloud.withTenant(tenantId, (trx) => {
    let q = tokenViews(trx, tenantId);
    if (query.site) q = q.where('t.site_id', '=', query.site);
    switch (query.status) {
      case 'used': q = q.where('t.used_at', 'is not', null); break;
      case 'revoked': q = q.where('t.used_at', 'is', null).where('t.revoked_at', 'is not', null); break;
      case 'expired': q = q.where('t.used_at', 'is', null).where('t.revoked_at', 'is', null).where('t.expires_at', '<=', now); break;
      case 'active': q = q.where('t.used_at', 'is', null).where('t.revoked_at', 'is', null).where('t.expires_at', '>', now); break;
      case undefined: break;
    }
    return pageOf(q.orderBy('t.created_at', 'desc').orderBy('t.id', 'desc'), query, (rows) => rows.map((r) => toTokenDto(r, now)));
  });
}

/** A single-use token for one site; the clear token is in this answer only (the cloud keeps its hash). */
export async function createEnrollToken(
  deps: CloudDeps, caller: HqCaller, body: z.infer<typeof CreateEnrollTokenBody>,
): Promise<EnrollTokenView & { token: string }> {
  const created = await createEnrollmentToken(deps, {
    tenantId: caller.tenantId, siteId: body.site, createdBy: caller.userId,
    ...(body.ttl_hours !== undefined ? { ttlSeconds: body.ttl_hours * 3600 } : {}),
  });
  const view = await deps.cloud.withTenant(caller.tenantId, (trx) => tokenView(trx, caller.tenantId, created.id, deps.now()));
  return { ...view, token: created.token };
}

export async function revokeEnrollToken(deps: CloudDeps, caller: HqCaller, id: string): Promise<EnrollTokenView> {
  return deps.cloud.withTenant(caller.tenantId, async (trx) => {
    const before = await tokenView(trx, caller.tenantId, id, caller.now);
    if (before.status === 'used') {
      throw new DomainError('conflict', 'This token has already enrolled a branch: revoke the branch instead (branches/{id}/revoke/).');
    }
    await trx.updateTable('enrollment_token').set({ revoked_at: caller.now })
      .where('tenant_id', '=', caller.tenantId).where('id', '=', id).where('revoked_at', 'is', null).where('used_at', 'is', null).execute();
    return tokenView(trx, caller.tenantId, id, caller.now);
  });
}

type DeviceView = DeviceRow & { site_name: string };

function toBranchDto(row: DeviceView, head: number, now: number): BranchDto {
  const lastSync = Math.max(row.last_push_at ?? 0, row.last_pull_at ?? 0);
  return {
    id: row.id, name: row.name, site: row.site_id, site_name: row.site_name,
    online: row.revoked_at === null && row.last_seen_at !== null && now - row.last_seen_at <= BRANCH_ONLINE_WINDOW_MS,
    last_seen_at: isoOrNull(row.last_seen_at), last_sync_at: lastSync > 0 ? iso(lastSync) : null,
    last_push_at: isoOrNull(row.last_push_at), last_pull_at: isoOrNull(row.last_pull_at),
    outbox_depth: row.outbox_depth, oldest_unsent_ms: row.oldest_unsent_ms, last_applied_seq: row.last_applied_seq,
    feed_cursor: row.feed_cursor, feed_lag: Math.max(0, head - row.feed_cursor), rows_applied: row.rows_applied,
    rows_rejected: row.rows_rejected, duplicates_skipped: row.duplicates_skipped, app_version: row.app_version,
    schema_version: row.schema_version, clock_offset_ms: row.clock_offset_ms, enrolled_at: iso(row.enrolled_at),
    revoked: row.revoked_at !== null, revoked_at: isoOrNull(row.revoked_at),
    last_backup_at: isoOrNull(row.last_backup_at), last_backup_ok: row.last_backup_ok,
    device_alerts: row.device_alerts as unknown as DeviceAlert[], device_alerts_at: isoOrNull(row.device_alerts_at),
  };
}

function deviceViews(trx: CloudTx, tenantId: string) {
  return trx.selectFrom('device').innerJoin('site', 'site.id', 'device.site_id')
    .selectAll('device').select('site.name as site_name').where('device.tenant_id', '=', tenantId);
}

async function branchView(trx: CloudTx, tenantId: string, id: string, now: number): Promise<BranchDto> {
  const row = await deviceViews(trx, tenantId).where('device.id', '=', id).executeTakeFirst();
  if (!row) throw new DomainError('not-found', 'Branch not found.');
  return toBranchDto(row, (await feedHead(trx, tenantId)).value, now);
}

export async function listBranches(deps: CloudDeps, tenantId: string, query: z.infer<typeof BranchListQuery>, now: number): Promise<PageResult<BranchDto>> {
  return deps.cloud.withTenant(tenantId, async (trx) => {
    const head = (await feedHead(trx, tenantId)).value;
    let q = deviceViews(trx, tenantId);
    if (query.site) q = q.where('device.site_id', '=', query.site);
    if (query.revoked !== undefined) q = q.where('device.revoked_at', query.revoked ? 'is not' : 'is', null);
    if (query.online !== undefined) {
      const since = now - BRANCH_ONLINE_WINDOW_MS;
      q = query.online
        ? q.where('device.revoked_at', 'is', null).where('device.last_seen_at', '>=', since)
        : q.where((eb) => eb.or([eb('device.revoked_at', 'is not', null), eb('device.last_seen_at', 'is', null), eb('device.last_seen_at', '<', since)]));
    }
    return pageOf(q.orderBy('site.name').orderBy('device.enrolled_at').orderBy('device.id'), query, (rows) => rows.map((r) => toBranchDto(r, head, now)));
  });
}

export async function getBranch(deps: CloudDeps, tenantId: string, id: string, now: number): Promise<BranchDto> {
  return deps.cloud.withTenant(tenantId, (trx) => branchView(trx, tenantId, id, now));
}

/** Revokes a branch appliance: every later request with its token is refused (checked per request). */
export async function revokeBranch(deps: CloudDeps, caller: HqCaller, id: string): Promise<BranchDto> {
  return deps.cloud.withTenant(caller.tenantId, async (trx) => {
    await branchView(trx, caller.tenantId, id, caller.now);
    await trx.updateTable('device').set({ revoked_at: caller.now })
      .where('tenant_id', '=', caller.tenantId).where('id', '=', id).where('revoked_at', 'is', null).execute();
    await trx.deleteFrom('device_challenge').where('device_id', '=', id).execute();
    return branchView(trx, caller.tenantId, id, caller.now);
  });
}
