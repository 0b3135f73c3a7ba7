import type { z } from 'zod';
import type {
  CreateServiceBody, ServiceDto, ServiceListQuery, UpdateServiceBody,
} from '../../../branch-server/contract/services.contract.ts';
import { DomainError } from '../../../branch-server/domain/errors.ts';
import { uuidv7 } from '../../../branch-server/ids.ts';
import type { CloudTx } from '../db/database.ts';
import { pageOf, type PageResult } from '../db/paginate.ts';
import type { ServiceRow } from '../db/schema.ts';
import type { CloudDeps } from '../http/context.ts';
import { containsPattern, iso, parseObject } from './dto.ts';
import { recordChange } from './feed.ts';
import { toServiceRef } from './reference-rows.ts';

export function toServiceDto(row: ServiceRow): ServiceDto {
  return {
    id: row.id, name: row.name, code: row.code, description: row.description, sla_seconds: row.sla_seconds,
    priority_rules: parseObject(row.priority_rules), default_service_seconds: row.default_service_seconds,
    is_active: row.is_active === 1, created_at: iso(row.created_at), updated_at: iso(row.updated_at),
  };
}

export async function findService(trx: CloudTx, tenantId: string, id: string): Promise<ServiceRow> {
  const row = await trx.selectFrom('service').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
  if (!row) throw new DomainError('not-found', 'Service not found.');
  return row;
}

export type ServiceInput = Readonly<{
  name: string; code?: string; description?: string; sla_seconds?: number; priority_rules?: Record<string, unknown>;
  default_service_seconds?: number; is_active?: boolean;
}>;

export async function insertService(trx: CloudTx, tenantId: string, input: ServiceInput, now: number): Promise<ServiceRow> {
  const row = await trx.insertInto('service').values({
    id: uuidv7(now), tenant_id: tenantId, name: input.name, code: input.code ?? '', description: input.description ?? '',
    sla_seconds: input.sla_seconds ?? 0, priority_rules: JSON.stringify(input.priority_rules ?? {}),
    default_service_seconds: input.default_service_seconds ?? 300, is_active: input.is_active === false ? 0 : 1,
    created_at: now, updated_at: now,
  }).returningAll().executeTakeFirstOrThrow();
  await recordChange(trx, tenantId, { entity: 'service', entityId: row.id, op: 'upsert', data: toServiceRef(row) }, now);
  return row;
}

export async function listServices(deps: CloudDeps, tenantId: string, query: z.infer<typeof ServiceListQuery>): Promise<PageResult<ServiceDto>> {
  return deps.cloud.withTenant(tenantId, (trx) => {
    let q = trx.selectFrom('service').selectAll().where('tenant_id', '=', tenantId);
    if (query.is_active !== undefined) q = q.where('is_active', '=', query.is_active ? 1 : 0);
    if (query.search) {
      const pattern = containsPattern(query.search);
      q = q.where((eb) => eb.or([eb('name', 'ilike', pattern), eb('code', 'ilike', pattern)]));
    }
    return pageOf(q.orderBy('name').orderBy('id'), query, (rows) => rows.map(toServiceDto));
  });
}

export async function getService(deps: CloudDeps, tenantId: string, id: string): Promise<ServiceDto> {
  return deps.cloud.withTenant(tenantId, async (trx) => toServiceDto(await findService(trx, tenantId, id)));
}

export async function createService(deps: CloudDeps, tenantId: string, body: z.infer<typeof CreateServiceBody>, now: number): Promise<ServiceDto> {
  return deps.cloud.withTenant(tenantId, async (trx) => toServiceDto(await insertService(trx, tenantId, body, now)));
}

export async function updateService(
  deps: CloudDeps, tenantId: string, id: string, patch: z.infer<typeof UpdateServiceBody>, now: number,
): Promise<ServiceDto> {
  return deps.cloud.withTenant(tenantId, async (trx) => {
    await findService(trx, tenantId, id);
    const { is_active, priority_rules, ...rest } = patch;
    const row = await trx.updateTable('service').set({
      ...rest,
      ...(priority_rules !== undefined ? { priority_rules: JSON.stringify(priority_rules) } : {}),
      ...(is_active !== undefined ? { is_active: is_active ? 1 : 0 } : {}),
      updated_at: now,
    }).where('tenant_id', '=', tenantId).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
    await recordChange(trx, tenantId, { entity: 'service', entityId: id, op: 'upsert', data: toServiceRef(row) }, now);
    return toServiceDto(row);
  });
}

/** As on the branch: a service is deactivated, never deleted, so its queues and their history stay whole. */
export async function deactivateService(deps: CloudDeps, tenantId: string, id: string, now: number): Promise<void> {
  await updateService(deps, tenantId, id, { is_active: false }, now);
}
