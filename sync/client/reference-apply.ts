import { writeBookingRule, writeOpeningHours } from '../../branch-server/use-cases/booking-settings.ts';
import { redactAuditFor } from '../../branch-server/use-cases/customers.ts';
import { observeBranchHlc, rememberSlugAlias } from '../../branch-server/db/repositories/sync-state.repository.ts';
import { qb, type Db } from '../../branch-server/db/sqlite.ts';
import { uuidv7 } from '../../branch-server/ids.ts';
import {
  CUSTOMER_FIELDS, ERASED_CUSTOMER_SCRUB, REFERENCE_ROWS, type ReferenceEntity, type ReferenceRow,
} from '../protocol/entities.ts';
import type { Change } from '../protocol/messages.ts';

/**
 * Cloud-owned reference rows → the branch's tables. Everything here runs inside the caller's
 * transaction (the page and the cursor move together) and writes no outbox row: what comes down
 * never goes back up. A row that cannot apply (bad shape, another tenant's, a missing parent) is
 * set aside in sync_deferred instead of jamming the feed; the next snapshot brings it again.
 */
export type ApplyScope = Readonly<{ db: Db; tenantId: string; now: number }>;

export function applyChange(scope: ApplyScope, change: Change): void {
  if (change.op === 'delete') {
    applyDelete(scope, change.entity, change.entity_id, change.data);
    return;
  }
  upsertReference(scope, change.entity, change.entity_id, change.data);
}

/** One snapshot row: upserted like a feed change, and remembered as present in the cloud. */
export function applySnapshotRow(scope: ApplyScope, entity: ReferenceEntity, data: Record<string, unknown>): void {
  const id = entity === 'agent_queues' ? data['user_id'] : data['id'];
  if (typeof id !== 'string') {
    defer(scope, entity, '', data, 'snapshot row without an id');
    return;
  }
  if (entity === 'customer' && typeof data['merged_into'] === 'string') {
    redirectCustomer(scope, id, data['merged_into']);
    return;
  }
  if (entity === 'customer' && data['deleted'] === true) {
    forgetCustomerLocally(scope, id);
    return;
  }
  upsertReference(scope, entity, id, data);
  scope.db.run(qb.insertInto('sync_snapshot_seen').values({ entity, id }).onConflict((oc) => oc.doNothing()));
}

/**
 * A complete snapshot is the whole truth: the tenant's reference rows it did not contain are gone
 * from the cloud. They are deactivated, never deleted (tickets and history refer to them): sites,
 * services, memberships, users and templates become inactive, queues closed, skills removed.
 * Customers merged away are redirected and customers erased are forgotten (the snapshot carries a
 * marker row for each). Others missing from it are left alone: one may have been created here while the
 * snapshot was being read.
 */
export function finishSnapshot(scope: ApplyScope): void {
  const { db, tenantId, now } = scope;
  const unseen = (entity: ReferenceEntity) => `NOT IN (SELECT id FROM sync_snapshot_seen WHERE entity = '${entity}')`;
  const run = (sqlText: string, ...params: unknown[]) => db.sqlite.prepare(sqlText).run(...params);
  run(`UPDATE site SET is_active = 0, updated_at = ? WHERE tenant_id = ? AND is_active = 1 AND id ${unseen('site')}`, now, tenantId);
  run(`UPDATE service SET is_active = 0, updated_at = ? WHERE tenant_id = ? AND is_active = 1 AND id ${unseen('service')}`, now, tenantId);
  run(`UPDATE queue SET status = 'closed', updated_at = ? WHERE tenant_id = ? AND status != 'closed' AND id ${unseen('queue')}`, now, tenantId);
  run(`UPDATE notification_template SET is_active = 0, updated_at = ? WHERE tenant_id = ? AND is_active = 1 AND id ${unseen('notification_template')}`, now, tenantId);
  run(`UPDATE tenant_membership SET is_active = 0, updated_at = ? WHERE tenant_id = ? AND is_active = 1 AND id ${unseen('tenant_membership')}`, now, tenantId);
  run(`UPDATE user SET is_active = 0, updated_at = ? WHERE is_active = 1 AND id ${unseen('user')}
    AND id IN (SELECT user_id FROM tenant_membership WHERE tenant_id = ?)
    AND NOT EXISTS (SELECT 1 FROM tenant_membership m WHERE m.user_id = user.id AND m.tenant_id != ? AND m.is_active = 1)`, now, tenantId, tenantId);
  run(`DELETE FROM agent_queue WHERE tenant_id = ? AND user_id ${unseen('agent_queues')}`, tenantId);
  run('DELETE FROM sync_snapshot_seen');
  endSessionsOfInactiveUsers(scope);
}

