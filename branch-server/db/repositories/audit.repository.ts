import { createHash } from 'node:crypto';
import { qb, type Db } from '../sqlite.ts';
import type { AuditLogRow } from '../tables/audit-log.table.ts';
import { appendOutbox } from './outbox.repository.ts';
import { uuidv7 } from '../../ids.ts';

export const GENESIS_HASH = '0'.repeat(64);

/** Who did it, from where. Every mutation carries one into its audit row. */
export type Actor = Readonly<{
  userId: string | null;
  deviceId: string | null;
  ip: string;
  userAgent: string;
  endpoint: string;
}>;

export const SYSTEM_ACTOR: Actor = { userId: null, deviceId: null, ip: '', userAgent: 'system', endpoint: 'system' };

export type AuditEntry = Readonly<{
  tenantId: string;
  action: string;
  entity: string;
  entityId: string;
  before?: unknown;
  after?: unknown;
}>;

/** The columns the chain hashes; the digests are present once a row was redacted. */
type Chained = Omit<AuditLogRow, 'seq' | 'hash' | 'before_digest' | 'after_digest' | 'redacted_at'>
  & Partial<Pick<AuditLogRow, 'before_digest' | 'after_digest' | 'redacted_at'>>;

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** What the chain commits to for `before`/`after`: the digest of the text as written (kept after a redaction). */
export function contentDigest(text: string | null, stored: string | null | undefined): string | null {
  if (stored) return stored;
  return text === null ? null : sha256(text);
}

/**
 * The hashed form of a row. `before` and `after` enter as digests, so a row whose personal data is
 * later removed (retention, erasure) still verifies: it keeps the digests of what was there.
 */
function canonical(row: Chained): string {
  return JSON.stringify([
    row.id, row.tenant_id, row.actor_user_id, row.actor_device_id, row.action, row.entity, row.entity_id,
    contentDigest(row.before, row.before_digest), contentDigest(row.after, row.after_digest),
    row.ip, row.user_agent, row.endpoint, row.created_at, row.prev_hash,
  ]);
}

export function hashAuditRow(row: Chained): string {
  return sha256(canonical(row));
}

/**
 * Appends one audit row chained to the previous one (hash = sha256(prev_hash + row)), and its outbox
 * row. Must run inside the mutation's transaction so the chain has no gaps or forks.
 */
export function appendAudit(db: Db, actor: Actor, entry: AuditEntry, now: number): void {
  const last = db.raw<{ hash: string }>('SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1')[0];
  const row: Omit<Chained, 'before_digest' | 'after_digest' | 'redacted_at'> = {
    id: uuidv7(now),
    tenant_id: entry.tenantId,
    actor_user_id: actor.userId,
    actor_device_id: actor.deviceId,
    action: entry.action,
    entity: entry.entity,
    entity_id: entry.entityId,
    before: entry.before === undefined ? null : JSON.stringify(entry.before),
    after: entry.after === undefined ? null : JSON.stringify(entry.after),
    ip: actor.ip,
    user_agent: actor.userAgent.slice(0, 512),
    endpoint: actor.endpoint.slice(0, 512),
    created_at: now,
    prev_hash: last?.hash ?? GENESIS_HASH,
  };
  const hash = hashAuditRow(row);
  db.insert('audit_log', { ...row, hash });
  appendOutbox(db, { tenantId: entry.tenantId, entity: 'audit_log', entityId: row.id, op: 'insert', payload: { ...row, hash, before_digest: null, after_digest: null, redacted_at: null } }, now);
}

export type ChainVerification = Readonly<{ ok: boolean; rows: number; brokenAtSeq: number | null }>;

/** Walks the whole chain in order; reports the first row whose link or hash does not match. */
export function verifyAuditChain(db: Db): ChainVerification {
  let prev = GENESIS_HASH;
  let rows = 0;
  for (const row of db.sqlite.prepare('SELECT * FROM audit_log ORDER BY seq').iterate() as Iterable<AuditLogRow>) {
    rows += 1;
    const { seq, hash, ...rest } = row;
    if (rest.prev_hash !== prev || hashAuditRow(rest) !== hash) return { ok: false, rows, brokenAtSeq: seq };
    if (rest.redacted_at !== null && (rest.before !== null && !rest.before_digest || rest.after !== null && !rest.after_digest)) {
      return { ok: false, rows, brokenAtSeq: seq };
    }
    prev = hash;
  }
  return { ok: true, rows, brokenAtSeq: null };
}

/**
 * Removes personal data from audit rows' `before`/`after` (retention, erasure) in the caller's
 * transaction. The digests of what was there are stored with them, so each row's hash and the whole
 * chain still verify; each redacted row goes to the cloud as an update of its copy. `redact`
 * returns the cleaned JSON value (the same value when there is nothing to remove). Returns how many
 * rows changed.
 */
export function redactAuditRows(
  db: Db, rows: readonly AuditLogRow[], redact: (value: unknown) => unknown, now: number, options: Readonly<{ markUnchanged?: boolean }> = {},
): number {
  const clean = (text: string | null): string | null => (text === null ? null : JSON.stringify(redact(JSON.parse(text))));
  type Change = { row: AuditLogRow; changed: boolean; set: Pick<AuditLogRow, 'before' | 'after' | 'before_digest' | 'after_digest' | 'redacted_at'> };
  const changes: Change[] = [];
  for (const row of rows) {
    const before = clean(row.before);
    const after = clean(row.after);
    const changed = before !== row.before || after !== row.after;
    // Unchanged rows are marked as looked at (same content, same digests: nothing to upload).
    if (!changed && !options.markUnchanged) continue;
    changes.push({
      row, changed,
      set: { before, after, before_digest: contentDigest(row.before, row.before_digest), after_digest: contentDigest(row.after, row.after_digest), redacted_at: now },
    });
  }
  if (changes.length === 0) return 0;
  withAuditTriggersLifted(db, () => {
    for (const { row, set } of changes) db.run(qb.updateTable('audit_log').set(set).where('seq', '=', row.seq));
  });
  const uploaded = changes.filter((c) => c.changed);
  for (const { row, set } of uploaded) {
    const { seq: _seq, ...redactedRow } = { ...row, ...set };
    appendOutbox(db, { tenantId: row.tenant_id, entity: 'audit_log', entityId: row.id, op: 'update', payload: redactedRow }, now);
  }
  return uploaded.length;
}

/**
 * The append-only triggers are lifted for the statements of `fn`, inside the caller's transaction
 * (a crash or rollback restores them with everything else).
 */
function withAuditTriggersLifted(db: Db, fn: () => void): void {
  if (!db.sqlite.inTransaction) throw new Error('withAuditTriggersLifted needs a transaction');
  const triggers = db.sqlite.prepare(`SELECT name, sql FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = 'audit_log' AND sql IS NOT NULL`)
    .all() as { name: string; sql: string }[];
  for (const trigger of triggers) db.sqlite.exec(`DROP TRIGGER "${trigger.name}"`);
  try {
    fn();
  } finally {
    for (const trigger of triggers) db.sqlite.exec(trigger.sql);
  }
}
