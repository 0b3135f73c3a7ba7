import { sql } from 'kysely';
import { contentDigest } from '../../../branch-server/db/repositories/audit.repository.ts';
import { redactPersonal } from '../../../branch-server/domain/personal-data.ts';
import { ERASED_CUSTOMER_SCRUB } from '../../protocol/entities.ts';
import { tickHlc } from '../../protocol/hlc.ts';
import type { CloudTx } from '../db/database.ts';
import type { CloudDeps } from '../http/context.ts';
import { applyCustomerChange } from './customers.ts';

const DAY_MS = 86_400_000;

/** Entities whose audit rows carry personal data in `before`/`after` (as at the branch). */
const AUDITED_PERSONAL = ['ticket', 'appointment', 'feedback', 'notification', 'customer'] as const;

export type CloudRetentionCounts = { tickets: number; appointments: number; feedback: number; customers: number; duplicates: number; audit: number };
export type CloudRetentionRun = Readonly<{ tenant_id: string; retention_days: number; cutoff: number; counts: CloudRetentionCounts }>;

const emptyCounts = (): CloudRetentionCounts => ({ tickets: 0, appointments: 0, feedback: 0, customers: 0, duplicates: 0, audit: 0 });

/**
 * Rows still holding personal data: the same predicates as the partial indexes of migration 0530,
 * so each night reads only what is left to clean, not years of cleaned history.
 */
const HOLDS_PERSONAL = {
  ticket: sql`(customer_id IS NOT NULL OR coalesce(data->>'customer_name', '') <> '' OR coalesce(data->>'customer_phone', '') <> '')`,
  appointment: sql`(customer_id IS NOT NULL OR coalesce(data->>'customer_name', '') <> '' OR coalesce(data->>'customer_phone', '') <> '')`,
  feedback: sql`(customer_id IS NOT NULL OR coalesce(data->>'comment', '') <> '')`,
} as const;
const AGE_COLUMN = { ticket: 'created_at', appointment: 'starts_at', feedback: 'created_at' } as const;

/**
 * Branch-owned copies older than the cutoff lose what the branch's own retention removes (the same
 * fields erasure clears: ERASED_CUSTOMER_SCRUB); statuses, times, ratings stay, and the rollup
 * triggers see the same figures before and after. The branch uploads its own cleaned rows too: the
 * two agree, whichever comes first.
 */
async function scrubOld(trx: CloudTx, tenantId: string, table: keyof typeof HOLDS_PERSONAL, cutoff: number, limit: number): Promise<number> {
  const result = await sql`UPDATE ${sql.table(table)} SET customer_id = NULL, data = data || ${JSON.stringify(ERASED_CUSTOMER_SCRUB[table])}::jsonb
    WHERE id IN (SELECT id FROM ${sql.table(table)} WHERE tenant_id = ${tenantId}::uuid AND ${sql.ref(AGE_COLUMN[table])} < ${cutoff}
      AND ${HOLDS_PERSONAL[table]} LIMIT ${limit})`.execute(trx);
  return Number(result.numAffectedRows ?? 0);
}

/**
 * Customers not seen since the cutoff (not edited since, and no branch row names them any more once
 * the old rows lost their link) are erased as HQ erases one: a delete that beats any edit, which
 * every branch applies with its next pull.
 */
async function eraseUnseenCustomers(trx: CloudTx, tenantId: string, cutoff: number, now: number, limit: number): Promise<number> {
  const rows = await trx.selectFrom('customer').select(['id', 'created_at', 'hlc']).where('tenant_id', '=', tenantId)
    .where('deleted', 'is', null).where('merged_into', 'is', null).where('updated_at', '<', cutoff)
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom('ticket').select(sql`1`.as('x')).whereRef('ticket.customer_id', '=', 'customer.id'))))
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom('appointment').select(sql`1`.as('x')).whereRef('appointment.customer_id', '=', 'customer.id'))))
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom('feedback').select(sql`1`.as('x')).whereRef('feedback.customer_id', '=', 'customer.id'))))
    .orderBy('id').limit(limit).execute();
  for (const c of rows) {
    await applyCustomerChange(trx, tenantId, {
      id: c.id, tenant_id: tenantId, created_at: c.created_at, values: {}, hlc: tickHlc(c.hlc, now), deleted: true,
    }, 'hq:retention', true, now);
  }
  return rows.length;
}

/** Records merged into another keep a copy of the fields they came with: past the cutoff they lose it (the survivor holds the merged values). */
async function blankOldDuplicates(trx: CloudTx, tenantId: string, cutoff: number, limit: number): Promise<number> {
  const result = await sql`UPDATE customer SET first_name = '', last_name = '', phone = '', email = '', external_ref = NULL,
      metadata = '{}', tags = '[]', consents = '{}'
    WHERE id IN (SELECT id FROM customer WHERE tenant_id = ${tenantId}::uuid AND merged_into IS NOT NULL AND updated_at < ${cutoff}
      AND (first_name <> '' OR last_name <> '' OR phone <> '' OR email <> '' OR external_ref IS NOT NULL OR metadata <> '{}') LIMIT ${limit})`.execute(trx);
  return Number(result.numAffectedRows ?? 0);
}