/** A user who is no longer active here is signed out at once (their refresh token stops working too). */
function endSessionsOfInactiveUsers(scope: ApplyScope): void {
  scope.db.sqlite.prepare(`UPDATE auth_session SET revoked_at = ? WHERE revoked_at IS NULL
    AND user_id IN (SELECT id FROM user WHERE is_active = 0)`).run(scope.now);
}

function parse<E extends ReferenceEntity>(scope: ApplyScope, entity: E, id: string, data: Record<string, unknown>): ReferenceRow<E> | null {
  const parsed = REFERENCE_ROWS[entity].safeParse(data);
  if (!parsed.success) {
    defer(scope, entity, id, data, parsed.error.issues.map((i) => `${i.path.join('.') || entity}: ${i.message}`).join('; '));
    return null;
  }
  const row = parsed.data as ReferenceRow<E>;
  const rowTenant = 'tenant_id' in row ? row.tenant_id : entity === 'tenant' ? (row as ReferenceRow<'tenant'>).id : scope.tenantId;
  if (rowTenant !== scope.tenantId) {
    defer(scope, entity, id, data, `belongs to tenant ${rowTenant}, not this branch's`);
    return null;
  }
  return row;
}

function defer(scope: ApplyScope, entity: string, id: string, data: unknown, reason: string): void {
  scope.db.run(qb.insertInto('sync_deferred').values({
    id: uuidv7(scope.now), entity, entity_id: id, payload: JSON.stringify(data), reason, created_at: scope.now,
  }));
}

function exists(db: Db, table: 'site' | 'service' | 'queue' | 'user' | 'customer', id: string): boolean {
  return db.first(qb.selectFrom(table).select('id').where('id', '=', id)) !== undefined;
}

