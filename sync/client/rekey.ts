import { writeOpeningHours } from '../../branch-server/use-cases/booking-settings.ts';
import { appendAudit, GENESIS_HASH, hashAuditRow, type Actor } from '../../branch-server/db/repositories/audit.repository.ts';
import { getSyncState, rememberSlugAlias } from '../../branch-server/db/repositories/sync-state.repository.ts';
import { qb, type Db } from '../../branch-server/db/sqlite.ts';
import type { AuditLogRow } from '../../branch-server/db/tables/audit-log.table.ts';
import { DomainError } from '../../branch-server/domain/errors.ts';
import type { ReferenceRow } from '../protocol/entities.ts';

/** Tables the re-key leaves alone: the sync client's own state, and SQLite's and Kysely's. */
const SKIPPED = new Set(['sync_state', 'sync_snapshot_seen']);

export type RekeyInput = Readonly<{
  tenant: ReferenceRow<'tenant'>;
  site: ReferenceRow<'site'>;
  /** Written in the same transaction: the device identity and sync state of the enrollment. */
  commit: () => void;
  actor: Actor;
  now: number;
  details: Record<string, unknown>;
}>;

export type RekeyResult = Readonly<{ fromTenantId: string | null; fromSiteId: string | null; oldChainHead: string; rows: number }>;

/**
 * Makes the branch's data the cloud's tenant and site: the local tenant (the one enrolled before, or
 * the first one, normally the demo tenant) takes the cloud tenant's id, slug and name, its first site the cloud site's id, in
 * every column of every table (foreign keys, JSON payloads of pending outbox rows and jobs, audit
 * details): a UUID is unique, so replacing its text is exact. History stays and is uploaded under
 * the new ids. The audit chain hashes tenant_id, so it is recomputed in seq order (its append-only
 * triggers are lifted inside the transaction only) and a `sync.enrolled` row records the old head.
 *
 * **Important**: foreign keys are switched off around the transaction (SQLite ignores the pragma
 * inside one) and checked before it commits; any violation rolls everything back.
 */
export function rekeyForEnrollment(db: Db, input: RekeyInput): RekeyResult {
  const sqlite = db.sqlite;
  sqlite.pragma('foreign_keys = OFF');
  try {
    return db.tx(() => {
      // Enrolled before (HQ revoked this branch, it enrolls again): the tenant and site it synced as.
      // Otherwise the branch's first tenant and its first site.
      const enrolledTenant = getSyncState(db, 'tenant_id');
      const enrolledSite = getSyncState(db, 'site_id');
      const from = (enrolledTenant ? sqlite.prepare('SELECT id FROM tenant WHERE id = ?').get(enrolledTenant) : undefined) as { id: string } | undefined
        ?? sqlite.prepare('SELECT id FROM tenant ORDER BY created_at, id LIMIT 1').get() as { id: string } | undefined;
      const fromSite = !from ? undefined
        : (enrolledSite ? sqlite.prepare('SELECT id FROM site WHERE id = ? AND tenant_id = ?').get(enrolledSite, from.id) : undefined) as { id: string } | undefined
          ?? sqlite.prepare('SELECT id FROM site WHERE tenant_id = ? ORDER BY created_at, id LIMIT 1').get(from.id) as { id: string } | undefined;
      const oldChainHead = (sqlite.prepare('SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1').pluck().get() as string | undefined) ?? GENESIS_HASH;
      let rows = 0;

      if (from && from.id !== input.tenant.id && sqlite.prepare('SELECT 1 FROM tenant WHERE id = ?').get(input.tenant.id)) {
        throw new DomainError('conflict', 'This branch already holds the cloud tenant next to its own: it cannot be enrolled into it.');
      }
      if (fromSite && fromSite.id !== input.site.id) {
        // Re-enrolling as another site of a tenant this branch already mirrors: the site's mirror row
        // gives way to the branch's own site, which takes its id (and so its queues' references).
        sqlite.prepare('DELETE FROM site WHERE id = ?').run(input.site.id);
      }
      const replacements: [string, string][] = [];
      if (from && from.id !== input.tenant.id) replacements.push([from.id, input.tenant.id]);
      if (fromSite && fromSite.id !== input.site.id) replacements.push([fromSite.id, input.site.id]);

      const triggers = sqlite.prepare(`SELECT name, sql FROM sqlite_schema WHERE type = 'trigger' AND sql IS NOT NULL`).all() as { name: string; sql: string }[];
      for (const trigger of triggers) sqlite.exec(`DROP TRIGGER "${trigger.name}"`);

      if (replacements.length > 0) rows += replaceEverywhere(db, replacements);
      if (from) rechainAudit(db);

      upsertTenantAndSite(db, input.tenant, input.site);
      for (const trigger of triggers) sqlite.exec(trigger.sql);

      const violations = sqlite.pragma('foreign_key_check') as unknown[];
      if (violations.length > 0) {
        throw new Error(`Re-keying the branch data would break ${violations.length} reference(s): ${JSON.stringify(violations.slice(0, 3))}`);
      }
      input.commit();
      appendAudit(db, input.actor, {
        tenantId: input.tenant.id, action: 'sync.enrolled', entity: 'tenant', entityId: input.tenant.id,
        after: { ...input.details, old_chain_head: oldChainHead, old_tenant_id: from?.id ?? null, old_site_id: fromSite?.id ?? null, site_id: input.site.id },
      }, input.now);
      return { fromTenantId: from?.id ?? null, fromSiteId: fromSite?.id ?? null, oldChainHead, rows };
    });
  } finally {
    sqlite.pragma('foreign_keys = ON');
  }
}