/**
 * Audit copies of those entities lose the same fields, as the branch redacts its own: `before` and
 * `after` are cleaned and the digests of what was there are kept, so the chain HQ verifies for each
 * branch still holds. Every old row looked at is marked (`redacted_at`), changed or not, and is not
 * read again; the stored `hash` never changes.
 */
async function redactOldAudit(trx: CloudTx, tenantId: string, cutoff: number, now: number, limit: number): Promise<{ changed: number; walked: number }> {
  const rows = await trx.selectFrom('audit_log').select(['id', 'data']).where('tenant_id', '=', tenantId).where('created_at', '<', cutoff)
    .where(sql<boolean>`data->>'redacted_at' IS NULL`).where('entity', 'in', AUDITED_PERSONAL).orderBy('id').limit(limit).execute();
  let changed = 0;
  for (const row of rows) {
    const data = row.data as Record<string, unknown>;
    const text = (key: 'before' | 'after') => (typeof data[key] === 'string' ? data[key] as string : null);
    const stored = (key: 'before_digest' | 'after_digest') => (typeof data[key] === 'string' ? data[key] as string : null);
    const clean = (value: string | null) => (value === null ? null : JSON.stringify(redactPersonal(JSON.parse(value))));
    const before = clean(text('before'));
    const after = clean(text('after'));
    if (before !== text('before') || after !== text('after')) changed += 1;
    const next = {
      ...data, before, after, redacted_at: now,
      before_digest: contentDigest(text('before'), stored('before_digest')), after_digest: contentDigest(text('after'), stored('after_digest')),
    };
    await trx.updateTable('audit_log').set({ data: next }).where('id', '=', row.id).execute();
  }
  return { changed, walked: rows.length };
}

/**
 * One batch of one tenant's retention at the cloud, in one transaction under the tenant's row-level
 * security; `more` when a table filled its batch (the caller loops, so a first run over years of
 * history never holds locks for long).
 */
export async function cloudRetentionBatch(
  deps: CloudDeps, tenantId: string, cutoff: number, now: number, limit = 500,
): Promise<{ counts: CloudRetentionCounts; more: boolean }> {
  return deps.cloud.withTenant(tenantId, async (trx) => {
    const counts = emptyCounts();
    counts.tickets = await scrubOld(trx, tenantId, 'ticket', cutoff, limit);
    counts.appointments = await scrubOld(trx, tenantId, 'appointment', cutoff, limit);
    counts.feedback = await scrubOld(trx, tenantId, 'feedback', cutoff, limit);
    counts.customers = await eraseUnseenCustomers(trx, tenantId, cutoff, now, limit);
    counts.duplicates = await blankOldDuplicates(trx, tenantId, cutoff, limit);
    const audit = await redactOldAudit(trx, tenantId, cutoff, now, limit);
    counts.audit = audit.changed;
    const { audit: _changed, ...tables } = counts;
    return { counts, more: audit.walked === limit || Object.values(tables).some((n) => n >= limit) };
  });
}

/** Every tenant's retention (`data_retention_days`), batch after batch. */
export async function runCloudRetention(deps: CloudDeps, now: number, limit = 500): Promise<CloudRetentionRun[]> {
  const tenants = await deps.cloud.db.selectFrom('tenant').select(['id', 'data_retention_days']).orderBy('id').execute();
  const runs: CloudRetentionRun[] = [];
  for (const tenant of tenants) {
    const cutoff = now - tenant.data_retention_days * DAY_MS;
    const total = emptyCounts();
    for (;;) {
      const batch = await cloudRetentionBatch(deps, tenant.id, cutoff, now, limit);
      for (const key of Object.keys(total) as (keyof CloudRetentionCounts)[]) total[key] += batch.counts[key];
      if (!batch.more) break;
    }
    runs.push({ tenant_id: tenant.id, retention_days: tenant.data_retention_days, cutoff, counts: total });
  }
  return runs;
}

/**
 * The nightly run: the first look after `hour` (UTC) on a day it has not run yet. Several cloud
 * processes may look at once; the day is claimed in `cloud_meta` with one conditional write, so only
 * one of them runs it (a run cut short by a crash finishes the next night: every step is idempotent).
 * Counted in `sq_cloud_retention_rows_total` and logged per tenant. Returns null when not due or
 * claimed by another process.
 */
export async function runCloudRetentionIfDue(deps: CloudDeps, hour: number): Promise<CloudRetentionRun[] | null> {
  const now = deps.now();
  const at = new Date(now);
  if (at.getUTCHours() < hour) return null;
  const day = at.toISOString().slice(0, 10);
  const claimed = await deps.cloud.withSystem((trx) => trx.insertInto('cloud_meta').values({ key: 'retention_last_day', value: day })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: day }).where('cloud_meta.value', '<>', day))
    .returning('key').executeTakeFirst());
  if (!claimed) return null;
  const runs = await runCloudRetention(deps, now);
  for (const run of runs) {
    for (const [table, n] of Object.entries(run.counts)) if (n > 0) deps.metrics?.retentionRows.inc({ table }, n);
    deps.logger?.info({ task: 'retention', tenant_id: run.tenant_id, retention_days: run.retention_days, ...run.counts }, 'retention applied');
  }
  return runs;
}