function upsertReference(scope: ApplyScope, entity: ReferenceEntity, id: string, data: Record<string, unknown>): void {
  const { db } = scope;
  switch (entity) {
    case 'tenant': {
      const r = parse(scope, 'tenant', id, data);
      if (!r) return;
      // Renamed at HQ: the old slug keeps working for what was paired or bookmarked with it.
      const before = db.sqlite.prepare('SELECT slug FROM tenant WHERE id = ?').pluck().get(r.id) as string | undefined;
      if (before && before !== r.slug) rememberSlugAlias(db, before, r.id);
      // Slugs are unique: another local tenant holding this one gives it up.
      db.sqlite.prepare(`UPDATE tenant SET slug = slug || '-' || substr(id, 1, 8) WHERE slug = ? AND id != ?`).run(r.slug, r.id);
      const columns = {
        name: r.name, slug: r.slug, plan: r.plan, locale: r.locale, timezone: r.timezone,
        data_retention_days: r.data_retention_days, is_active: r.is_active, updated_at: r.updated_at,
      };
      db.run(qb.insertInto('tenant').values({ id: r.id, ...columns, created_at: r.created_at })
        .onConflict((oc) => oc.column('id').doUpdateSet({ ...columns, created_at: r.created_at })));
      return;
    }
    case 'site': {
      const r = parse(scope, 'site', id, data);
      if (!r) return;
      db.sqlite.prepare(`UPDATE site SET slug = slug || '-' || substr(id, 1, 8) WHERE tenant_id = ? AND slug = ? AND id != ?`).run(r.tenant_id, r.slug, r.id);
      const { id: siteId, created_at: createdAt, opening_hours: hours, ...columns } = r;
      db.run(qb.insertInto('site').values({ id: siteId, ...columns, created_at: createdAt })
        .onConflict((oc) => oc.column('id').doUpdateSet({ ...columns, created_at: createdAt })));
      // HQ's hours replace the branch's; never set at HQ (null), the branch keeps its own.
      if (hours) writeOpeningHours(db, r.tenant_id, siteId, hours, r.updated_at);
      return;
    }
    case 'service': {
      const r = parse(scope, 'service', id, data);
      if (!r) return;
      const { id: serviceId, created_at: createdAt, booking_rule: rule, ...columns } = r;
      db.run(qb.insertInto('service').values({ id: serviceId, ...columns, created_at: createdAt })
        .onConflict((oc) => oc.column('id').doUpdateSet({ ...columns, created_at: createdAt })));
      if (rule) writeBookingRule(db, r.tenant_id, serviceId, rule, r.updated_at);
      return;
    }
    case 'queue': {
      const r = parse(scope, 'queue', id, data);
      if (!r) return;
      if (!exists(db, 'site', r.site_id) || !exists(db, 'service', r.service_id)) {
        defer(scope, entity, id, data, `its site ${r.site_id} or service ${r.service_id} is not here`);
        return;
      }
      // The queue's measured service times (ewma_service_seconds, service_samples) stay local.
      const { id: queueId, created_at: createdAt, ...columns } = r;
      db.run(qb.insertInto('queue').values({ id: queueId, ...columns, created_at: createdAt })
        .onConflict((oc) => oc.column('id').doUpdateSet({ ...columns, created_at: createdAt })));
      return;
    }
    case 'user': {
      const r = parse(scope, 'user', id, data);
      if (!r) return;
      // E-mail is the sign-in name: a different local user with the same one (the demo admin) steps
      // aside, renamed and deactivated, so the HQ account signs in.
      const clash = db.sqlite.prepare('SELECT id, email FROM user WHERE email = ? COLLATE NOCASE AND id != ?').get(r.email, r.id) as { id: string; email: string } | undefined;
      if (clash) {
        db.run(qb.updateTable('user').set({ email: `replaced-${clash.id}+${clash.email}`, is_active: 0, updated_at: scope.now }).where('id', '=', clash.id));
      }
      const { id: userId, created_at: createdAt, ...columns } = r;
      db.run(qb.insertInto('user').values({ id: userId, ...columns, created_at: createdAt })
        .onConflict((oc) => oc.column('id').doUpdateSet({ ...columns, created_at: createdAt })));
      if (clash || r.is_active === 0) endSessionsOfInactiveUsers(scope);
      return;
    }
    case 'tenant_membership': {
      const r = parse(scope, 'tenant_membership', id, data);
      if (!r) return;
      if (!exists(db, 'user', r.user_id)) {
        defer(scope, entity, id, data, `its user ${r.user_id} is not here`);
        return;
      }
      // One membership per (tenant, user): a local one under another id gives way.
      db.run(qb.deleteFrom('tenant_membership').where('tenant_id', '=', r.tenant_id).where('user_id', '=', r.user_id).where('id', '!=', r.id));
      const { id: membershipId, created_at: createdAt, ...columns } = r;
      db.run(qb.insertInto('tenant_membership').values({ id: membershipId, ...columns, created_at: createdAt })
        .onConflict((oc) => oc.column('id').doUpdateSet({ ...columns, created_at: createdAt })));
      if (r.role === 'agent') ensureAgentProfile(scope, r.user_id);
      return;
    }
    case 'agent_queues': {
      const r = parse(scope, 'agent_queues', id, data);
      if (!r) return;
      if (!exists(db, 'user', r.user_id)) {
        defer(scope, entity, id, data, `its user ${r.user_id} is not here`);
        return;
      }
      db.run(qb.deleteFrom('agent_queue').where('tenant_id', '=', r.tenant_id).where('user_id', '=', r.user_id));
      const present = r.queue_ids.filter((q) => exists(db, 'queue', q));
      for (const queueId of present) db.run(qb.insertInto('agent_queue').values({ tenant_id: r.tenant_id, user_id: r.user_id, queue_id: queueId }));
      if (present.length > 0) ensureAgentProfile(scope, r.user_id);
      return;
    }
    case 'notification_template': {
      const r = parse(scope, 'notification_template', id, data);
      if (!r) return;
      // (tenant, key, channel, language) is unique: a local template for the same slot gives way.
      db.run(qb.deleteFrom('notification_template').where('tenant_id', '=', r.tenant_id).where('key', '=', r.key)
        .where('channel', '=', r.channel).where('language', '=', r.language).where('id', '!=', r.id));
      const { id: templateId, created_at: createdAt, ...columns } = r;
      db.run(qb.insertInto('notification_template').values({ id: templateId, ...columns, created_at: createdAt })
        .onConflict((oc) => oc.column('id').doUpdateSet({ ...columns, created_at: createdAt })));
      return;
    }
    case 'customer': {
      const r = parse(scope, 'customer', id, data);
      if (!r) return;
      upsertCustomer(scope, r);
      return;
    }
  }
}

