import type { z } from 'zod';
import type { CreateQueueBody, UpdateQueueBody } from '../../../branch-server/contract/queues.contract.ts';
import { DomainError } from '../../../branch-server/domain/errors.ts';
import { uuidv7 } from '../../../branch-server/ids.ts';
import type { HqQueueDto, HqQueueListQuery } from '../../protocol/hq-reference.contract.ts';
import type { CloudTx } from '../db/database.ts';
import { pageOf, type PageResult } from '../db/paginate.ts';
import type { QueueRow } from '../db/schema.ts';
import type { CloudDeps } from '../http/context.ts';
import { containsPattern, iso } from './dto.ts';
import { recordChange } from './feed.ts';
import { agentQueuesRef, toQueueRef } from './reference-rows.ts';

type QueueView = QueueRow & { site_name: string; service_name: string; waiting_count: number | string };

function toQueueDto(row: QueueView): HqQueueDto {
  return {
    id: row.id, site: row.site_id, site_name: row.site_name, service: row.service_id, service_name: row.service_name,
    name: row.name, prefix: row.prefix, algorithm: row.algorithm, status: row.status, weight: row.weight,
    max_capacity: row.max_capacity, waiting_count: Number(row.waiting_count),
    created_at: iso(row.created_at), updated_at: iso(row.updated_at),
  };
}

function queueViews(trx: CloudTx, tenantId: string) {
  return trx.selectFrom('queue')
    .innerJoin('site', 'site.id', 'queue.site_id')
    .innerJoin('service', 'service.id', 'queue.service_id')
    .selectAll('queue')
    .select(['site.name as site_name', 'service.name as service_name'])
    .select((eb) => eb.selectFrom('ticket').select((e) => e.fn.countAll<number>().as('n'))
      .where('ticket.tenant_id', '=', tenantId).whereRef('ticket.queue_id', '=', 'queue.id').where('ticket.status', '=', 'en_attente')
      .as('waiting_count'))
    .where('queue.tenant_id', '=', tenantId);
}

async function viewOf(trx: CloudTx, tenantId: string, id: string): Promise<HqQueueDto> {
  const row = await queueViews(trx, tenantId).where('queue.id', '=', id).executeTakeFirst();
  if (!row) throw new DomainError('not-found', 'Queue not found.');
  return toQueueDto(row as QueueView);
}

async function findQueue(trx: CloudTx, tenantId: string, id: string): Promise<QueueRow> {
  const row = await trx.selectFrom('queue').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
  if (!row) throw new DomainError('not-found', 'Queue not found.');
  return row;
}

export function invalidReference(field: string, message: string): DomainError {
  return new DomainError('invalid-reference', `${field}: ${message}.`, [{ field, message }]);
}

async function assertReference(trx: CloudTx, table: 'site' | 'service', tenantId: string, id: string, field: string): Promise<void> {
  const row = await trx.selectFrom(table).select('id').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
  if (!row) throw invalidReference(field, `unknown ${table}`);
}

async function assertPrefixFree(trx: CloudTx, tenantId: string, siteId: string, prefix: string, exceptId?: string): Promise<void> {
  const other = await trx.selectFrom('queue').select('name').where('tenant_id', '=', tenantId).where('site_id', '=', siteId)
    .where('prefix', '=', prefix).$if(exceptId !== undefined, (qb) => qb.where('id', '!=', exceptId!)).executeTakeFirst();
  if (other) {
    throw new DomainError('validation-failed', `prefix: "${prefix}" is already used by queue "${other.name}" of this site.`,
      [{ field: 'prefix', message: 'already used in this site' }]);
  }
}

export type QueueInput = Readonly<{
  site: string; service: string; name: string; prefix: string; algorithm?: QueueRow['algorithm']; status?: QueueRow['status'];
  weight?: number; max_capacity?: number;
}>;

export async function insertQueue(trx: CloudTx, tenantId: string, input: QueueInput, now: number): Promise<QueueRow> {
  await assertReference(trx, 'site', tenantId, input.site, 'site');
  await assertReference(trx, 'service', tenantId, input.service, 'service');
  await assertPrefixFree(trx, tenantId, input.site, input.prefix);
  const row = await trx.insertInto('queue').values({
    id: uuidv7(now), tenant_id: tenantId, site_id: input.site, service_id: input.service, name: input.name, prefix: input.prefix,
    algorithm: input.algorithm ?? 'fifo', status: input.status ?? 'open', weight: input.weight ?? 1, max_capacity: input.max_capacity ?? 0,
    created_at: now, updated_at: now,
  }).returningAll().executeTakeFirstOrThrow();
  await recordChange(trx, tenantId, { entity: 'queue', entityId: row.id, op: 'upsert', data: toQueueRef(row) }, now);
  return row;
}

