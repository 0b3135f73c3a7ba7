import { HLC_ZERO, observeHlc, tickHlc, type Hlc } from '../../../sync/protocol/hlc.ts';
import { qb, type Db } from '../sqlite.ts';

/**
 * The keys of sync_state (a small key–value table). Written by the sync client in the transactions
 * that move what they describe (cursor with the applied page, last_acked_seq with the outbox delete).
 */
export type SyncStateKey =
  /** Identity: the cloud's device id, our Ed25519 key pair (PKCS#8 DER / raw public, base64url). */
  | 'device_id' | 'device_private_key' | 'device_public_key'
  /** Where and what we are enrolled as. */
  | 'cloud_url' | 'tenant_id' | 'site_id' | 'enrolled_at'
  /** The uplink stream of this database's outbox, and how far the cloud has acknowledged it. */
  | 'stream_id' | 'last_acked_seq'
  /** Downlink: the cloud's epoch (changes when it is restored), our feed cursor, a snapshot in progress. */
  | 'epoch' | 'cursor' | 'snapshot'
  /** The branch's hybrid logical clock (customer edits) and the last measured offset to the cloud clock. */
  | 'hlc' | 'clock_offset_ms'
  /** Status shown to managers (local wall-clock times: informational only). */
  | 'last_push_at' | 'last_pull_at'
  /** Slugs a tenant here was known by before enrollment or an HQ rename (JSON: slug → tenant id). */
  | 'tenant_slug_aliases'
  /** The local day the nightly retention last ran. */
  | 'retention_last_day'
  /** After a restore: outbox rows up to this seq are replays of what the backup held (see PushRequest). */
  | 'replay_through';

export function getSyncState(db: Db, key: SyncStateKey): string | null {
  return db.first(qb.selectFrom('sync_state').select('value').where('key', '=', key))?.value ?? null;
}

export function getSyncNumber(db: Db, key: SyncStateKey): number | null {
  const value = getSyncState(db, key);
  if (value === null) return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

export function setSyncState(db: Db, key: SyncStateKey, value: string | number): void {
  db.run(qb.insertInto('sync_state').values({ key, value: String(value) })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: String(value) })));
}

export function deleteSyncState(db: Db, key: SyncStateKey): void {
  db.run(qb.deleteFrom('sync_state').where('key', '=', key));
}

/**
 * The next stamp of the branch's hybrid logical clock, for a local customer edit. Call it inside the
 * edit's transaction. The wall clock is corrected by the last measured offset to the cloud (when
 * known), so an edit competes fairly with HQ's; whatever the branch clock says, the stamp is after
 * every stamp this branch has made or seen.
 */
export function tickBranchHlc(db: Db, now: number): Hlc {
  const offset = getSyncNumber(db, 'clock_offset_ms') ?? 0;
  const next = tickHlc(getSyncState(db, 'hlc') ?? HLC_ZERO, now + offset);
  setSyncState(db, 'hlc', next);
  return next;
}

/** Moves the branch clock past a stamp received from the cloud. Inside the applying transaction. */
export function observeBranchHlc(db: Db, received: Hlc): void {
  const last = getSyncState(db, 'hlc') ?? HLC_ZERO;
  const next = observeHlc(last, received);
  if (next !== last) setSyncState(db, 'hlc', next);
}

/**
 * Remembers that `oldSlug` now means `tenantId`: kiosks and displays paired before enrollment, and
 * staff bookmarks, name the tenant by the slug they knew; they keep working without re-pairing.
 */
export function rememberSlugAlias(db: Db, oldSlug: string, tenantId: string): void {
  const aliases = slugAliases(db);
  aliases[oldSlug] = tenantId;
  setSyncState(db, 'tenant_slug_aliases', JSON.stringify(aliases));
}

/** The tenant an old slug now stands for, if any. */
export function tenantIdForSlugAlias(db: Db, slug: string): string | null {
  return slugAliases(db)[slug] ?? null;
}

function slugAliases(db: Db): Record<string, string> {
  const raw = getSyncState(db, 'tenant_slug_aliases');
  return raw ? JSON.parse(raw) as Record<string, string> : {};
}
