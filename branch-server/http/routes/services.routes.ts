import { sql } from 'kysely';
import { serviceRoutes, type ServiceDto } from '../../contract/services.contract.ts';
import { appendAudit } from '../../db/repositories/audit.repository.ts';
import { qb, type Db } from '../../db/sqlite.ts';
import type { ServiceRow } from '../../db/tables/service.table.ts';
import { DomainError } from '../../domain/errors.ts';
import { uuidv7 } from '../../ids.ts';
import { changedKeys, containsPattern, parseObject } from '../../use-cases/references.ts';
import type { Handlers } from '../context.ts';
import { paginate } from '../pagination.ts';

export function toServiceDto(row: ServiceRow): ServiceDto {
  return {
    id: row.id, name: row.name, code: row.code, description: row.description, sla_seconds: row.sla_seconds,
    priority_rules: parseObject(row.priority_rules), default_service_seconds: row.default_service_seconds,
    is_active: row.is_active === 1,
    created_at: new Date(row.created_at).toISOString(), updated_at: new Date(row.updated_at).toISOString(),
  };
}

function getServiceRow(db: Db, tenantId: string, id: string): ServiceRow {
  const row = db.first(qb.selectFrom('service').selectAll().where('id', '=', id).where('tenant_id', '=', tenantId));
  if (!row) throw new DomainError('not-found', 'Service not found.');
  return row;
}

export const serviceHandlers: Handlers<typeof serviceRoutes> = {
  listServices(ctx) {
    const { query: q, tenant } = ctx;
    let query = qb.selectFrom('service').selectAll().where('tenant_id', '=', tenant.id);
    // A kiosk or display offers only what customers can choose today.
    const isActive = ctx.principal.kind === 'device' ? true : q.is_active;
    if (isActive !== undefined) query = query.where('is_active', '=', isActive ? 1 : 0);
    if (q.search) {
      const pattern = containsPattern(q.search);
      query = query.where(sql<boolean>`(name LIKE ${pattern} ESCAPE '\\' OR code LIKE ${pattern} ESCAPE '\\')`);
    }
    query = query.orderBy('name').orderBy('id');
    return paginate(ctx.deps.db, query, q, ctx.origin, ctx.req, (rows: ServiceRow[]) => rows.map(toServiceDto));
  },
  createService({ deps: { db }, body, tenant, actor, now }) {
    return db.tx(() => {
      const row: ServiceRow = {
        id: uuidv7(now), tenant_id: tenant.id, name: body.name, code: body.code, description: body.description,
        sla_seconds: body.sla_seconds, priority_rules: JSON.stringify(body.priority_rules),
        default_service_seconds: body.default_service_seconds, is_active: body.is_active ? 1 : 0,
        created_at: now, updated_at: now,
      };
      db.run(qb.insertInto('service').values(row));
      const dto = toServiceDto(row);
      appendAudit(db, actor, { tenantId: tenant.id, action: 'service.created', entity: 'service', entityId: row.id, after: dto }, now);
      return dto;
    });
  },
  getService: ({ deps, tenant, params }) => toServiceDto(getServiceRow(deps.db, tenant.id, params.id)),
  updateService({ deps: { db }, body, tenant, params, actor, now }) {
    return db.tx(() => {
      const before = getServiceRow(db, tenant.id, params.id);
      const beforeDto = toServiceDto(before);
      const changed = changedKeys(beforeDto, body);
      if (changed.length === 0) return beforeDto;
      const { is_active: isActive, priority_rules: rules, ...rest } = body;
      const patch: Partial<ServiceRow> = {
        ...rest,
        ...(isActive === undefined ? {} : { is_active: isActive ? 1 : 0 }),
        ...(rules === undefined ? {} : { priority_rules: JSON.stringify(rules) }),
      };
      db.run(qb.updateTable('service').set({ ...patch, updated_at: now }).where('id', '=', before.id));
      const dto = toServiceDto({ ...before, ...patch, updated_at: now });
      appendAudit(db, actor, {
        tenantId: tenant.id, action: 'service.updated', entity: 'service', entityId: before.id,
        before: Object.fromEntries(changed.map((k) => [k, beforeDto[k as keyof ServiceDto]])),
        after: Object.fromEntries(changed.map((k) => [k, dto[k as keyof ServiceDto]])),
      }, now);
      return dto;
    });
  },
  deleteService({ deps: { db }, tenant, params, actor, now }) {
    db.tx(() => {
      const before = getServiceRow(db, tenant.id, params.id);
      if (before.is_active === 0) return;
      db.run(qb.updateTable('service').set({ is_active: 0, updated_at: now }).where('id', '=', before.id));
      appendAudit(db, actor, {
        tenantId: tenant.id, action: 'service.deactivated', entity: 'service', entityId: before.id,
        before: { is_active: true }, after: { is_active: false },
      }, now);
    });
    return null;
  },
};