function ensureAgentProfile(scope: ApplyScope, userId: string): void {
  scope.db.run(qb.insertInto('agent_profile').values({
    id: uuidv7(scope.now), tenant_id: scope.tenantId, user_id: userId, status: 'offline', status_changed_at: scope.now,
    created_at: scope.now, updated_at: scope.now,
  }).onConflict((oc) => oc.columns(['tenant_id', 'user_id']).doNothing()));
}

type PendingCustomerRow = { op: string; payload: string };

/**
 * The cloud's merged customer, with this branch's edits that the cloud has not acknowledged yet laid
 * on top (they are in the outbox and will come back merged). A customer forgotten here but not yet
 * uploaded stays forgotten.
 */
function upsertCustomer(scope: ApplyScope, r: ReferenceRow<'customer'>): void {
  const { db } = scope;
  observeBranchHlc(db, r.hlc);
  const pending = db.sqlite.prepare(`SELECT op, payload FROM sync_outbox WHERE entity = 'customer' AND entity_id = ? ORDER BY seq`).all(r.id) as PendingCustomerRow[];
  if (pending.some((p) => p.op === 'delete')) return;
  const values: Record<string, unknown> = Object.fromEntries(CUSTOMER_FIELDS.map((f) => [f, r[f]]));
  for (const p of pending) {
    const payload = JSON.parse(p.payload) as Record<string, unknown>;
    const source = (typeof payload['values'] === 'object' && payload['values'] !== null ? payload['values'] : payload) as Record<string, unknown>;
    for (const f of CUSTOMER_FIELDS) if (f in source) values[f] = source[f];
  }
  const columns = { ...(values as Omit<ReferenceRow<'customer'>, 'id' | 'tenant_id' | 'created_at' | 'updated_at' | 'hlc'>), updated_at: r.updated_at };
  db.run(qb.insertInto('customer').values({ id: r.id, tenant_id: r.tenant_id, created_at: r.created_at, ...columns })
    .onConflict((oc) => oc.column('id').doUpdateSet({ ...columns, created_at: r.created_at })));
}

