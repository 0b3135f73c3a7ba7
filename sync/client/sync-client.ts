import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { z } from 'zod';
import { SYSTEM_ACTOR, type Actor } from '../../branch-server/db/repositories/audit.repository.ts';
import {
  deleteSyncState, getSyncNumber, getSyncState, setSyncState,
} from '../../branch-server/db/repositories/sync-state.repository.ts';
import { qb, type Db } from '../../branch-server/db/sqlite.ts';
import { REFERENCE_ENTITIES, type ReferenceEntity } from '../protocol/entities.ts';
import {
  ChallengeResponse, EnrollResponse, PullResponse, PushResponse, SnapshotResponse, TokenResponse,
  type DeviceAlert, type OutboxRow, type PushRequest,
} from '../protocol/messages.ts';
import { MAX_PULL_LIMIT, MAX_PUSH_BYTES, MAX_PUSH_ROWS } from '../protocol/version.ts';
import { generateDeviceKeys, privateKeyFrom, signChallenge } from './identity.ts';
import { applyChange, applySnapshotRow, finishSnapshot, type ApplyScope } from './reference-apply.ts';
import { rekeyForEnrollment } from './rekey.ts';
import type { SyncResponse, SyncTransport } from './transport.ts';
import type { Logger } from 'pino';
import { reportFailure } from '../../branch-server/ops/logger.ts';

/** Where a simulated crash may strike (the harness throws from `faults.at`). */
export const CLIENT_FAULT_POINTS = [
  'client:before-push',
  'client:after-push-response',
  'client:after-ack-commit',
  'client:after-pull-response',
  'client:mid-apply',
  'client:after-apply-commit',
] as const;
export type ClientFaultPoint = (typeof CLIENT_FAULT_POINTS)[number];

export type SyncClientOptions = Readonly<{
  db: Db;
  transport: SyncTransport;
  /** Wall clock: outbox ages, clock offset, status times. Never used to order anything. */
  now: () => number;
  /** Monotonic clock (ms) for token lifetimes and the watchdog; performance.now by default. */
  monotonic?: () => number;
  /** [0, 1): backoff jitter; Math.random by default. */
  random?: () => number;
  /** Crash injection: a throw behaves like the process dying there (uncommitted work is lost). */
  faults?: { at(point: string): void };
  /** Rows per push (≤ MAX_PUSH_ROWS); batches also stay under MAX_PUSH_BYTES serialized. */
  batchRows?: number;
  /** Feed changes and snapshot rows per page (≤ MAX_PULL_LIMIT). */
  pullLimit?: number;
  appVersion: string;
  schemaVersion: number;
  /** Stored at enrollment and shown in the status (the transport already knows where to go). */
  cloudUrl?: string;
  /** The device name HQ sees. */
  deviceName?: string;
  /** The loop: a cycle every intervalMs, nudgeDelayMs after a local write, backoff on failure. */
  intervalMs?: number;
  nudgeDelayMs?: number;
  backoffBaseMs?: number;
  backoffCapMs?: number;
  /** A cycle running longer than this is abandoned and a new one started. */
  watchdogMs?: number;
  /** The loop's timers (cycle schedule and watchdog); the global ones by default. Tests pass virtual ones. */
  timers?: LoopTimers;
  /** The branch's newest verified backup, reported to HQ with each ack. */
  backupStatus?: () => Readonly<{ last_backup_at: number | null; last_backup_ok: boolean }>;
  /** The branch's printers and displays needing staff now, reported to HQ with each ack. */
  deviceAlerts?: () => DeviceAlert[];
  /** The server's logger: a cycle that fails for an unexpected reason is reported there (stderr without one). */
  logger?: Logger;
}>;

/** A timer handle is opaque; a Node timer is unref'd so a waiting loop never keeps the process up. */
export type LoopTimers = Readonly<{
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}>;

