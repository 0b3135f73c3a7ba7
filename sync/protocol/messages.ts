import { z } from 'zod';
import { BRANCH_ENTITIES, REFERENCE_ENTITIES, REFERENCE_ROWS, SiteRef, TenantRef } from './entities.ts';
import { MAX_PULL_LIMIT, MAX_PUSH_ROWS } from './version.ts';

const Id = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'must be a UUID');
const Ms = z.number().int().min(0);
/** An Ed25519 public key: 32 raw bytes, base64url. */
const PublicKey = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'must be a 32-byte Ed25519 public key in base64url');

// ── Enrollment and device tokens ──────────────────────────────────────────────────────────────────

export const EnrollRequest = z.object({
  token: z.string().min(16).max(128),
  public_key: PublicKey,
  name: z.string().trim().min(1).max(120),
  app_version: z.string().max(64),
  schema_version: z.number().int().min(1),
}).strict();
export type EnrollRequest = z.infer<typeof EnrollRequest>;

export const EnrollResponse = z.object({
  device_id: Id,
  tenant: TenantRef,
  site: SiteRef,
  epoch: z.string(),
  server_time: Ms,
});
export type EnrollResponse = z.infer<typeof EnrollResponse>;

/**
 * Device sign-in is challenge–response so it never depends on the branch clock: the cloud hands out
 * a single-use nonce, the device signs `smartqueue-sync:<device_id>:<nonce>` with its Ed25519 key.
 */
export const ChallengeRequest = z.object({ device_id: Id }).strict();
export const ChallengeResponse = z.object({ nonce: z.string(), expires_in: z.number().int() });
export const TokenRequest = z.object({
  device_id: Id,
  nonce: z.string().min(16).max(128),
  signature: z.string().regex(/^[A-Za-z0-9_-]{86}$/, 'must be a 64-byte Ed25519 signature in base64url'),
}).strict();
export const TokenResponse = z.object({ access_token: z.string(), expires_in: z.number().int(), epoch: z.string(), server_time: Ms });
export type TokenResponse = z.infer<typeof TokenResponse>;

export function challengeMessage(deviceId: string, nonce: string): string {
  return `smartqueue-sync:${deviceId}:${nonce}`;
}

// ── Uplink ────────────────────────────────────────────────────────────────────────────────────────

export const OutboxRow = z.object({
  seq: z.number().int().min(1),
  mutation_id: Id,
  entity: z.enum(BRANCH_ENTITIES),
  entity_id: Id,
  op: z.enum(['insert', 'update', 'delete']),
  /** Validated per entity by the cloud, row by row, so one bad row is dead-lettered alone. */
  payload: z.record(z.string(), z.unknown()),
  created_at: Ms,
});
export type OutboxRow = z.infer<typeof OutboxRow>;

export const PushRequest = z.object({
  /** Identifies this database's outbox sequence; a restored or rebuilt database starts a new stream. */
  stream_id: Id,
  rows: z.array(OutboxRow).min(1).max(MAX_PUSH_ROWS),
  outbox_depth: z.number().int().min(0),
  oldest_unsent_ms: z.number().int().min(0).nullable(),
  clock_offset_ms: z.number().int().nullable(),
  app_version: z.string().max(64),
  /**
   * A branch restored from a backup sends again what its outbox held then: rows up to this seq are
   * replays, applied only where the cloud has no copy yet (any copy it has is at least as new).
   */
  replay_through: z.number().int().min(0).optional(),
}).strict();
export type PushRequest = z.infer<typeof PushRequest>;

export const RejectedRow = z.object({ seq: z.number().int(), mutation_id: Id, error: z.string() });
export const PushResponse = z.object({
  last_applied_seq: z.number().int(),
  applied: z.number().int(),
  duplicates: z.number().int(),
  rejected: z.array(RejectedRow),
  epoch: z.string(),
  server_time: Ms,
});
export type PushResponse = z.infer<typeof PushResponse>;

/** 409 body: the cloud has applied up to `expected_seq - 1` of this stream and refuses a gap. */
export const PushGap = z.object({ error: z.string(), code: z.literal('sync-gap'), details: z.object({ expected_seq: z.number().int() }) });

/**
 * A printer or display of the branch that needs staff now, as the branch sees it when it reports
 * (the sync ack): HQ lists them per branch. A device that recovers drops out of the next report.
 */
export const DeviceAlert = z.object({
  kind: z.enum(['printer', 'display']),
  id: z.string().max(64),
  name: z.string().max(200),
  condition: z.enum(['offline', 'paper-out', 'paper-near-end', 'cover-open', 'error']),
  detail: z.string().max(300).describe("the printer's last error, when it gave one"),
  since: Ms.nullable().describe('printer: last answered; display: last seen (branch clock)'),
}).strict();
export type DeviceAlert = z.infer<typeof DeviceAlert>;
/** At most this many alerts travel in one report (a branch has a handful of devices). */
export const MAX_DEVICE_ALERTS = 50;

// ── Downlink ──────────────────────────────────────────────────────────────────────────────────────

const queryInt = (min: number, max: number) =>
  z.union([z.string().regex(/^\d+$/, 'must be a whole number').transform(Number), z.number().int()])
    .pipe(z.number().int().min(min).max(max));

export const PullQuery = z.object({
  cursor: queryInt(0, Number.MAX_SAFE_INTEGER),
  limit: queryInt(1, MAX_PULL_LIMIT).optional(),
  epoch: z.string().max(64).optional(),
});

export const Change = z.object({
  seq: z.number().int(),
  entity: z.enum(REFERENCE_ENTITIES),
  entity_id: Id,
  op: z.enum(['upsert', 'delete']),
  /** The row after the change (upsert) or `{ merged_into }` / `{}` (delete). */
  data: z.record(z.string(), z.unknown()),
});
export type Change = z.infer<typeof Change>;

export const PullResponse = z.object({
  changes: z.array(Change),
  cursor: z.number().int(),
  has_more: z.boolean(),
  epoch: z.string(),
  server_time: Ms,
  /** The feed's head when the page was read: `head - cursor` changes are still to come (the pull lag). */
  head: z.number().int().optional(),
});
export type PullResponse = z.infer<typeof PullResponse>;

/** 410 body: the cursor is older than the feed keeps, or from another epoch: take a snapshot. */
export const SnapshotRequired = z.object({ error: z.string(), code: z.literal('snapshot-required') });

export const SnapshotQuery = z.object({
  entity: z.enum(REFERENCE_ENTITIES),
  after: z.string().max(64).optional(),
  limit: queryInt(1, MAX_PULL_LIMIT).optional(),
});

/**
 * One page of one entity, in id order. `as_of` is the feed position the page is at least as new as:
 * the branch keeps the first page's `as_of` and pulls the feed from there once every entity is done.
 */
export const SnapshotResponse = z.object({
  entity: z.enum(REFERENCE_ENTITIES),
  rows: z.array(z.record(z.string(), z.unknown())),
  next_after: z.string().nullable(),
  as_of: z.number().int(),
  epoch: z.string(),
  server_time: Ms,
});
export type SnapshotResponse = z.infer<typeof SnapshotResponse>;

export { REFERENCE_ROWS };
