import { qb, type Db } from '../sqlite.ts';
import type { QueueRow } from '../tables/queue.table.ts';
import type { SiteRow } from '../tables/site.table.ts';
import { DomainError } from '../../domain/errors.ts';

export type FieldIssue = Readonly<{ field: string; message: string }>;

/** A body referenced something this tenant does not have: 400 naming every bad field. */
export function invalidReference(issues: readonly FieldIssue[]): DomainError {
  const first = issues[0];
  return new DomainError('invalid-reference', first ? `${first.field}: ${first.message}.` : 'Unknown reference.', issues);
}

/** JSON columns are TEXT; a damaged value reads as the fallback rather than failing the whole list. */
export function parseJsonColumn<T>(text: string, fallback: T): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

export function requireSite(db: Db, tenantId: string, siteId: string, field = 'site'): SiteRow {
  const site = db.first(qb.selectFrom('site').selectAll().where('id', '=', siteId).where('tenant_id', '=', tenantId));
  if (!site) throw invalidReference([{ field, message: 'unknown site' }]);
  return site;
}

/**
 * The queues a display or kiosk shows, all of this tenant (and of `siteId` when given), in the order
 * asked. Foreign and unknown ids are reported together.
 */
export function requireQueues(db: Db, tenantId: string, ids: readonly string[], siteId: string | null, field = 'queue_ids'): QueueRow[] {
  if (siteId !== null) requireSite(db, tenantId, siteId);
  if (ids.length === 0) return [];
  const rows = db.all(qb.selectFrom('queue').selectAll().where('tenant_id', '=', tenantId).where('id', 'in', [...ids]));
  const byId = new Map(rows.map((r) => [r.id, r]));
  const issues: FieldIssue[] = [];
  ids.forEach((id, i) => {
    const queue = byId.get(id);
    if (!queue) issues.push({ field: `${field}.${i}`, message: 'unknown queue' });
    else if (siteId !== null && queue.site_id !== siteId) issues.push({ field: `${field}.${i}`, message: 'queue of another site' });
  });
  if (issues.length > 0) throw invalidReference(issues);
  return ids.map((id) => byId.get(id)!);
}

/** The site of a device configuration: the one given, else the one site all its queues share. */
export function configSite(db: Db, tenantId: string, siteId: string | null | undefined, queues: readonly QueueRow[]): string | null {
  if (siteId) return requireSite(db, tenantId, siteId).id;
  const sites = new Set(queues.map((q) => q.site_id));
  return sites.size === 1 ? [...sites][0]! : null;
}

export type QueueSummary = { id: string; name: string; prefix: string; status: QueueRow['status']; service: string; service_name: string; site: string };

/** Names of the queues a configuration lists (a display or kiosk renders them without read:queue). */
/**
 * The queues and site of a display or kiosk after a PATCH. A new queue list without a site re-infers
 * the site; an explicit site is checked against the queues. Null when the patch touches neither.
 */
export function patchQueueScope(
  db: Db,
  tenantId: string,
  before: Readonly<{ queue_ids: string; site_id: string | null }>,
  patch: Readonly<{ queue_ids?: readonly string[] | undefined; site?: string | null | undefined }>,
): { queue_ids: string; site_id: string | null } | null {
  if (patch.queue_ids === undefined && patch.site === undefined) return null;
  const queueIds = patch.queue_ids ?? parseJsonColumn<string[]>(before.queue_ids, []);
  const site = patch.site !== undefined ? patch.site : (patch.queue_ids !== undefined ? null : before.site_id);
  const queues = requireQueues(db, tenantId, queueIds, site);
  return { queue_ids: JSON.stringify(queueIds), site_id: configSite(db, tenantId, site, queues) };
}

export function queueSummaries(db: Db, tenantId: string, ids: readonly string[]): QueueSummary[] {
  if (ids.length === 0) return [];
  const rows = db.all(
    qb.selectFrom('queue').innerJoin('service', 'service.id', 'queue.service_id')
      .select(['queue.id', 'queue.name', 'queue.prefix', 'queue.status', 'queue.service_id', 'queue.site_id', 'service.name as service_name'])
      .where('queue.tenant_id', '=', tenantId).where('queue.id', 'in', [...ids]),
  );
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.flatMap((id) => {
    const r = byId.get(id);
    return r ? [{ id: r.id, name: r.name, prefix: r.prefix, status: r.status, service: r.service_id, service_name: r.service_name, site: r.site_id }] : [];
  });
}

/** A device configuration is online when one of its paired devices was seen in the last two minutes. */
export const ONLINE_WINDOW_MS = 120_000;

/** Latest sighting among the live devices bound to displays or kiosks, by configuration id. */
export function lastSeenByConfig(db: Db, column: 'display_id' | 'kiosk_id', ids: readonly string[]): Map<string, number> {
  if (ids.length === 0) return new Map();
  const rows = db.all(
    qb.selectFrom('device').select([column, (eb) => eb.fn.max('last_seen_at').as('seen')])
      .where(column, 'in', [...ids]).where('revoked_at', 'is', null).groupBy(column),
  );
  const seen = new Map<string, number>();
  for (const row of rows) {
    const id = (row as Record<string, unknown>)[column];
    if (typeof id === 'string' && typeof row.seen === 'number') seen.set(id, row.seen);
  }
  return seen;
}

/** Refuses to delete a configuration that live devices still use; detaches revoked ones. */
export function detachDevices(db: Db, column: 'display_id' | 'kiosk_id', id: string, what: string, now: number): void {
  const live = db.first(
    qb.selectFrom('device').select((eb) => eb.fn.countAll<number>().as('n')).where(column, '=', id).where('revoked_at', 'is', null),
  )?.n ?? 0;
  if (live > 0) {
    throw new DomainError('conflict', `This ${what} is used by ${live} device(s). Revoke them first (DELETE devices/{id}/).`);
  }
  db.run(qb.updateTable('device').set({ [column]: null, updated_at: now }).where(column, '=', id));
}
