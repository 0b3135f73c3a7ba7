import type { ReferenceEntity, ReferenceRow } from '../../protocol/entities.ts';
import type { CloudTx } from '../db/database.ts';
import type {
  AppUserRow, CustomerRow, MembershipRow, QueueRow, ServiceRow, SiteRow, TemplateRow, TenantRow,
} from '../db/schema.ts';

/**
 * Cloud rows → the reference rows branches store (sync/protocol/entities.ts). The feed and the
 * snapshot both go through these, so a branch gets the same row whichever way it learns of it.
 */
export const toTenantRef = (r: TenantRow): ReferenceRow<'tenant'> => ({
  id: r.id, name: r.name, slug: r.slug, plan: r.plan, locale: r.locale, timezone: r.timezone,
  data_retention_days: r.data_retention_days, is_active: r.is_active, created_at: r.created_at, updated_at: r.updated_at,
});
export const toSiteRef = (r: SiteRow): ReferenceRow<'site'> => ({
  id: r.id, tenant_id: r.tenant_id, name: r.name, slug: r.slug, address: r.address, city: r.city, country: r.country,
  latitude: r.latitude, longitude: r.longitude, timezone: r.timezone, phone: r.phone, is_active: r.is_active,
  created_at: r.created_at, updated_at: r.updated_at,
  opening_hours: r.opening_hours as ReferenceRow<'site'>['opening_hours'] ?? null,
});
export const toServiceRef = (r: ServiceRow): ReferenceRow<'service'> => ({
  id: r.id, tenant_id: r.tenant_id, name: r.name, code: r.code, description: r.description, sla_seconds: r.sla_seconds,
  priority_rules: r.priority_rules, default_service_seconds: r.default_service_seconds, is_active: r.is_active,
  created_at: r.created_at, updated_at: r.updated_at,
  booking_rule: r.booking_rule as ReferenceRow<'service'>['booking_rule'] ?? null,
});
export const toQueueRef = (r: QueueRow): ReferenceRow<'queue'> => ({
  id: r.id, tenant_id: r.tenant_id, site_id: r.site_id, service_id: r.service_id, name: r.name, prefix: r.prefix,
  algorithm: r.algorithm, status: r.status, weight: r.weight, max_capacity: r.max_capacity,
  created_at: r.created_at, updated_at: r.updated_at,
});
export const toUserRef = (r: AppUserRow): ReferenceRow<'user'> => ({
  id: r.id, email: r.email, password_hash: r.password_hash, first_name: r.first_name, last_name: r.last_name,
  phone: r.phone, is_active: r.is_active, created_at: r.created_at, updated_at: r.updated_at,
});
/** Analysts work at HQ only: their membership does not travel to branches. */
export const toMembershipRef = (r: MembershipRow): ReferenceRow<'tenant_membership'> | null => (r.role === 'analyst' ? null : {
  id: r.id, tenant_id: r.tenant_id, user_id: r.user_id, role: r.role, is_active: r.is_active,
  created_at: r.created_at, updated_at: r.updated_at,
});
export const toTemplateRef = (r: TemplateRow): ReferenceRow<'notification_template'> => ({
  id: r.id, tenant_id: r.tenant_id, key: r.key, channel: r.channel, language: r.language, subject: r.subject,
  body: r.body, is_active: r.is_active, created_at: r.created_at, updated_at: r.updated_at,
});
export const toCustomerRef = (r: CustomerRow): ReferenceRow<'customer'> => ({
  id: r.id, tenant_id: r.tenant_id, external_ref: r.external_ref, first_name: r.first_name, last_name: r.last_name,
  phone: r.phone, email: r.email, language: r.language, notify_sms: r.notify_sms, notify_email: r.notify_email,
  notify_whatsapp: r.notify_whatsapp, consents: r.consents, tags: r.tags, metadata: r.metadata,
  created_at: r.created_at, updated_at: r.updated_at, hlc: r.hlc,
});

