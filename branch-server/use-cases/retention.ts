import { SYSTEM_ACTOR, appendAudit, redactAuditRows } from '../db/repositories/audit.repository.ts';
import { appendOutbox } from '../db/repositories/outbox.repository.ts';
import { getSyncState } from '../db/repositories/sync-state.repository.ts';
import { qb, type Db } from '../db/sqlite.ts';
import type { AuditLogRow } from '../db/tables/audit-log.table.ts';
import type { CustomerRow } from '../db/tables/customer.table.ts';
import { redactPersonal } from '../domain/personal-data.ts';
import { customerEdit } from './customers.ts';

const DAY_MS = 86_400_000;

/** Entities whose audit rows carry personal data in `before`/`after`. */
const AUDITED_PERSONAL: ReadonlySet<string> = new Set(['ticket', 'appointment', 'feedback', 'notification', 'customer']);

export type RetentionCounts = {
  tickets: number; appointments: number; feedback: number; notifications: number; customers: number; audit: number;
};

const emptyCounts = (): RetentionCounts => ({ tickets: 0, appointments: 0, feedback: 0, notifications: 0, customers: 0, audit: 0 });

/**
 * One batch of the retention of one tenant: personal data older than `cutoff` is removed, at most
 * `limit` rows per table, in one transaction (the caller loops until nothing is left, yielding in
 * between, so a first run over years of history never holds the database for long).
 *
 * - tickets and appointments lose the customer's name, phone and link; feedback its free-text
 *   comment and link; notifications the recipient address and text. Statuses, times, ratings and
 *   counts stay, so every report gives the same figures.
 * - customers not seen since the cutoff (no newer ticket or appointment, not edited since) are
 *   erased: deleted here, a tombstone goes to the cloud (delete beats edit at every branch). Not on a
 *   branch enrolled with HQ: a customer unseen here may have come to another branch yesterday, so the
 *   cloud's retention decides for them.
 * - audit rows of those entities lose the same fields, keeping the digests of what was there so the
 *   hash chain still verifies.
 * Every changed ticket, appointment, feedback and audit row is uploaded again (pseudonymised at HQ too).
 */
