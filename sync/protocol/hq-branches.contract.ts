import { z } from 'zod';
import { IsoDateTime, NullableIso, PageQuery, paginated, TenantIdParams, TenantParams, Uuid } from '../../branch-server/contract/common.ts';
import { QueryBool } from '../../branch-server/contract/fields.ts';
import { defineCloudRoutes, tenantNeeds } from './cloud-route.ts';
import { DeviceAlert } from './messages.ts';

/** A branch is online when it called the cloud within this long. */
export const BRANCH_ONLINE_WINDOW_MS = 2 * 60_000;

export const EnrollTokenStatus = z.enum(['active', 'used', 'expired', 'revoked']);

/** An enrollment token as listed: never the token itself, which is shown once when made. */
export const EnrollTokenDto = z.object({
  id: z.string(),
  site: z.string(),
  site_name: z.string(),
  status: EnrollTokenStatus,
  created_by: z.string().nullable(),
  created_at: IsoDateTime,
  expires_at: IsoDateTime,
  used_at: NullableIso,
  used_by_device: z.string().nullable(),
  revoked_at: NullableIso,
});

export const CreatedEnrollTokenDto = EnrollTokenDto.extend({
  token: z.string().describe('single use; shown only in this answer'),
});

export const CreateEnrollTokenBody = z.object({
  site: Uuid,
  ttl_hours: z.number().int().min(1).max(24 * 30).optional().describe('7 days when absent'),
}).strict();

export const EnrollTokenListQuery = PageQuery.extend({
  site: Uuid.optional(),
  status: EnrollTokenStatus.optional(),
}).strict();

export const BranchDto = z.object({
  id: z.string().describe('the enrolled device'),
  name: z.string(),
  site: z.string(),
  site_name: z.string(),
  online: z.boolean().describe('called the cloud within the last 2 minutes'),
  last_seen_at: NullableIso,
  last_sync_at: NullableIso.describe('latest push or pull'),
  last_push_at: NullableIso,
  last_pull_at: NullableIso,
  outbox_depth: z.number().int().describe('rows waiting to upload, as the branch last reported'),
  oldest_unsent_ms: z.number().int().nullable().describe('age of the oldest row waiting to upload, as the branch last reported'),
  last_applied_seq: z.number().int(),
  feed_cursor: z.number().int().describe('change feed position the branch has applied'),
  feed_lag: z.number().int().describe('changes made at HQ the branch has not yet confirmed'),
  rows_applied: z.number().int(),
  rows_rejected: z.number().int().describe('dead-lettered rows'),
  duplicates_skipped: z.number().int(),
  app_version: z.string(),
  schema_version: z.number().int(),
  clock_offset_ms: z.number().int().nullable().describe("branch clock minus the cloud's, as measured by the branch"),
  enrolled_at: IsoDateTime,
  revoked: z.boolean(),
  revoked_at: NullableIso,
  last_backup_at: NullableIso.describe("the branch's newest verified database backup, as it last reported"),
  last_backup_ok: z.boolean().nullable().describe('false when its latest backup attempt failed; null: never reported'),
  device_alerts: z.array(DeviceAlert).describe('printers and displays needing staff, as the branch last reported'),
  device_alerts_at: NullableIso.describe('when the branch last reported its printers and displays; null: never'),
});
export type BranchDto = z.infer<typeof BranchDto>;

export const BranchListQuery = PageQuery.extend({
  site: Uuid.optional(),
  revoked: QueryBool.optional(),
  online: QueryBool.optional(),
}).strict();

export const hqBranchRoutes = defineCloudRoutes({
  listEnrollTokens: {
    method: 'get', path: '/api/v1/tenants/:slug/branches/enroll-tokens/', tag: 'branches', access: tenantNeeds('admin'),
    summary: 'Enrollment tokens and their state (never the token itself)', params: TenantParams, query: EnrollTokenListQuery,
    response: paginated(EnrollTokenDto),
  },
  createEnrollToken: {
    method: 'post', path: '/api/v1/tenants/:slug/branches/enroll-tokens/', tag: 'branches', access: tenantNeeds('admin'), status: 201,
    summary: 'A single-use token enrolling one branch appliance for a site; the token is in this answer only',
    params: TenantParams, body: CreateEnrollTokenBody, response: CreatedEnrollTokenDto,
  },
  revokeEnrollToken: {
    method: 'post', path: '/api/v1/tenants/:slug/branches/enroll-tokens/:id/revoke/', tag: 'branches', access: tenantNeeds('admin'),
    summary: 'Revoke an unused token', params: TenantIdParams, response: EnrollTokenDto,
  },
  listBranches: {
    method: 'get', path: '/api/v1/tenants/:slug/branches/', tag: 'branches', access: tenantNeeds('read'),
    summary: 'Enrolled branch appliances with their sync health (filters: site, revoked, online)', params: TenantParams,
    query: BranchListQuery, response: paginated(BranchDto),
  },
  getBranch: {
    method: 'get', path: '/api/v1/tenants/:slug/branches/:id/', tag: 'branches', access: tenantNeeds('read'),
    summary: 'One branch appliance', params: TenantIdParams, response: BranchDto,
  },
  revokeBranch: {
    method: 'post', path: '/api/v1/tenants/:slug/branches/:id/revoke/', tag: 'branches', access: tenantNeeds('admin'),
    summary: 'Revoke a branch appliance: its next sync call is refused (401 device-revoked); it must enroll again',
    params: TenantIdParams, response: BranchDto,
  },
});
