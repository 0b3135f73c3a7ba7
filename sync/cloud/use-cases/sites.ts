import type { z } from 'zod';
import type { CreateSiteBody, SiteDto, SiteListQuery, UpdateSiteBody } from '../../../branch-server/contract/sites.contract.ts';
import { DomainError } from '../../../branch-server/domain/errors.ts';
import { uuidv7 } from '../../../branch-server/ids.ts';
import type { CloudTx } from '../db/database.ts';
import { pageOf, type PageResult } from '../db/paginate.ts';
import type { SiteRow } from '../db/schema.ts';
import type { CloudDeps } from '../http/context.ts';
import { containsPattern, iso } from './dto.ts';
import { recordChange } from './feed.ts';
import { toSiteRef } from './reference-rows.ts';

export function toSiteDto(row: SiteRow): SiteDto {
  return {
    id: row.id, name: row.name, slug: row.slug, address: row.address, city: row.city, country: row.country,
    latitude: row.latitude, longitude: row.longitude, timezone: row.timezone, phone: row.phone, is_active: row.is_active === 1,
    created_at: iso(row.created_at), updated_at: iso(row.updated_at),
  };
}

/** `Agence Dakar Plateau` → `agence-dakar-plateau` (accents dropped), as the branch derives it. */
export function slugify(name: string): string {
  const slug = name.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60).replace(/-+$/, '');
  return slug || 'site';
}

export async function findSite(trx: CloudTx, tenantId: string, id: string): Promise<SiteRow> {
  const row = await trx.selectFrom('site').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
  if (!row) throw new DomainError('not-found', 'Site not found.');
  return row;
}

async function assertSlugFree(trx: CloudTx, tenantId: string, slug: string, exceptId?: string): Promise<void> {
  const other = await trx.selectFrom('site').select('id').where('tenant_id', '=', tenantId).where('slug', '=', slug)
    .$if(exceptId !== undefined, (qb) => qb.where('id', '!=', exceptId!)).executeTakeFirst();
  if (other) throw new DomainError('slug-taken', `slug: another site already uses "${slug}".`, [{ field: 'slug', message: 'already used by another site' }]);
}

export type SiteInput = Readonly<{
  name: string; slug?: string | undefined; timezone?: string | undefined; address?: string; city?: string; country?: string;
  latitude?: number | null; longitude?: number | null; phone?: string; is_active?: boolean;
}>;

/** Inserts a site and its feed change in the caller's transaction. */
export async function insertSite(trx: CloudTx, tenantId: string, input: SiteInput, now: number): Promise<SiteRow> {
  const slug = input.slug ?? slugify(input.name);
  await assertSlugFree(trx, tenantId, slug);
  const tenant = await trx.selectFrom('tenant').select('timezone').where('id', '=', tenantId).executeTakeFirstOrThrow();
  const site = await trx.insertInto('site').values({
    id: uuidv7(now), tenant_id: tenantId, name: input.name, slug, timezone: input.timezone ?? tenant.timezone,
    address: input.address ?? '', city: input.city ?? '', country: input.country ?? '', latitude: input.latitude ?? null,
    longitude: input.longitude ?? null, phone: input.phone ?? '', is_active: input.is_active === false ? 0 : 1,
    created_at: now, updated_at: now,
  }).returningAll().executeTakeFirstOrThrow();
  await recordChange(trx, tenantId, { entity: 'site', entityId: site.id, op: 'upsert', data: toSiteRef(site) }, now);
  return site;
}

export async function listSites(deps: CloudDeps, tenantId: string, query: z.infer<typeof SiteListQuery>): Promise<PageResult<SiteDto>> {
  return deps.cloud.withTenant(tenantId, (trx) => {
    let q = trx.selectFrom('site').selectAll().where('tenant_id', '=', tenantId);
    if (query.is_active !== undefined) q = q.where('is_active', '=', query.is_active ? 1 : 0);
    if (query.search) {
      const pattern = containsPattern(query.search);
      q = q.where((eb) => eb.or([eb('name', 'ilike', pattern), eb('city', 'ilike', pattern), eb('slug', 'ilike', pattern)]));
    }
    return pageOf(q.orderBy('name').orderBy('id'), query, (rows) => rows.map(toSiteDto));
  });
}

export async function getSite(deps: CloudDeps, tenantId: string, id: string): Promise<SiteDto> {
  return deps.cloud.withTenant(tenantId, async (trx) => toSiteDto(await findSite(trx, tenantId, id)));
}

export async function createSite(deps: CloudDeps, tenantId: string, body: z.infer<typeof CreateSiteBody>, now: number): Promise<SiteDto> {
  return deps.cloud.withTenant(tenantId, async (trx) => toSiteDto(await insertSite(trx, tenantId, body, now)));
}

export async function updateSite(deps: CloudDeps, tenantId: string, id: string, patch: z.infer<typeof UpdateSiteBody>, now: number): Promise<SiteDto> {
  return deps.cloud.withTenant(tenantId, async (trx) => {
    const before = await findSite(trx, tenantId, id);
    if (patch.slug !== undefined && patch.slug !== before.slug) await assertSlugFree(trx, tenantId, patch.slug, id);
    const { is_active, ...rest } = patch;
    const site = await trx.updateTable('site')
      .set({ ...rest, ...(is_active !== undefined ? { is_active: is_active ? 1 : 0 } : {}), updated_at: now })
      .where('tenant_id', '=', tenantId).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
    await recordChange(trx, tenantId, { entity: 'site', entityId: id, op: 'upsert', data: toSiteRef(site) }, now);
    return toSiteDto(site);
  });
}

/** A site is deleted only while nothing anywhere can refer to it, so no branch is left holding rows that point at it. */
export async function deleteSite(deps: CloudDeps, tenantId: string, id: string, now: number): Promise<void> {
  await deps.cloud.withTenant(tenantId, async (trx) => {
    const site = await findSite(trx, tenantId, id);
    const usage: Record<string, number> = {};
    for (const table of ['queue', 'device', 'enrollment_token', 'ticket'] as const) {
      const row = await trx.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n'))
        .where('tenant_id', '=', tenantId).where('site_id', '=', id).executeTakeFirstOrThrow();
      if (Number(row.n) > 0) usage[table] = Number(row.n);
    }
    if (Object.keys(usage).length > 0) {
      const what = Object.entries(usage).map(([table, n]) => `${n} ${table.replace('_', ' ')}(s)`).join(', ');
      throw new DomainError('conflict', `Site "${site.name}" is still used (${what}): deactivate it instead (is_active: false).`, usage);
    }
    await trx.deleteFrom('site').where('tenant_id', '=', tenantId).where('id', '=', id).execute();
    await recordChange(trx, tenantId, { entity: 'site', entityId: id, op: 'delete', data: {} }, now);
  });
}