export function retentionBatch(db: Db, tenantId: string, cutoff: number, now: number, limit = 500): { counts: RetentionCounts; more: boolean } {
  const counts = emptyCounts();
  let auditWalked = 0;
  db.tx(() => {
    const tickets = db.all(qb.selectFrom('ticket').selectAll().where('tenant_id', '=', tenantId).where('created_at', '<', cutoff)
      .where((eb) => eb.or([eb('customer_name', '!=', ''), eb('customer_phone', '!=', ''), eb('customer_id', 'is not', null)])).limit(limit));
    for (const t of tickets) {
      const after = { ...t, customer_id: null, customer_name: '', customer_phone: '', updated_at: now };
      db.run(qb.updateTable('ticket').set({ customer_id: null, customer_name: '', customer_phone: '', updated_at: now }).where('id', '=', t.id));
      appendOutbox(db, { tenantId, entity: 'ticket', entityId: t.id, op: 'update', payload: after }, now);
    }
    counts.tickets = tickets.length;

    const appointments = db.all(qb.selectFrom('appointment').selectAll().where('tenant_id', '=', tenantId).where('starts_at', '<', cutoff)
      .where((eb) => eb.or([eb('customer_name', '!=', ''), eb('customer_phone', '!=', ''), eb('customer_id', 'is not', null)])).limit(limit));
    for (const a of appointments) {
      const after = { ...a, customer_id: null, customer_name: '', customer_phone: '', updated_at: now };
      db.run(qb.updateTable('appointment').set({ customer_id: null, customer_name: '', customer_phone: '', updated_at: now }).where('id', '=', a.id));
      appendOutbox(db, { tenantId, entity: 'appointment', entityId: a.id, op: 'update', payload: after }, now);
    }
    counts.appointments = appointments.length;

    const feedback = db.all(qb.selectFrom('feedback').selectAll().where('tenant_id', '=', tenantId).where('created_at', '<', cutoff)
      .where((eb) => eb.or([eb('comment', '!=', ''), eb('customer_id', 'is not', null)])).limit(limit));
    for (const f of feedback) {
      db.run(qb.updateTable('feedback').set({ customer_id: null, comment: '' }).where('id', '=', f.id));
      appendOutbox(db, { tenantId, entity: 'feedback', entityId: f.id, op: 'update', payload: { ...f, customer_id: null, comment: '' } }, now);
    }
    counts.feedback = feedback.length;

    counts.notifications = db.sqlite.prepare(`UPDATE notification SET customer_id = NULL, recipient = '', body = '', updated_at = ?
      WHERE id IN (SELECT id FROM notification WHERE tenant_id = ? AND created_at < ? AND (recipient != '' OR body != '' OR customer_id IS NOT NULL) LIMIT ?)`)
      .run(now, tenantId, cutoff, limit).changes;

    // Customers not seen since the cutoff: nothing newer refers to them (older rows lost the link above).
    // **Important**: an enrolled branch sees only its own visits, and an erasure reaches every branch:
    // the cloud's retention, which sees them all, erases its customers (the tombstone comes down).
    const customers = getSyncState(db, 'tenant_id') === tenantId ? [] : db.sqlite.prepare(`SELECT c.* FROM customer c WHERE c.tenant_id = ? AND c.updated_at < ?
      AND NOT EXISTS (SELECT 1 FROM ticket t WHERE t.customer_id = c.id)
      AND NOT EXISTS (SELECT 1 FROM appointment a WHERE a.customer_id = c.id)
      AND NOT EXISTS (SELECT 1 FROM feedback f WHERE f.customer_id = c.id)
      AND NOT EXISTS (SELECT 1 FROM notification n WHERE n.customer_id = c.id)
      LIMIT ?`).all(tenantId, cutoff, limit) as CustomerRow[];
    for (const c of customers) {
      db.run(qb.deleteFrom('customer').where('id', '=', c.id));
      appendOutbox(db, { tenantId, entity: 'customer', entityId: c.id, op: 'delete', payload: customerEdit(db, c, [], now, true) }, now);
    }
    counts.customers = customers.length;

    // Old audit rows of those entities not looked at yet; each is marked (redacted_at) once looked at.
    const audit = db.sqlite.prepare(`SELECT * FROM audit_log WHERE tenant_id = ? AND created_at < ? AND redacted_at IS NULL
      AND entity IN (${[...AUDITED_PERSONAL].map(() => '?').join(', ')}) ORDER BY seq LIMIT ?`).all(tenantId, cutoff, ...AUDITED_PERSONAL, limit) as AuditLogRow[];
    counts.audit = redactAuditRows(db, audit, redactPersonal, now, { markUnchanged: true });
    auditWalked = audit.length;
  });
  const { audit: _redacted, ...tables } = counts;
  return { counts, more: auditWalked === limit || Object.values(tables).some((n) => n >= limit) };
}

export type RetentionRun = Readonly<{ tenant_id: string; retention_days: number; cutoff: number; counts: RetentionCounts }>;

/**
 * The nightly retention over every tenant, batch after batch (awaiting a turn of the event loop
 * between batches so requests keep flowing), then one audit row per tenant with what was removed.
 */
export async function runRetention(db: Db, now: number, limit = 500): Promise<RetentionRun[]> {
  const runs: RetentionRun[] = [];
  const tenants = db.all(qb.selectFrom('tenant').select(['id', 'data_retention_days']));
  for (const tenant of tenants) {
    const cutoff = now - tenant.data_retention_days * DAY_MS;
    const total = emptyCounts();
    for (;;) {
      const batch = retentionBatch(db, tenant.id, cutoff, now, limit);
      for (const key of Object.keys(total) as (keyof RetentionCounts)[]) total[key] += batch.counts[key];
      if (!batch.more) break;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    if (Object.values(total).some((n) => n > 0)) {
      db.tx(() => appendAudit(db, SYSTEM_ACTOR, {
        tenantId: tenant.id, action: 'retention.applied', entity: 'tenant', entityId: tenant.id,
        after: { retention_days: tenant.data_retention_days, cutoff: new Date(cutoff).toISOString(), ...total },
      }, now));
    }
    runs.push({ tenant_id: tenant.id, retention_days: tenant.data_retention_days, cutoff, counts: total });
  }
  return runs;
}
