import { z } from 'zod';
import { CLOUD_PUBLIC, DEVICE, defineCloudRoutes } from './cloud-route.ts';
import {
  ChallengeRequest, ChallengeResponse, DeviceAlert, EnrollRequest, EnrollResponse, PullQuery, PullResponse, PushRequest, PushResponse,
  MAX_DEVICE_ALERTS, SnapshotQuery, SnapshotResponse, TokenRequest, TokenResponse,
} from './messages.ts';
import { MAX_PUSH_BYTES } from './version.ts';

/** The device-facing sync routes (ARCHITECTURE §7). Every one expects the `X-Sync-Protocol` header. */
export const syncRoutes = defineCloudRoutes({
  enroll: {
    method: 'post', path: '/sync/v1/enroll', tag: 'sync', access: CLOUD_PUBLIC, status: 201,
    summary: 'Enrolls a branch with a single-use token and its Ed25519 public key',
    body: EnrollRequest, response: EnrollResponse,
  },
  challenge: {
    method: 'post', path: '/sync/v1/challenge', tag: 'sync', access: CLOUD_PUBLIC,
    summary: 'A single-use nonce for the device to sign',
    body: ChallengeRequest, response: ChallengeResponse,
  },
  token: {
    method: 'post', path: '/sync/v1/token', tag: 'sync', access: CLOUD_PUBLIC,
    summary: 'Exchanges a signed nonce for a short-lived device access token',
    body: TokenRequest, response: TokenResponse,
  },
  push: {
    method: 'post', path: '/sync/v1/push', tag: 'sync', access: DEVICE, maxBodyBytes: MAX_PUSH_BYTES + 64 * 1024,
    summary: 'Uploads outbox rows in seq order; duplicates are skipped, gaps refused (409)',
    body: PushRequest, response: PushResponse,
  },
  pull: {
    method: 'get', path: '/sync/v1/pull', tag: 'sync', access: DEVICE,
    summary: "A page of the tenant's change feed after the cursor (410 when a snapshot is needed)",
    query: PullQuery, response: PullResponse,
  },
  snapshot: {
    method: 'get', path: '/sync/v1/snapshot', tag: 'sync', access: DEVICE,
    summary: 'One page of one reference entity, for first sync and stale cursors',
    query: SnapshotQuery, response: SnapshotResponse,
  },
  ack: {
    method: 'post', path: '/sync/v1/ack', tag: 'sync', access: DEVICE,
    summary: 'The branch reports the feed cursor it has applied and its outbox state',
    body: z.object({
      cursor: z.number().int().min(0),
      outbox_depth: z.number().int().min(0),
      oldest_unsent_ms: z.number().int().min(0).nullable(),
      clock_offset_ms: z.number().int().nullable(),
      app_version: z.string().max(64),
      last_backup_at: z.number().int().min(0).nullable().optional().describe('when the newest verified backup of the branch database was taken'),
      last_backup_ok: z.boolean().optional().describe('false when the latest backup attempt failed'),
      device_alerts: z.array(DeviceAlert).max(MAX_DEVICE_ALERTS).optional()
        .describe('printers and displays needing staff now; absent (older branches): HQ keeps what it knew'),
    }).strict(),
    response: z.object({ ok: z.literal(true), server_time: z.number().int() }),
  },
});
