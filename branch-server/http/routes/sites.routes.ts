import { sql } from 'kysely';
import { siteRoutes, type SiteDto } from '../../contract/sites.contract.ts';
import { appendAudit } from '../../db/repositories/audit.repository.ts';
import { qb, type Db } from '../../db/sqlite.ts';
import type { SiteRow } from '../../db/tables/site.table.ts';
import { DomainError } from '../../domain/errors.ts';
import { uuidv7 } from '../../ids.ts';
import { changedKeys, containsPattern } from '../../use-cases/references.ts';
import type { Handlers } from '../context.ts';
import { paginate } from '../pagination.ts';

export function toSiteDto(row: SiteRow): SiteDto {
  return {
    id: row.id, name: row.name, slug: row.slug, address: row.address, city: row.city, country: row.country,
    latitude: row.latitude, longitude: row.longitude, timezone: row.timezone, phone: row.phone,
    is_active: row.is_active === 1,
    created_at: new Date(row.created_at).toISOString(), updated_at: new Date(row.updated_at).toISOString(),
  };
}

function getSiteRow(db: Db, tenantId: string, id: string): SiteRow {
  const row = db.first(qb.selectFrom('site').selectAll().where('id', '=', id).where('tenant_id', '=', tenantId));
  if (!row) throw new DomainError('not-found', 'Site not found.');
  return row;
}

/** `Agence Dakar Plateau` → `agence-dakar-plateau` (accents dropped). */
function slugify(name: string): string {
  const slug = name.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60).replace(/-+$/, '');
  return slug || 'site';
}

function slugTaken(db: Db, tenantId: string, slug: string, exceptId?: string): boolean {
  let query = qb.selectFrom('site').select('id').where('tenant_id', '=', tenantId).where('slug', '=', slug);
  if (exceptId) query = query.where('id', '!=', exceptId);
  return db.first(query) !== undefined;
}

function slugTakenError(slug: string): DomainError {
  return new DomainError('slug-taken', `slug: another site already uses "${slug}".`, [{ field: 'slug', message: 'already used by another site' }]);
}

/** What still points at a site; a site is deleted only when nothing does (history stays whole). */
function siteUsage(db: Db, siteId: string): Record<string, number> {
  const usage: Record<string, number> = {};
  for (const table of ['queue', 'appointment', 'display', 'kiosk', 'printer'] as const) {
    // `table` is a closed list, never user input.
    const n = db.raw<{ n: number }>(`SELECT count(*) AS n FROM ${table} WHERE site_id = ?`, siteId)[0]?.n ?? 0;
    if (n > 0) usage[table] = n;
  }
  return usage;
}

export const siteHandlers: Handlers<typeof siteRoutes> = {
  listSites(ctx) {
    const { query: q, tenant } = ctx;
    let query = qb.selectFrom('site').selectAll().where('tenant_id', '=', tenant.id);
    if (q.is_active !== undefined) query = query.where('is_active', '=', q.is_active ? 1 : 0);
    if (q.search) {
      const pattern = containsPattern(q.search);
      query = query.where(sql<boolean>`(name LIKE ${pattern} ESCAPE '\\' OR city LIKE ${pattern} ESCAPE '\\' OR slug LIKE ${pattern} ESCAPE '\\')`);
    }
    query = query.orderBy('name').orderBy('id');
    return paginate(ctx.deps.db, query, q, ctx.origin, ctx.req, (rows: SiteRow[]) => rows.map(toSiteDto));
  },
  createSite({ deps: { db }, body, tenant, actor, now }) {
    return db.tx(() => {
      let slug = body.slug;
      if (slug) {
        if (slugTaken(db, tenant.id, slug)) throw slugTakenError(slug);
      } else {
        const base = slugify(body.name);
        slug = base;
        for (let n = 2; slugTaken(db, tenant.id, slug); n += 1) slug = `${base}-${n}`;
      }
      const row: SiteRow = {
        id: uuidv7(now), tenant_id: tenant.id, name: body.name, slug, address: body.address, city: body.city,
        country: body.country, latitude: body.latitude, longitude: body.longitude,
        timezone: body.timezone ?? tenant.timezone, phone: body.phone, is_active: body.is_active ? 1 : 0,
        created_at: now, updated_at: now,
      };
      db.run(qb.insertInto('site').values(row));
      const dto = toSiteDto(row);
      appendAudit(db, actor, { tenantId: tenant.id, action: 'site.created', entity: 'site', entityId: row.id, after: dto }, now);
      return dto;
    });
  },
  getSite: ({ deps, tenant, params }) => toSiteDto(getSiteRow(deps.db, tenant.id, params.id)),
  updateSite({ deps: { db }, body, tenant, params, actor, now }) {
    return db.tx(() => {
      const before = getSiteRow(db, tenant.id, params.id);
      if (body.slug && slugTaken(db, tenant.id, body.slug, before.id)) throw slugTakenError(body.slug);
      const { is_active: isActive, ...rest } = body;
      const patch: Partial<SiteRow> = { ...rest, ...(isActive === undefined ? {} : { is_active: isActive ? 1 : 0 }) };
      const changed = changedKeys(before, patch);
      if (changed.length === 0) return toSiteDto(before);
      const after: SiteRow = { ...before, ...patch, updated_at: now };
      db.run(qb.updateTable('site').set({ ...patch, updated_at: now }).where('id', '=', before.id));
      const dto = toSiteDto(after);
      appendAudit(db, actor, {
        tenantId: tenant.id, action: 'site.updated', entity: 'site', entityId: before.id,
        before: Object.fromEntries(changed.map((k) => [k, before[k as keyof SiteRow]])),
        after: Object.fromEntries(changed.map((k) => [k, after[k as keyof SiteRow]])),
      }, now);
      return dto;
    });
  },
  deleteSite({ deps: { db }, tenant, params, actor, now }) {
    db.tx(() => {
      const before = getSiteRow(db, tenant.id, params.id);
      const usage = siteUsage(db, before.id);
      if (Object.keys(usage).length > 0) {
        const what = Object.entries(usage).map(([table, n]) => `${n} ${table}${n > 1 ? 's' : ''}`).join(', ');
        throw new DomainError('conflict', `Site "${before.name}" is still used (${what}): remove those first, or deactivate the site (is_active: false).`, usage);
      }
      db.run(qb.deleteFrom('site').where('id', '=', before.id));
      appendAudit(db, actor, { tenantId: tenant.id, action: 'site.deleted', entity: 'site', entityId: before.id, before: toSiteDto(before) }, now);
    });
    return null;
  },
};