const NODE_TIMERS: LoopTimers = {
  setTimeout(fn, ms) {
    const handle = setTimeout(fn, ms);
    handle.unref();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export type SyncState = 'online' | 'offline' | 'enrolling' | 'error' | 'not_enrolled';

export type SyncStatus = Readonly<{
  state: SyncState;
  device_id: string | null;
  cloud_url: string | null;
  tenant: Readonly<{ id: string; slug: string; name: string }> | null;
  site: Readonly<{ id: string; slug: string; name: string }> | null;
  outbox_depth: number;
  oldest_unsent_age_ms: number | null;
  /** The depth when the current backlog started draining (for a progress bar); null when none. */
  drain_total: number | null;
  last_push_at: number | null;
  last_pull_at: number | null;
  /** Feed rows not yet applied, when known (0 after a complete pull). */
  pull_lag: number | null;
  clock_offset_ms: number | null;
  rejected_count: number;
  deferred_count: number;
  last_error: string | null;
  /** SyncFailure codes: unreachable, device-revoked, http-503, sync-gap, stuck… (for translated messages). */
  last_error_code: string | null;
  syncing: boolean;
}>;

export type SyncCycleResult = Readonly<{ pushed: number; duplicates: number; rejected: number; pulled: number; snapshot: boolean }>;

export type EnrollResult = Readonly<{
  device_id: string;
  tenant: Readonly<{ id: string; slug: string; name: string }>;
  site: Readonly<{ id: string; slug: string; name: string }>;
  rekeyed_rows: number;
}>;

/** Why a cycle stopped: `offline` (cannot reach the cloud, or it is failing) retries quietly; `error` needs someone. */
export class SyncFailure extends Error {
  override readonly name = 'SyncFailure';
  constructor(readonly kind: 'offline' | 'error', readonly code: string, message: string) {
    super(message);
  }
}

class Abandoned extends Error {
  override readonly name = 'Abandoned';
}

type Cycle = { abandoned: boolean };
type SnapshotProgress = { entity: ReferenceEntity; after: string | null; as_of: number | null; epoch: string | null };
type OutboxDbRow = { seq: number; mutation_id: string; entity: string; entity_id: string; op: string; payload: string; created_at: number };

/** Room left in a push body for its envelope (stream id, depth, versions). */
const ENVELOPE_BYTES = 4 * 1024;

/**
 * The branch side of sync (ARCHITECTURE §7), inside the branch server process. One cycle: sign in
 * (challenge–response with the device's Ed25519 key), push the outbox in seq order in bounded
 * batches until it is empty, pull the change feed (or a resumable snapshot) until caught up, ack.
 * Every step that changes the database does it in one transaction with the state that records it,
 * so a crash anywhere leaves either the old or the new state, and a fresh client continues.
 * Nothing is removed from the outbox before the cloud has acknowledged it.
 */
export class SyncClient {
  readonly #db: Db;
  readonly #transport: SyncTransport;
  readonly #now: () => number;
  readonly #monotonic: () => number;
  readonly #random: () => number;
  readonly #faults: { at(point: string): void } | undefined;
  readonly #batchRows: number;
  readonly #pullLimit: number;
  readonly #options: SyncClientOptions;

  #access: { token: string; expiresAt: number } | null = null;
  /** Wall-clock times around the last answered request (for the clock offset at its midpoint). */
  #lastExchange = { sent: 0, received: 0 };
  #cloudEpoch: string | null = null;
  #state: SyncState;
  #lastError: { code: string; message: string } | null = null;
  #pullLag: number | null = null;
  #drainTotal: number | null = null;
  #inFlight: Promise<SyncCycleResult> | null = null;
  #cycle: Cycle | null = null;

  // The loop.
  #running = false;
  #timer: unknown = null;
  #timers: LoopTimers;
  #timerDue = Infinity;
  #again = false;
  #failures = 0;

  constructor(options: SyncClientOptions) {
    this.#options = options;
    this.#db = options.db;
    this.#transport = options.transport;
    this.#now = options.now;
    this.#monotonic = options.monotonic ?? (() => performance.now());
    this.#random = options.random ?? Math.random;
    this.#timers = options.timers ?? NODE_TIMERS;
    this.#faults = options.faults;
    this.#batchRows = Math.max(1, Math.min(options.batchRows ?? MAX_PUSH_ROWS, MAX_PUSH_ROWS));
    this.#pullLimit = Math.max(1, Math.min(options.pullLimit ?? 500, MAX_PULL_LIMIT));
    this.#state = this.enrolled ? 'offline' : 'not_enrolled';
  }

  get enrolled(): boolean {
    return getSyncState(this.#db, 'device_id') !== null;
  }

  // ── Enrollment ────────────────────────────────────────────────────────────────────────────────

  /**
   * Enrolls this branch with a single-use token: a key pair is made here, the cloud answers with
   * the tenant and site this branch now is, and the local data is re-keyed to them in one
   * transaction (sync/client/rekey.ts). The next cycle takes a snapshot of the reference data.
   */
  async enroll(token: string, options: Readonly<{ actor?: Actor }> = {}): Promise<EnrollResult> {
    if (this.#inFlight) throw new SyncFailure('error', 'busy', 'A sync cycle is running; stop the loop before enrolling.');
    const previous = this.#state;
    this.#state = 'enrolling';
    try {
      const keys = generateDeviceKeys();
      const t0 = this.#now();
      const res = await this.#exchange({
        method: 'POST', path: '/sync/v1/enroll',
        body: {
          token: token.trim(), public_key: keys.publicKey, name: this.#options.deviceName ?? 'SmartQueue Branch',
          app_version: this.#options.appVersion, schema_version: this.#options.schemaVersion,
        },
      });
      const t1 = this.#now();
      if (res.status !== 201) throw refusal(res, 'enroll');
      const enrolled = parseBody(EnrollResponse, res.body, 'enroll');
      const now = this.#now();
      const result = rekeyForEnrollment(this.#db, {
        tenant: enrolled.tenant,
        site: enrolled.site,
        actor: options.actor ?? SYSTEM_ACTOR,
        now,
        details: { device_id: enrolled.device_id, cloud_url: this.#options.cloudUrl ?? null },
        commit: () => {
          const db = this.#db;
          setSyncState(db, 'device_id', enrolled.device_id);
          setSyncState(db, 'device_private_key', keys.privateKeyDer);
          setSyncState(db, 'device_public_key', keys.publicKey);
          if (this.#options.cloudUrl) setSyncState(db, 'cloud_url', this.#options.cloudUrl);
          setSyncState(db, 'tenant_id', enrolled.tenant.id);
          setSyncState(db, 'site_id', enrolled.site.id);
          setSyncState(db, 'enrolled_at', now);
          setSyncState(db, 'epoch', enrolled.epoch);
          setSyncState(db, 'clock_offset_ms', Math.round(enrolled.server_time - (t0 + t1) / 2));
          if (getSyncState(db, 'stream_id') === null) setSyncState(db, 'stream_id', randomUUID());
          // A new device: whatever the feed position was (another enrollment), start from a snapshot.
          deleteSyncState(db, 'cursor');
          deleteSyncState(db, 'last_acked_seq');
          setSyncState(db, 'snapshot', JSON.stringify(freshSnapshot()));
          db.run(qb.deleteFrom('sync_snapshot_seen'));
        },
      });
      this.#access = null;
      this.#state = 'offline';
      this.#lastError = null;
      const ref = (r: { id: string; slug: string; name: string }) => ({ id: r.id, slug: r.slug, name: r.name });
      return { device_id: enrolled.device_id, tenant: ref(enrolled.tenant), site: ref(enrolled.site), rekeyed_rows: result.rows };
    } catch (error) {
      this.#state = previous === 'enrolling' ? 'not_enrolled' : previous;
      this.#lastError = failureOf(error);
      throw error;
    }
  }

  // ── One cycle ─────────────────────────────────────────────────────────────────────────────────

  /** One full cycle (push, pull, ack). Joins the cycle in flight if there is one. */
  syncOnce(): Promise<SyncCycleResult> {
    if (this.#inFlight) return this.#inFlight;
    const cycle: Cycle = { abandoned: false };
    this.#cycle = cycle;
    const run = this.#runCycle(cycle).finally(() => {
      if (this.#cycle === cycle) {
        this.#cycle = null;
        this.#inFlight = null;
      }
    });
    this.#inFlight = run;
    return run;
  }

  async #runCycle(cycle: Cycle): Promise<SyncCycleResult> {
    try {
      if (!this.enrolled) throw new SyncFailure('error', 'not-enrolled', 'This branch is not enrolled with a cloud.');
      const push = await this.#pushAll(cycle);
      const pull = await this.#pullAll(cycle);
      await this.#ack(cycle);
      this.#state = 'online';
      this.#lastError = null;
      return { ...push, ...pull };
    } catch (error) {
      if (!(error instanceof Abandoned) && !cycle.abandoned) {
        // A backlog is "draining" only while uploads succeed; the next successful push starts the bar again.
        this.#drainTotal = null;
        this.#state = error instanceof SyncFailure ? (error.code === 'not-enrolled' ? 'not_enrolled' : error.kind) : 'error';
        this.#lastError = failureOf(error);
      }
      throw error;
    }
  }

  /**
   * Cloud clock minus branch clock, assuming the cloud read its clock halfway through the last
   * exchange. Informational, and it lets the branch's hybrid clock follow the cloud's time.
   */
  #offsetTo(serverTime: number): number {
    return Math.round(serverTime - (this.#lastExchange.sent + this.#lastExchange.received) / 2);
  }

  /** Throws if the watchdog gave up on this cycle: nothing of it may touch the database any more. */
  #check(cycle: Cycle): void {
    if (cycle.abandoned) throw new Abandoned('This sync cycle was abandoned by the watchdog.');
  }

  async #exchange(req: Readonly<{ method: 'GET' | 'POST'; path: string; body?: unknown; token?: string }>): Promise<SyncResponse> {
    try {
      return await this.#transport(req);
    } catch (error) {
      throw new SyncFailure('offline', 'unreachable', `Cannot reach the cloud: ${messageOf(error)}`);
    }
  }

  /**
   * A device access token for other device-facing links to the cloud (the public-page relay socket);
   * `fresh` drops the cached one first (the cloud refused it).
   */
  accessToken(options: Readonly<{ fresh?: boolean }> = {}): Promise<string> {
    if (options.fresh) this.#access = null;
    return this.#token({ abandoned: false });
  }

  /** A device access token, signing in again when it is (nearly) expired. */
  async #token(cycle: Cycle): Promise<string> {
    if (this.#access && this.#monotonic() < this.#access.expiresAt) return this.#access.token;
    const deviceId = getSyncState(this.#db, 'device_id');
    const der = getSyncState(this.#db, 'device_private_key');
    if (!deviceId || !der) throw new SyncFailure('error', 'not-enrolled', 'This branch is not enrolled with a cloud.');
    const challenge = await this.#exchange({ method: 'POST', path: '/sync/v1/challenge', body: { device_id: deviceId } });
    this.#check(cycle);
    if (challenge.status !== 200) throw refusal(challenge, 'sign-in');
    const { nonce } = parseBody(ChallengeResponse, challenge.body, 'challenge');
    const signature = signChallenge(privateKeyFrom(der), deviceId, nonce);
    const started = this.#monotonic();
    const res = await this.#exchange({ method: 'POST', path: '/sync/v1/token', body: { device_id: deviceId, nonce, signature } });
    this.#check(cycle);
    if (res.status !== 200) throw refusal(res, 'sign-in');
    const token = parseBody(TokenResponse, res.body, 'token');
    // Renew at 80 % of the lifetime, timed from before the request (by the monotonic clock).
    this.#access = { token: token.access_token, expiresAt: started + token.expires_in * 800 };
    this.#cloudEpoch = token.epoch;
    return token.access_token;
  }

  /** An authenticated request; an expired or unknown token is renewed once. */
  async #call(cycle: Cycle, method: 'GET' | 'POST', path: string, body?: unknown): Promise<SyncResponse> {
    for (let attempt = 0; ; attempt += 1) {
      const token = await this.#token(cycle);
      const sent = this.#now();
      const res = await this.#exchange({ method, path, token, ...(body === undefined ? {} : { body }) });
      this.#check(cycle);
      this.#lastExchange = { sent, received: this.#now() };
      const code = codeOf(res.body);
      if (res.status === 401 && (code === 'token-expired' || code === 'token-invalid') && attempt === 0) {
        this.#access = null;
        continue;
      }
      return res;
    }
  }

  // ── Uplink ────────────────────────────────────────────────────────────────────────────────────

  async #pushAll(cycle: Cycle): Promise<{ pushed: number; duplicates: number; rejected: number }> {
    let pushed = 0;
    let duplicates = 0;
    let rejected = 0;
    let from: number | null = null;
    let lastGap: number | null = null;
    for (;;) {
      const batch = this.#readBatch(from);
      if (batch.length === 0) {
        this.#drainTotal = null;
        return { pushed, duplicates, rejected };
      }
      const { depth, oldestAge } = this.#outboxShape();
      this.#faults?.at('client:before-push');
      const body: PushRequest = {
        stream_id: this.#streamId(),
        rows: batch,
        outbox_depth: depth,
        oldest_unsent_ms: oldestAge,
        clock_offset_ms: getSyncNumber(this.#db, 'clock_offset_ms'),
        app_version: this.#options.appVersion,
        ...this.#replayThrough(batch[0]!.seq),
      };
      const res = await this.#call(cycle, 'POST', '/sync/v1/push', body);
      if (res.status === 409 && codeOf(res.body) === 'sync-gap') {
        const expected = expectedSeqOf(res.body);
        if (expected === null || expected === lastGap) throw refusal(res, 'push');
        lastGap = expected;
        from = this.#resumeAfterGap(expected, batch[0]!.seq);
        continue;
      }
      if (res.status !== 200) throw refusal(res, 'push');
      const ack = parseBody(PushResponse, res.body, 'push');
      this.#faults?.at('client:after-push-response');
      this.#check(cycle);
      const lastSent = batch[batch.length - 1]!.seq;
      const outcome = this.#db.tx(() => this.#commitAck(ack, lastSent, this.#offsetTo(ack.server_time)));
      this.#faults?.at('client:after-ack-commit');
      if (outcome === 'restarted') continue;
      // The bar of a draining backlog: its size when uploads (re)started succeeding.
      if (this.#drainTotal === null || depth > this.#drainTotal) this.#drainTotal = depth;
      pushed += ack.applied;
      duplicates += ack.duplicates;
      rejected += ack.rejected.length;
      from = null;
      lastGap = null;
    }
  }

  /**
   * The cloud has every row up to `last_applied_seq`: in one transaction they leave the outbox
   * (dead-lettered ones are kept in sync_rejected, shown in the status) and the ack is recorded.
   */
  #commitAck(ack: PushResponse, lastSent: number, clockOffset: number): 'acked' | 'restarted' {
    const db = this.#db;
    const allocated = (db.sqlite.prepare(`SELECT seq FROM sqlite_sequence WHERE name = 'sync_outbox'`).pluck().get() as number | undefined) ?? 0;
    if (ack.last_applied_seq > allocated) {
      // The cloud has more of this stream than this database ever wrote: it was restored from a
      // backup. Its seqs now name other rows; a new stream keeps them from being taken as duplicates.
      setSyncState(db, 'stream_id', randomUUID());
      deleteSyncState(db, 'last_acked_seq');
      return 'restarted';
    }
    if (ack.last_applied_seq < lastSent) {
      throw new SyncFailure('error', 'push-not-applied', `The cloud acknowledged up to ${ack.last_applied_seq} of a batch ending at ${lastSent}.`);
    }
    const now = this.#now();
    const keep = db.sqlite.prepare(`INSERT OR REPLACE INTO sync_rejected (seq, mutation_id, entity, entity_id, payload, error, rejected_at)
      SELECT seq, mutation_id, entity, entity_id, payload, ?, ? FROM sync_outbox WHERE seq = ?`);
    for (const r of ack.rejected) keep.run(r.error, now, r.seq);
    db.run(qb.deleteFrom('sync_outbox').where('seq', '<=', ack.last_applied_seq));
    setSyncState(db, 'last_acked_seq', ack.last_applied_seq);
    setSyncState(db, 'last_push_at', now);
    setSyncState(db, 'clock_offset_ms', clockOffset);
    return 'acked';
  }

  /**
   * 409: the cloud expects `expected` next. Rows from there on are still here unless they were
   * acknowledged and removed, which only a restored cloud (new epoch) explains: then a new stream
   * starts at our oldest row. Anything else is a bug, reported and not papered over.
   */
  #resumeAfterGap(expected: number, head: number): number | null {
    if (expected >= head) return expected;
    const stored = getSyncState(this.#db, 'epoch');
    if (this.#cloudEpoch !== null && stored !== null && this.#cloudEpoch !== stored) {
      this.#db.tx(() => setSyncState(this.#db, 'stream_id', randomUUID()));
      return null;
    }
    throw new SyncFailure('error', 'sync-gap',
      `The cloud expects outbox row ${expected} but this branch only has rows from ${head}: rows were removed without the cloud's acknowledgement.`);
  }

  /** Set by a restore; dropped once every replayed row is acknowledged. */
  #replayThrough(firstSeq: number): { replay_through?: number } {
    const through = getSyncNumber(this.#db, 'replay_through');
    if (through === null) return {};
    if (firstSeq > through) {
      this.#db.tx(() => deleteSyncState(this.#db, 'replay_through'));
      return {};
    }
    return { replay_through: through };
  }

  #streamId(): string {
    let stream = getSyncState(this.#db, 'stream_id');
    if (stream === null) {
      stream = randomUUID();
      setSyncState(this.#db, 'stream_id', stream);
    }
    return stream;
  }

  /** The next rows in seq order: at most batchRows, under the byte budget, consecutive. */
  #readBatch(from: number | null): OutboxRow[] {
    const rows = (from === null
      ? this.#db.sqlite.prepare('SELECT * FROM sync_outbox ORDER BY seq LIMIT ?').all(this.#batchRows)
      : this.#db.sqlite.prepare('SELECT * FROM sync_outbox WHERE seq >= ? ORDER BY seq LIMIT ?').all(from, this.#batchRows)) as OutboxDbRow[];
    const batch: OutboxRow[] = [];
    let bytes = ENVELOPE_BYTES;
    for (const r of rows) {
      if (batch.length > 0 && r.seq !== batch[batch.length - 1]!.seq + 1) break;
      let row: OutboxRow = {
        seq: r.seq, mutation_id: r.mutation_id, entity: r.entity as OutboxRow['entity'], entity_id: r.entity_id,
        op: r.op as OutboxRow['op'], payload: JSON.parse(r.payload) as Record<string, unknown>, created_at: r.created_at,
      };
      let size = Buffer.byteLength(JSON.stringify(row));
      if (size + ENVELOPE_BYTES > MAX_PUSH_BYTES) {
        // A row that can never fit: sent as a stub the cloud dead-letters, so the stream moves on
        // (and the full row is kept in sync_rejected when the ack comes back).
        row = { ...row, payload: { oversize_bytes: size } };
        size = Buffer.byteLength(JSON.stringify(row));
      }
      if (batch.length > 0 && bytes + size > MAX_PUSH_BYTES) break;
      batch.push(row);
      bytes += size;
    }
    return batch;
  }

  /** Depth and age of the oldest row; the outbox is always one run of seqs (acks remove a prefix). */
  #outboxShape(): { depth: number; oldestAge: number | null } {
    const shape = this.#db.sqlite.prepare('SELECT min(seq) AS lo, max(seq) AS hi FROM sync_outbox').get() as { lo: number | null; hi: number | null };
    if (shape.lo === null || shape.hi === null) return { depth: 0, oldestAge: null };
    const oldest = this.#db.sqlite.prepare('SELECT created_at FROM sync_outbox WHERE seq = ?').pluck().get(shape.lo) as number;
    return { depth: shape.hi - shape.lo + 1, oldestAge: Math.max(0, this.#now() - oldest) };
  }

  // ── Downlink ──────────────────────────────────────────────────────────────────────────────────

  #scope(): ApplyScope {
    const tenantId = getSyncState(this.#db, 'tenant_id');
    if (!tenantId) throw new SyncFailure('error', 'not-enrolled', 'This branch is not enrolled with a cloud.');
    return { db: this.#db, tenantId, now: this.#now() };
  }

  async #pullAll(cycle: Cycle): Promise<{ pulled: number; snapshot: boolean }> {
    let pulled = 0;
    let snapshots = 0;
    for (;;) {
      if (getSyncState(this.#db, 'snapshot') !== null || getSyncNumber(this.#db, 'cursor') === null) {
        if (snapshots === 2) throw new SyncFailure('error', 'snapshot-loop', 'The cloud keeps asking for a snapshot right after one completed.');
        pulled += await this.#snapshot(cycle);
        snapshots += 1;
      }
      const cursor = getSyncNumber(this.#db, 'cursor') ?? 0;
      const epoch = getSyncState(this.#db, 'epoch');
      const query = new URLSearchParams({ cursor: String(cursor), limit: String(this.#pullLimit), ...(epoch ? { epoch } : {}) });
      const res = await this.#call(cycle, 'GET', `/sync/v1/pull?${query}`);
      if (res.status === 410) {
        // Stale cursor or a restored cloud: start a snapshot (the loop runs it next).
        this.#db.tx(() => this.#beginSnapshot());
        continue;
      }
      if (res.status !== 200) throw refusal(res, 'pull');
      const page = parseBody(PullResponse, res.body, 'pull');
      this.#faults?.at('client:after-pull-response');
      this.#check(cycle);
      const scope = this.#scope();
      const half = Math.ceil(page.changes.length / 2);
      this.#db.tx(() => {
        page.changes.forEach((change, i) => {
          applyChange(scope, change);
          if (i + 1 === half) this.#faults?.at('client:mid-apply');
        });
        setSyncState(this.#db, 'cursor', page.cursor);
        setSyncState(this.#db, 'last_pull_at', scope.now);
        setSyncState(this.#db, 'clock_offset_ms', this.#offsetTo(page.server_time));
      });
      this.#faults?.at('client:after-apply-commit');
      pulled += page.changes.length;
      // Changes still to come; an older cloud that does not send its head only says whether there are any.
      this.#pullLag = page.head !== undefined ? Math.max(0, page.head - page.cursor) : page.has_more ? null : 0;
      if (!page.has_more) return { pulled, snapshot: snapshots > 0 };
    }
  }

  #beginSnapshot(): void {
    setSyncState(this.#db, 'snapshot', JSON.stringify(freshSnapshot()));
    this.#db.run(qb.deleteFrom('sync_snapshot_seen'));
  }

  /**
   * A resumable snapshot: one entity at a time in REFERENCE_ENTITIES order, page by page, each page
   * applied with the progress in one transaction. The first page's `as_of` is where the feed
   * resumes; when the last page is in, rows the snapshot did not contain are deactivated and the
   * cursor moves to `as_of`, in the same transaction.
   */
  async #snapshot(cycle: Cycle): Promise<number> {
    let rows = 0;
    let progress = this.#readSnapshot();
    if (progress === null) {
      this.#db.tx(() => this.#beginSnapshot());
      progress = freshSnapshot();
    }
    for (;;) {
      const query = new URLSearchParams({ entity: progress.entity, limit: String(this.#pullLimit), ...(progress.after ? { after: progress.after } : {}) });
      const res = await this.#call(cycle, 'GET', `/sync/v1/snapshot?${query}`);
      if (res.status !== 200) throw refusal(res, 'snapshot');
      const page = parseBody(SnapshotResponse, res.body, 'snapshot');
      this.#faults?.at('client:after-pull-response');
      this.#check(cycle);
      if (page.entity !== progress.entity) throw new SyncFailure('error', 'bad-answer', `Asked for ${progress.entity} snapshot rows, got ${page.entity}.`);
      if (progress.epoch !== null && page.epoch !== progress.epoch) {
        // The cloud was restored while we were reading it: start over.
        this.#db.tx(() => this.#beginSnapshot());
        progress = freshSnapshot();
        continue;
      }
      const next = nextProgress(progress, page);
      const asOf = progress.as_of ?? page.as_of;
      const scope = this.#scope();
      const half = Math.ceil(page.rows.length / 2);
      this.#db.tx(() => {
        page.rows.forEach((row, i) => {
          applySnapshotRow(scope, page.entity, row);
          if (i + 1 === half) this.#faults?.at('client:mid-apply');
        });
        if (next === null) {
          finishSnapshot(scope);
          setSyncState(this.#db, 'cursor', asOf);
          setSyncState(this.#db, 'epoch', page.epoch);
          setSyncState(this.#db, 'last_pull_at', scope.now);
          deleteSyncState(this.#db, 'snapshot');
        } else {
          setSyncState(this.#db, 'snapshot', JSON.stringify(next));
        }
      });
      this.#faults?.at('client:after-apply-commit');
      rows += page.rows.length;
      if (next === null) return rows;
      progress = next;
    }
  }

  #readSnapshot(): SnapshotProgress | null {
    const raw = getSyncState(this.#db, 'snapshot');
    if (raw === null) return null;
    try {
      const p = JSON.parse(raw) as SnapshotProgress;
      return (REFERENCE_ENTITIES as readonly string[]).includes(p.entity) ? p : null;
    } catch {
      return null;
    }
  }

  async #ack(cycle: Cycle): Promise<void> {
    const { depth, oldestAge } = this.#outboxShape();
    const res = await this.#call(cycle, 'POST', '/sync/v1/ack', {
      cursor: getSyncNumber(this.#db, 'cursor') ?? 0,
      outbox_depth: depth,
      oldest_unsent_ms: oldestAge,
      clock_offset_ms: getSyncNumber(this.#db, 'clock_offset_ms'),
      app_version: this.#options.appVersion,
      ...this.#options.backupStatus?.(),
      ...(this.#options.deviceAlerts ? { device_alerts: this.#options.deviceAlerts() } : {}),
    });
    if (res.status !== 200) throw refusal(res, 'ack');
  }

  // ── The loop ──────────────────────────────────────────────────────────────────────────────────

  /** Runs cycles until stop(): after local writes (nudge), every intervalMs, with backoff on failure. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#schedule(0);
  }

  /** Stops the loop. A cycle in flight is abandoned: it commits nothing more. */
  stop(): void {
    this.#running = false;
    if (this.#timer) this.#timers.clearTimeout(this.#timer);
    this.#timer = null;
    this.#timerDue = Infinity;
    this.#abandon();
  }

  /** A local write committed: sync soon (unless backing off after failures: a write does not cut the wait). */
  nudge(): void {
    if (!this.#running) return;
    if (this.#inFlight) {
      this.#again = true;
      return;
    }
    if (this.#failures > 0) return;
    this.#schedule(this.#options.nudgeDelayMs ?? 200);
  }

  #schedule(delayMs: number): void {
    const due = this.#monotonic() + delayMs;
    if (this.#timer && due >= this.#timerDue) return;
    if (this.#timer) this.#timers.clearTimeout(this.#timer);
    this.#timerDue = due;
    this.#timer = this.#timers.setTimeout(() => {
      this.#timer = null;
      this.#timerDue = Infinity;
      void this.#tick();
    }, Math.max(0, delayMs));
  }

  async #tick(): Promise<void> {
    if (!this.#running) return;
    if (this.#inFlight) {
      // Someone called syncOnce(): follow up once it is done.
      const settle = () => {
        if (this.#running) this.#schedule(this.#options.nudgeDelayMs ?? 200);
      };
      this.#inFlight.then(settle, settle);
      return;
    }
    this.#again = false;
    const watchdogMs = this.#options.watchdogMs ?? 120_000;
    const run = this.syncOnce();
    const cycle = this.#cycle;
    const watchdog = this.#timers.setTimeout(() => {
      if (this.#cycle !== cycle || !this.#running) return;
      this.#abandon();
      this.#failures += 1;
      this.#state = 'offline';
      this.#lastError = { code: 'stuck', message: `A sync cycle was stuck for more than ${Math.round(watchdogMs / 1000)} s: abandoned and restarted.` };
      this.#schedule(this.#backoff());
    }, watchdogMs);
    let next: number;
    try {
      await run;
      this.#failures = 0;
      next = this.#again ? (this.#options.nudgeDelayMs ?? 200) : (this.#options.intervalMs ?? 30_000);
    } catch (error) {
      if (error instanceof Abandoned || cycle?.abandoned) return;
      if (!(error instanceof SyncFailure)) reportFailure(this.#options.logger, 'sync cycle failed', error);
      this.#failures += 1;
      next = this.#backoff();
    } finally {
      this.#timers.clearTimeout(watchdog);
    }
    if (this.#running) this.#schedule(next);
  }

  /** Exponential backoff with full jitter, capped. */
  #backoff(): number {
    const base = this.#options.backoffBaseMs ?? 1000;
    const cap = this.#options.backoffCapMs ?? 60_000;
    return Math.round(this.#random() * Math.min(cap, base * 2 ** Math.min(this.#failures - 1, 30)));
  }

  #abandon(): void {
    if (this.#cycle) this.#cycle.abandoned = true;
    this.#cycle = null;
    this.#inFlight = null;
  }

  // ── Status ────────────────────────────────────────────────────────────────────────────────────

  status(): SyncStatus {
    const db = this.#db;
    const { depth, oldestAge } = this.#outboxShape();
    const tenantId = getSyncState(db, 'tenant_id');
    const siteId = getSyncState(db, 'site_id');
    const tenant = tenantId ? db.first(qb.selectFrom('tenant').select(['id', 'slug', 'name']).where('id', '=', tenantId)) ?? null : null;
    const site = siteId ? db.first(qb.selectFrom('site').select(['id', 'slug', 'name']).where('id', '=', siteId)) ?? null : null;
    const count = (table: 'sync_rejected' | 'sync_deferred') => Number(db.sqlite.prepare(`SELECT count(*) FROM ${table}`).pluck().get());
    return {
      state: this.#state === 'enrolling' ? 'enrolling' : !this.enrolled ? 'not_enrolled' : this.#state === 'not_enrolled' ? 'offline' : this.#state,
      device_id: getSyncState(db, 'device_id'),
      cloud_url: getSyncState(db, 'cloud_url'),
      tenant,
      site,
      outbox_depth: depth,
      oldest_unsent_age_ms: oldestAge,
      drain_total: depth > 0 ? this.#drainTotal : null,
      last_push_at: getSyncNumber(db, 'last_push_at'),
      last_pull_at: getSyncNumber(db, 'last_pull_at'),
      pull_lag: this.#pullLag,
      clock_offset_ms: getSyncNumber(db, 'clock_offset_ms'),
      rejected_count: count('sync_rejected'),
      deferred_count: count('sync_deferred'),
      last_error: this.#lastError?.message ?? null,
      last_error_code: this.#lastError?.code ?? null,
      syncing: this.#inFlight !== null,
    };
  }
}

function freshSnapshot(): SnapshotProgress {
  return { entity: REFERENCE_ENTITIES[0], after: null, as_of: null, epoch: null };
}

function nextProgress(progress: SnapshotProgress, page: SnapshotResponse): SnapshotProgress | null {
  const base = { as_of: progress.as_of ?? page.as_of, epoch: progress.epoch ?? page.epoch };
  if (page.next_after !== null) return { ...base, entity: progress.entity, after: page.next_after };
  const index = REFERENCE_ENTITIES.indexOf(progress.entity);
  const entity = REFERENCE_ENTITIES[index + 1];
  return entity ? { ...base, entity, after: null } : null;
}

function codeOf(body: unknown): string | null {
  const code = (body as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : null;
}

function expectedSeqOf(body: unknown): number | null {
  const seq = (body as { details?: { expected_seq?: unknown } } | null)?.details?.expected_seq;
  return typeof seq === 'number' && Number.isInteger(seq) ? seq : null;
}

function failureOf(error: unknown): { code: string; message: string } {
  return { code: error instanceof SyncFailure ? error.code : 'internal', message: messageOf(error) };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** An answer that is not the success expected: offline for the cloud's own trouble, error otherwise. */
function refusal(res: SyncResponse, step: string): SyncFailure {
  const body = res.body as { error?: unknown; detail?: unknown } | null;
  const said = typeof body?.error === 'string' ? body.error : typeof body?.detail === 'string' ? body.detail : typeof res.body === 'string' ? res.body : '';
  const code = codeOf(res.body) ?? `http-${res.status}`;
  if (res.status >= 500 || res.status === 429 || res.status === 408) {
    return new SyncFailure('offline', code, `The cloud could not ${step} (HTTP ${res.status}${said ? `: ${said}` : ''}).`);
  }
  if (code === 'device-revoked') return new SyncFailure('error', code, 'HQ has revoked this branch: enroll it again with a new token.');
  if (code === 'enrollment-token-invalid') return new SyncFailure('error', code, said || 'This enrollment token is unknown, expired or already used.');
  if (code === 'protocol-unsupported') return new SyncFailure('error', code, `The cloud does not speak this version's sync protocol: update the branch. ${said}`.trim());
  return new SyncFailure('error', code, `The cloud refused to ${step} (HTTP ${res.status}${said ? `: ${said}` : ''}).`);
}

function parseBody<S extends z.ZodType>(schema: S, body: unknown, step: string): z.infer<S> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
    throw new SyncFailure('error', 'bad-answer', `Unexpected ${step} answer from the cloud (${issues}).`);
  }
  return parsed.data;
}
