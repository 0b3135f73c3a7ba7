import { z } from 'zod';
import { NullableIso } from './common.ts';
import { defineRoutes, USER } from './route.ts';

const Named = z.object({ id: z.string(), slug: z.string(), name: z.string() });

export const SyncStatusDto = z.object({
  state: z.enum(['online', 'offline', 'enrolling', 'error', 'not_enrolled'])
    .describe('online: the last cycle succeeded; offline: the cloud cannot be reached (retrying with backoff); error: needs someone (revoked, refused)'),
  outbox_depth: z.number().int().describe('changes waiting to be uploaded'),
  oldest_unsent_age_ms: z.number().int().nullable().describe('age of the oldest waiting change, by the branch clock'),
  drain_total: z.number().int().nullable().describe('the backlog when it started draining (for a progress bar); null when none'),
  last_push_at: NullableIso,
  last_pull_at: NullableIso,
  pull_lag: z.number().int().nullable().describe('HQ changes not applied yet, when known (0 once caught up)'),
  clock_offset_ms: z.number().int().nullable().describe('cloud clock minus branch clock, measured at the last exchange'),
  rejected_count: z.number().int().describe('changes the cloud refused for good (kept in sync_rejected)'),
  cloud_url: z.string().nullable(),
  tenant: Named.nullable(),
  site: Named.nullable(),
  last_error: z.string().nullable(),
  last_error_code: z.string().nullable().describe('unreachable, device-revoked, http-5xx, protocol-unsupported, sync-gap, stuck…'),
  syncing: z.boolean(),
});
export type SyncStatusDto = z.infer<typeof SyncStatusDto>;

export const EnrollBranchBody = z.object({
  cloud_url: z.string().trim().url().max(300).refine((url) => /^https?:\/\//i.test(url), 'must be an http(s) URL'),
  token: z.string().trim().min(16).max(128),
}).strict();

/**
 * Sync with the cloud. Not under a tenant slug: the branch has one sync identity. Managers and admins
 * of the enrolled tenant (before enrollment: of the branch's tenant) read the status; admins enroll.
 */
export const syncRoutes = defineRoutes({
  syncStatus: {
    method: 'get', path: '/api/v1/sync/status/', tag: 'sync', access: USER,
    summary: 'Sync state: online/offline/error, backlog waiting to upload, last push and pull, clock offset, refused changes',
    response: SyncStatusDto,
  },
  enrollBranch: {
    method: 'post', path: '/api/v1/sync/enroll/', tag: 'sync', access: USER,
    summary: 'Enroll this branch with the cloud using a single-use token from HQ: its tenant and site become the cloud\'s, history is kept and uploaded',
    body: EnrollBranchBody, response: SyncStatusDto,
  },
});