export async function listQueues(deps: CloudDeps, tenantId: string, query: z.infer<typeof HqQueueListQuery>): Promise<PageResult<HqQueueDto>> {
  return deps.cloud.withTenant(tenantId, (trx) => {
    let q = queueViews(trx, tenantId);
    if (query.site) q = q.where('queue.site_id', '=', query.site);
    if (query.service) q = q.where('queue.service_id', '=', query.service);
    if (query.status) q = q.where('queue.status', '=', query.status);
    if (query.algorithm) q = q.where('queue.algorithm', '=', query.algorithm);
    if (query.search) {
      const pattern = containsPattern(query.search);
      q = q.where((eb) => eb.or([eb('queue.name', 'ilike', pattern), eb('queue.prefix', 'ilike', pattern)]));
    }
    return pageOf(q.orderBy('site.name').orderBy('queue.prefix').orderBy('queue.id'), query, (rows) => rows.map((r) => toQueueDto(r as QueueView)));
  });
}

export async function getQueue(deps: CloudDeps, tenantId: string, id: string): Promise<HqQueueDto> {
  return deps.cloud.withTenant(tenantId, (trx) => viewOf(trx, tenantId, id));
}

export async function createQueue(deps: CloudDeps, tenantId: string, body: z.infer<typeof CreateQueueBody>, now: number): Promise<HqQueueDto> {
  return deps.cloud.withTenant(tenantId, async (trx) => viewOf(trx, tenantId, (await insertQueue(trx, tenantId, body, now)).id));
}

export async function updateQueue(
  deps: CloudDeps, tenantId: string, id: string, patch: z.infer<typeof UpdateQueueBody>, now: number,
): Promise<HqQueueDto> {
  return deps.cloud.withTenant(tenantId, async (trx) => {
    const before = await findQueue(trx, tenantId, id);
    const { service, ...rest } = patch;
    if (service !== undefined) await assertReference(trx, 'service', tenantId, service, 'service');
    if (rest.prefix !== undefined && rest.prefix !== before.prefix) await assertPrefixFree(trx, tenantId, before.site_id, rest.prefix, id);
    const row = await trx.updateTable('queue').set({ ...rest, ...(service !== undefined ? { service_id: service } : {}), updated_at: now })
      .where('tenant_id', '=', tenantId).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
    await recordChange(trx, tenantId, { entity: 'queue', entityId: id, op: 'upsert', data: toQueueRef(row) }, now);
    return viewOf(trx, tenantId, id);
  });
}

/**
 * A queue is deleted only while no branch can hold tickets for it: no branch was ever enrolled at its
 * site and no uploaded ticket names it. Otherwise it is closed instead, keeping its history.
 */
export async function deleteQueue(deps: CloudDeps, tenantId: string, id: string, now: number): Promise<void> {
  await deps.cloud.withTenant(tenantId, async (trx) => {
    const queue = await findQueue(trx, tenantId, id);
    const devices = await trx.selectFrom('device').select('id').where('tenant_id', '=', tenantId).where('site_id', '=', queue.site_id)
      .limit(1).executeTakeFirst();
    const ticket = await trx.selectFrom('ticket').select('id').where('tenant_id', '=', tenantId).where('queue_id', '=', id).limit(1).executeTakeFirst();
    if (devices || ticket) {
      throw new DomainError('conflict', `Queue "${queue.name}" may have tickets at its branch; its history is kept for reports. Close it instead (set_status closed).`);
    }
    // Skills first: the feed must never name a queue the branch has already dropped.
    const agents = await trx.deleteFrom('agent_queue').where('tenant_id', '=', tenantId).where('queue_id', '=', id).returning('user_id').execute();
    for (const { user_id } of agents) {
      await recordChange(trx, tenantId, { entity: 'agent_queues', entityId: user_id, op: 'upsert', data: await agentQueuesRef(trx, tenantId, user_id) }, now);
    }
    await trx.deleteFrom('queue').where('tenant_id', '=', tenantId).where('id', '=', id).execute();
    await recordChange(trx, tenantId, { entity: 'queue', entityId: id, op: 'delete', data: {} }, now);
  });
}
