import type { z } from 'zod';
import { DomainError } from '../../../branch-server/domain/errors.ts';
import { hashPassword } from '../../../branch-server/http/passwords.ts';
import { uuidv7 } from '../../../branch-server/ids.ts';
import type { TenantDto, TenantListQuery, UpdateTenantBody } from '../../protocol/hq-tenants.contract.ts';
import type { CloudTx } from '../db/database.ts';
import { pageOf, type PageResult } from '../db/paginate.ts';
import type { TenantRow } from '../db/schema.ts';
import type { CloudDeps } from '../http/context.ts';
import { seedCloudDemo, type CloudDemo } from './demo-data.ts';
import { containsPattern, iso } from './dto.ts';
import { recordChange } from './feed.ts';
import { toMembershipRef, toTenantRef, toUserRef } from './reference-rows.ts';
import { insertSite } from './sites.ts';

export type NewCloudTenant = Readonly<{
  name: string;
  slug: string;
  timezone?: string;
  locale?: string;
  adminEmail: string;
  adminPassword: string;
  plan?: string;
  /** The platform's first user may be made super-admin. */
  superAdmin?: boolean;
  /** A site "Dakar Plateau", three services with their queues and two SMS templates (demo-data.ts). */
  withDemoData?: boolean;
}>;

/**
 * Creates a tenant with its feed counter and its first admin (an existing user with that e-mail is
 * made admin instead). Password hashing runs before the transaction.
 */
export async function createCloudTenant(
  deps: CloudDeps,
  input: NewCloudTenant,
): Promise<{ tenantId: string; adminUserId: string; demo: CloudDemo | null }> {
  const now = deps.now();
  const email = input.adminEmail.trim().toLowerCase();
  const passwordHash = await hashPassword(input.adminPassword);
  return deps.cloud.withSystem(async (trx) => {
    if (await trx.selectFrom('tenant').select('id').where('slug', '=', input.slug).executeTakeFirst()) {
      throw new DomainError('slug-taken', `A tenant with slug "${input.slug}" already exists.`);
    }
    const tenantId = uuidv7(now);
    const tenant = await trx.insertInto('tenant').values({
      id: tenantId, name: input.name, slug: input.slug, timezone: input.timezone ?? 'Africa/Dakar', locale: input.locale ?? 'fr',
      ...(input.plan ? { plan: input.plan } : {}), created_at: now, updated_at: now,
    }).returningAll().executeTakeFirstOrThrow();
    await trx.insertInto('tenant_feed_counter').values({ tenant_id: tenantId }).execute();
    await recordChange(trx, tenantId, { entity: 'tenant', entityId: tenantId, op: 'upsert', data: toTenantRef(tenant) }, now);

    let user = await trx.selectFrom('app_user').selectAll().where((eb) => eb(eb.fn('lower', ['email']), '=', email)).executeTakeFirst();
    if (!user) {
      user = await trx.insertInto('app_user').values({
        id: uuidv7(now), email, password_hash: passwordHash, is_super_admin: input.superAdmin ? 1 : 0, created_at: now, updated_at: now,
      }).returningAll().executeTakeFirstOrThrow();
    } else if (input.superAdmin && user.is_super_admin !== 1) {
      await trx.updateTable('app_user').set({ is_super_admin: 1, updated_at: now }).where('id', '=', user.id).execute();
    }
    await addMember(trx, tenantId, user.id, 'admin', now);
    const demo = input.withDemoData ? await seedCloudDemo(trx, tenantId, now) : null;
    return { tenantId, adminUserId: user.id, demo };
  });
}

export async function addMember(
  trx: CloudTx,
  tenantId: string,
  userId: string,
  role: 'admin' | 'manager' | 'agent' | 'analyst',
  now: number,
): Promise<void> {
  const membership = await trx.insertInto('tenant_membership').values({
    id: uuidv7(now), tenant_id: tenantId, user_id: userId, role, created_at: now, updated_at: now,
  }).onConflict((oc) => oc.columns(['tenant_id', 'user_id']).doUpdateSet({ role, is_active: 1, updated_at: now }))
    .returningAll().executeTakeFirstOrThrow();
  const ref = toMembershipRef(membership);
  if (!ref) return;
  const user = await trx.selectFrom('app_user').selectAll().where('id', '=', userId).executeTakeFirstOrThrow();
  await recordChange(trx, tenantId, { entity: 'user', entityId: userId, op: 'upsert', data: toUserRef(user) }, now);
  await recordChange(trx, tenantId, { entity: 'tenant_membership', entityId: membership.id, op: 'upsert', data: ref }, now);
}

export type NewCloudSite = Readonly<{
  name: string; slug: string; timezone?: string; address?: string; city?: string; country?: string;
  latitude?: number | null; longitude?: number | null; phone?: string;
}>;

export async function createCloudSite(deps: CloudDeps, tenantId: string, input: NewCloudSite): Promise<string> {
  const now = deps.now();
  return deps.cloud.withTenant(tenantId, async (trx) => (await insertSite(trx, tenantId, input, now)).id);
}

export function toTenantDto(row: TenantRow): TenantDto {
  return {
    id: row.id, name: row.name, slug: row.slug, plan: row.plan, locale: row.locale, timezone: row.timezone,
    data_retention_days: row.data_retention_days, is_active: row.is_active === 1, created_at: iso(row.created_at), updated_at: iso(row.updated_at),
  };
}

/** Every tenant of the platform (super-admin work, across tenants by nature). */
export async function listTenants(deps: CloudDeps, query: z.infer<typeof TenantListQuery>): Promise<PageResult<TenantDto>> {
  return deps.cloud.withSystem((trx) => {
    let q = trx.selectFrom('tenant').selectAll();
    if (query.is_active !== undefined) q = q.where('is_active', '=', query.is_active ? 1 : 0);
    if (query.search) {
      const pattern = containsPattern(query.search);
      q = q.where((eb) => eb.or([eb('name', 'ilike', pattern), eb('slug', 'ilike', pattern)]));
    }
    return pageOf(q.orderBy('name').orderBy('id'), query, (rows) => rows.map(toTenantDto));
  });
}

export async function getTenantBySlug(deps: CloudDeps, slug: string): Promise<TenantRow> {
  const row = await deps.cloud.db.selectFrom('tenant').selectAll().where('slug', '=', slug).executeTakeFirst();
  if (!row) throw new DomainError('not-found', 'Tenant not found.');
  return row;
}

/** Changes or suspends a tenant; its branches learn of it through the feed (a suspended tenant's sync is refused). */
export async function updateTenant(deps: CloudDeps, slug: string, patch: z.infer<typeof UpdateTenantBody>, now: number): Promise<TenantDto> {
  const tenant = await getTenantBySlug(deps, slug);
  return deps.cloud.withTenant(tenant.id, async (trx) => {
    const { is_active, ...rest } = patch;
    const row = await trx.updateTable('tenant')
      .set({ ...rest, ...(is_active !== undefined ? { is_active: is_active ? 1 : 0 } : {}), updated_at: now })
      .where('id', '=', tenant.id).returningAll().executeTakeFirstOrThrow();
    await recordChange(trx, tenant.id, { entity: 'tenant', entityId: tenant.id, op: 'upsert', data: toTenantRef(row) }, now);
    return toTenantDto(row);
  });
}