/** One page of one entity for a snapshot, in id order, live rows only. */
export async function snapshotPage(
  trx: CloudTx,
  tenantId: string,
  entity: ReferenceEntity,
  after: string | undefined,
  limit: number,
  /** A branch's snapshot: queues (and skills) of its own site only. */
  siteId?: string,
): Promise<{ rows: Record<string, unknown>[]; lastKey: string | null }> {
  const from = after ?? '00000000-0000-0000-0000-000000000000';
  const done = <T extends { id: string }>(rows: T[], map: (r: T) => Record<string, unknown> | null) => ({
    rows: rows.map(map).filter((r): r is Record<string, unknown> => r !== null),
    lastKey: rows.length === limit ? rows[rows.length - 1]!.id : null,
  });
  switch (entity) {
    case 'tenant':
      return done(await trx.selectFrom('tenant').selectAll().where('id', '=', tenantId).where('id', '>', from).execute(), toTenantRef);
    case 'site':
      return done(await trx.selectFrom('site').selectAll().where('tenant_id', '=', tenantId).where('id', '>', from).orderBy('id').limit(limit).execute(), toSiteRef);
    case 'service':
      return done(await trx.selectFrom('service').selectAll().where('tenant_id', '=', tenantId).where('id', '>', from).orderBy('id').limit(limit).execute(), toServiceRef);
    case 'queue':
      return done(await trx.selectFrom('queue').selectAll().where('tenant_id', '=', tenantId).where('id', '>', from)
        .$if(siteId !== undefined, (qb) => qb.where('site_id', '=', siteId!)).orderBy('id').limit(limit).execute(), toQueueRef);
    case 'user':
      return done(
        await trx.selectFrom('app_user').selectAll('app_user')
          .where((eb) => eb.exists(eb.selectFrom('tenant_membership as m').select('m.id')
            .whereRef('m.user_id', '=', 'app_user.id').where('m.tenant_id', '=', tenantId).where('m.role', '!=', 'analyst')))
          .where('app_user.id', '>', from).orderBy('app_user.id').limit(limit).execute(),
        toUserRef,
      );
    case 'tenant_membership':
      return done(await trx.selectFrom('tenant_membership').selectAll().where('tenant_id', '=', tenantId).where('id', '>', from).orderBy('id').limit(limit).execute(), toMembershipRef);
    case 'agent_queues': {
      const users = await trx.selectFrom('agent_queue').select('user_id').distinct()
        .where('tenant_id', '=', tenantId).where('user_id', '>', from).orderBy('user_id').limit(limit).execute();
      const rows = await Promise.all(users.map(async ({ user_id }) => ({ id: user_id, ...(await agentQueuesRef(trx, tenantId, user_id, siteId)) })));
      return done(rows, ({ id: _id, ...rest }) => rest);
    }
    case 'notification_template':
      return done(await trx.selectFrom('notification_template').selectAll().where('tenant_id', '=', tenantId).where('id', '>', from).orderBy('id').limit(limit).execute(), toTemplateRef);
    case 'customer':
      // Live customers, a redirect marker `{id, merged_into}` for each duplicate merged away and an erasure marker `{id, deleted: true}` for each
      // customer deleted: a branch holding one of those learns what became of it even though the
      // feed row saying so is older than the snapshot. (Deletion is sticky, so a marker never lies.)
      return done(
        await trx.selectFrom('customer').selectAll().where('tenant_id', '=', tenantId)
          .where('id', '>', from).orderBy('id').limit(limit).execute(),
        (r) => (r.merged_into ? { id: r.id, tenant_id: r.tenant_id, merged_into: r.merged_into }
          : r.deleted ? { id: r.id, tenant_id: r.tenant_id, deleted: true } : toCustomerRef(r)),
      );
  }
}

export async function agentQueuesRef(trx: CloudTx, tenantId: string, userId: string, siteId?: string): Promise<ReferenceRow<'agent_queues'>> {
  const rows = await trx.selectFrom('agent_queue').innerJoin('queue', 'queue.id', 'agent_queue.queue_id').select('agent_queue.queue_id')
    .where('agent_queue.tenant_id', '=', tenantId).where('agent_queue.user_id', '=', userId)
    .$if(siteId !== undefined, (qb) => qb.where('queue.site_id', '=', siteId!))
    .orderBy('agent_queue.queue_id').execute();
  return { tenant_id: tenantId, user_id: userId, queue_ids: rows.map((r) => r.queue_id) };
}