const DEACTIVATE: Partial<Record<ReferenceEntity, string>> = {
  tenant: 'UPDATE tenant SET is_active = 0, updated_at = ? WHERE id = ?',
  site: 'UPDATE site SET is_active = 0, updated_at = ? WHERE id = ?',
  service: 'UPDATE service SET is_active = 0, updated_at = ? WHERE id = ?',
  queue: `UPDATE queue SET status = 'closed', updated_at = ? WHERE id = ?`,
  user: 'UPDATE user SET is_active = 0, updated_at = ? WHERE id = ?',
  tenant_membership: 'UPDATE tenant_membership SET is_active = 0, updated_at = ? WHERE id = ?',
  notification_template: 'UPDATE notification_template SET is_active = 0, updated_at = ? WHERE id = ?',
};

/** Tombstones: reference rows are deactivated (history refers to them); customers go, or redirect. */
function applyDelete(scope: ApplyScope, entity: ReferenceEntity, id: string, data: Record<string, unknown>): void {
  const { db, now } = scope;
  if (entity === 'agent_queues') {
    db.run(qb.deleteFrom('agent_queue').where('tenant_id', '=', scope.tenantId).where('user_id', '=', id));
    return;
  }
  if (entity === 'customer') {
    const survivor = typeof data['merged_into'] === 'string' ? data['merged_into'] : null;
    if (survivor) redirectCustomer(scope, id, survivor);
    else forgetCustomerLocally(scope, id);
    return;
  }
  const statement = DEACTIVATE[entity];
  if (statement) db.sqlite.prepare(statement).run(now, id);
  if (entity === 'user') endSessionsOfInactiveUsers(scope);
}

/**
 * A duplicate merged away at the cloud: local rows that name it name the survivor, then it goes.
 * The survivor may not be here yet (the feed records the redirect before the survivor's new state):
 * it starts as a copy of the duplicate, and its own upsert follows.
 */
function redirectCustomer(scope: ApplyScope, loserId: string, survivorId: string): void {
  const { db } = scope;
  if (loserId === survivorId || !exists(db, 'customer', loserId)) return;
  if (!exists(db, 'customer', survivorId)) {
    const columns = ['tenant_id', ...CUSTOMER_FIELDS, 'created_at', 'updated_at'].join(', ');
    db.sqlite.prepare(`INSERT INTO customer (id, ${columns}) SELECT ?, ${columns} FROM customer WHERE id = ?`).run(survivorId, loserId);
  }
  for (const table of ['ticket', 'appointment', 'feedback', 'notification'] as const) {
    db.sqlite.prepare(`UPDATE ${table} SET customer_id = ? WHERE customer_id = ?`).run(survivorId, loserId);
  }
  db.run(qb.deleteFrom('customer').where('id', '=', loserId));
}

/**
 * Forgotten at HQ (right to be forgotten): the rows that named the customer are scrubbed as the cloud
 * scrubs its copies (ERASED_CUSTOMER_SCRUB), without uploading them and without touching
 * `updated_at` (this is not a new version of the ticket), so both sides hold the same row.
 */
function forgetCustomerLocally(scope: ApplyScope, id: string): void {
  const { db, now } = scope;
  if (!exists(db, 'customer', id)) return;
  // Their audit history loses the same fields (the redacted audit rows do go up: HQ's copies too).
  const related = db.sqlite.prepare(`SELECT id FROM ticket WHERE customer_id = @id UNION ALL SELECT id FROM appointment WHERE customer_id = @id
    UNION ALL SELECT id FROM feedback WHERE customer_id = @id`).pluck().all({ id }) as string[];
  redactAuditFor(db, scope.tenantId, related, now);
  for (const [table, scrub] of Object.entries(ERASED_CUSTOMER_SCRUB)) {
    const columns = Object.keys(scrub);
    db.sqlite.prepare(`UPDATE ${table} SET ${columns.map((c) => `${c} = ?`).join(', ')} WHERE customer_id = ?`).run(...Object.values(scrub), id);
  }
  db.sqlite.prepare(`UPDATE notification SET customer_id = NULL, recipient = '', updated_at = ? WHERE customer_id = ?`).run(now, id);
  db.run(qb.deleteFrom('customer').where('id', '=', id));
}
