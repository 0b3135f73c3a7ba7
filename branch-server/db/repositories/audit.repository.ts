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

type Chained = Omit<AuditLogRow, 'seq' | 'hash'>;

function canonical(row: Chained): string {
  return JSON.stringify([
    row.id, row.tenant_id, row.actor_user_id, row.actor_device_id, row.action, row.entity, row.entity_id,
    row.before, row.after, row.ip, row.user_agent, row.endpoint, row.created_at, row.prev_hash,
  ]);
}

export function hashAuditRow(row: Chained): string {
  return createHash('sha256').update(canonical(row)).digest('hex');
}

/**
 * Appends one audit row chained to the previous one (hash = sha256(prev_hash + row)), and its outbox
 * row. Must run inside the mutation's transaction so the chain has no gaps or forks.
 */
export function appendAudit(db: Db, actor: Actor, entry: AuditEntry, now: number): void {
  const last = db.first(qb.selectFrom('audit_log').select('hash').orderBy('seq', 'desc').limit(1));
  const row: Chained = {
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
  db.run(qb.insertInto('audit_log').values({ ...row, hash }));
  appendOutbox(db, { tenantId: entry.tenantId, entity: 'audit_log', entityId: row.id, op: 'insert', payload: { ...row, hash } }, now);
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
    prev = hash;
  }
  return { ok: true, rows, brokenAtSeq: null };
}