/** Replaces each old id by its new one in every TEXT column of every table. Returns rows changed. */
function replaceEverywhere(db: Db, replacements: readonly [string, string][]): number {
  const sqlite = db.sqlite;
  const tables = (sqlite.prepare(`SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'kysely_%'`).pluck().all() as string[])
    .filter((t) => !SKIPPED.has(t));
  let changed = 0;
  for (const table of tables) {
    const columns = (sqlite.prepare(`SELECT name, type FROM pragma_table_info(?)`).all(table) as { name: string; type: string }[])
      .filter((c) => c.type.toUpperCase() === 'TEXT').map((c) => c.name);
    if (columns.length === 0) continue;
    const replaced = (column: string) => replacements.reduce((expr) => `replace(${expr}, ?, ?)`, `"${column}"`);
    const params = replacements.flatMap(([a, b]) => [a, b]);
    const assignments = columns.map((c) => `"${c}" = ${replaced(c)}`).join(', ');
    const where = columns.flatMap((c) => replacements.map(() => `instr("${c}", ?) > 0`)).join(' OR ');
    const whereParams = columns.flatMap(() => replacements.map(([a]) => a));
    const result = sqlite.prepare(`UPDATE "${table}" SET ${assignments} WHERE ${where}`)
      .run(...columns.flatMap(() => params), ...whereParams);
    changed += result.changes;
  }
  return changed;
}

/** Recomputes the audit hash chain in seq order, and the pending outbox copies of its rows. */
function rechainAudit(db: Db): void {
  const sqlite = db.sqlite;
  const update = sqlite.prepare('UPDATE audit_log SET prev_hash = ?, hash = ? WHERE seq = ?');
  let prev = GENESIS_HASH;
  const rows = sqlite.prepare('SELECT * FROM audit_log ORDER BY seq').all() as AuditLogRow[];
  for (const row of rows) {
    const { seq, hash: _old, ...rest } = row;
    const hash = hashAuditRow({ ...rest, prev_hash: prev });
    update.run(prev, hash, seq);
    prev = hash;
  }
  const pending = sqlite.prepare(`SELECT o.seq AS outbox_seq, a.* FROM sync_outbox o JOIN audit_log a ON a.id = o.entity_id WHERE o.entity = 'audit_log'`)
    .all() as (AuditLogRow & { outbox_seq: number })[];
  const rewrite = sqlite.prepare('UPDATE sync_outbox SET payload = ? WHERE seq = ?');
  for (const { outbox_seq: outboxSeq, seq: _seq, ...row } of pending) rewrite.run(JSON.stringify(row), outboxSeq);
}

/** The (re-keyed or new) tenant and site rows take the cloud's values. */
function upsertTenantAndSite(db: Db, tenant: ReferenceRow<'tenant'>, site: ReferenceRow<'site'>): void {
  const sqlite = db.sqlite;
  const before = sqlite.prepare('SELECT slug FROM tenant WHERE id = ?').pluck().get(tenant.id) as string | undefined;
  if (before && before !== tenant.slug) rememberSlugAlias(db, before, tenant.id);
  sqlite.prepare(`UPDATE tenant SET slug = slug || '-' || substr(id, 1, 8) WHERE slug = ? AND id != ?`).run(tenant.slug, tenant.id);
  const { id: tenantId, created_at: tenantCreated, ...tenantColumns } = tenant;
  db.run(qb.insertInto('tenant').values({ id: tenantId, ...tenantColumns, created_at: tenantCreated })
    .onConflict((oc) => oc.column('id').doUpdateSet(tenantColumns)));
  sqlite.prepare(`UPDATE site SET slug = slug || '-' || substr(id, 1, 8) WHERE tenant_id = ? AND slug = ? AND id != ?`).run(site.tenant_id, site.slug, site.id);
  const { id: siteId, created_at: siteCreated, opening_hours: hours, ...siteColumns } = site;
  db.run(qb.insertInto('site').values({ id: siteId, ...siteColumns, created_at: siteCreated })
    .onConflict((oc) => oc.column('id').doUpdateSet(siteColumns)));
  if (hours) writeOpeningHours(db, site.tenant_id, siteId, hours, site.updated_at);
}
