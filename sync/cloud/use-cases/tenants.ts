import { DomainError } from '../../../branch-server/domain/errors.ts';
import { hashPassword } from '../../../branch-server/http/passwords.ts';
import { uuidv7 } from '../../../branch-server/ids.ts';
import type { CloudTx } from '../db/database.ts';
import type { CloudDeps } from '../http/context.ts';
import { recordChange } from './feed.ts';
import { toMembershipRef, toSiteRef, toTenantRef, toUserRef } from './reference-rows.ts';

export type NewCloudTenant = Readonly<{
  name: string;
  slug: string;
  timezone?: string;
  locale?: string;
  adminEmail: string;
  adminPassword: string;
  /** The platform's first user may be made super-admin. */
  superAdmin?: boolean;
}>;

/**
 * Creates a tenant with its feed counter and its first admin (an existing user with that e-mail is
 * made admin instead). Password hashing runs before the transaction.
 */
export async function createCloudTenant(deps: CloudDeps, input: NewCloudTenant): Promise<{ tenantId: string; adminUserId: string }> {
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
      created_at: now, updated_at: now,
    }).returningAll().executeTakeFirstOrThrow();
    await trx.insertInto('tenant_feed_counter').values({ tenant_id: tenantId }).execute();
    await recordChange(trx, tenantId, { entity: 'tenant', entityId: tenantId, op: 'upsert', data: toTenantRef(tenant) }, now);

    let user = await trx.selectFrom('app_user').selectAll().where((eb) => eb(eb.fn('lower', ['email']), '=', email)).executeTakeFirst();
    if (!user) {
      user = await trx.insertInto('app_user').values({
        id: uuidv7(now), email, password_hash: passwordHash, is_super_admin: input.superAdmin ? 1 : 0, created_at: now, updated_at: now,
      }).returningAll().executeTakeFirstOrThrow();
    }
    await addMember(trx, tenantId, user.id, 'admin', now);
    return { tenantId, adminUserId: user.id };
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
  return deps.cloud.withTenant(tenantId, async (trx) => {
    const tenant = await trx.selectFrom('tenant').select('timezone').where('id', '=', tenantId).executeTakeFirstOrThrow();
    if (await trx.selectFrom('site').select('id').where('tenant_id', '=', tenantId).where('slug', '=', input.slug).executeTakeFirst()) {
      throw new DomainError('slug-taken', `A site with slug "${input.slug}" already exists.`);
    }
    const site = await trx.insertInto('site').values({
      id: uuidv7(now), tenant_id: tenantId, name: input.name, slug: input.slug, timezone: input.timezone ?? tenant.timezone,
      address: input.address ?? '', city: input.city ?? '', country: input.country ?? '', latitude: input.latitude ?? null,
      longitude: input.longitude ?? null, phone: input.phone ?? '', created_at: now, updated_at: now,
    }).returningAll().executeTakeFirstOrThrow();
    await recordChange(trx, tenantId, { entity: 'site', entityId: site.id, op: 'upsert', data: toSiteRef(site) }, now);
    return site.id;
  });
}
