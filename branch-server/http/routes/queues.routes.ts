import { sql } from 'kysely';
import { queueRoutes, type QueueDto } from '../../contract/queues.contract.ts';
import { appendAudit } from '../../db/repositories/audit.repository.ts';
import { activeAgentCount, parseSamples, waitingSummary } from '../../db/repositories/tickets.repository.ts';
import { qb, type Db } from '../../db/sqlite.ts';
import type { QueueRow } from '../../db/tables/queue.table.ts';
import { DomainError } from '../../domain/errors.ts';
import { estimateEta, percentile } from '../../domain/eta.ts';
import { uuidv7 } from '../../ids.ts';
import { assertReference, changedKeys, containsPattern } from '../../use-cases/references.ts';
import type { Handlers } from '../context.ts';
import { paginate } from '../pagination.ts';

type NamedQueue = QueueRow & { site_name: string; service_name: string; default_service_seconds: number };

function namedQueues() {
  return qb.selectFrom('queue')
    .innerJoin('site', 'site.id', 'queue.site_id')
    .innerJoin('service', 'service.id', 'queue.service_id')
    .selectAll('queue')
    .select(['site.name as site_name', 'service.name as service_name', 'service.default_service_seconds']);
}

function getNamedQueue(db: Db, tenantId: string, id: string): NamedQueue {
  const row = db.first(namedQueues().where('queue.id', '=', id).where('queue.tenant_id', '=', tenantId));
  if (!row) throw new DomainError('not-found', 'Queue not found.');
  return row;
}

/**
 * Waiting count and the ETA of a ticket issued now: behind every callable waiting ticket (booked
 * appointments not yet due do not hold a walk-in back). Both read the waiting partial index.
 */
function liveFigures(db: Db, queue: NamedQueue, now: number): { waiting: number; eta: number } {
  const counts = waitingSummary(db, queue.id, now);
  const eta = estimateEta({
    positionAhead: counts.callable,
    activeAgents: activeAgentCount(db, queue.id),
    ewmaServiceSeconds: queue.ewma_service_seconds,
    p90ServiceSeconds: percentile(parseSamples(queue.service_samples), 90),
    defaultServiceSeconds: queue.default_service_seconds,
  });
  return { waiting: counts.waiting, eta: eta.etaSeconds };
}

function toQueueDto(db: Db, row: NamedQueue, now: number): QueueDto {
  const live = liveFigures(db, row, now);
  return {
    id: row.id, site: row.site_id, site_name: row.site_name, service: row.service_id, service_name: row.service_name,
    name: row.name, prefix: row.prefix, algorithm: row.algorithm, status: row.status, weight: row.weight,
    max_capacity: row.max_capacity, waiting_count: live.waiting, eta_seconds: live.eta,
    created_at: new Date(row.created_at).toISOString(), updated_at: new Date(row.updated_at).toISOString(),
  };
}

/** Two queues of a site never share a prefix: their tickets (A001) would be indistinguishable on a display. */
function assertPrefixFree(db: Db, siteId: string, prefix: string, exceptId?: string): void {
  let query = qb.selectFrom('queue').select('name').where('site_id', '=', siteId).where('prefix', '=', prefix);
  if (exceptId) query = query.where('id', '!=', exceptId);
  const other = db.first(query);
  if (other) {
    throw new DomainError('validation-failed', `prefix: "${prefix}" is already used by queue "${other.name}" of this site.`,
      [{ field: 'prefix', message: `already used by queue "${other.name}"` }]);
  }
}

const summary = (row: QueueRow) => ({
  site: row.site_id, service: row.service_id, name: row.name, prefix: row.prefix, algorithm: row.algorithm,
  status: row.status, weight: row.weight, max_capacity: row.max_capacity,
});

function updateQueueRow(db: Db, tenantId: string, id: string, patch: Partial<QueueRow>, actor: Parameters<typeof appendAudit>[1], now: number, action: string): NamedQueue {
  const before = getNamedQueue(db, tenantId, id);
  const changed = changedKeys(before, patch);
  if (changed.length === 0) return before;
  if (patch.prefix !== undefined) assertPrefixFree(db, before.site_id, patch.prefix, before.id);
  if (patch.service_id !== undefined) assertReference(db, 'service', tenantId, patch.service_id, 'service');
  db.run(qb.updateTable('queue').set({ ...patch, updated_at: now }).where('id', '=', before.id));
  const after = getNamedQueue(db, tenantId, id);
  const [b, a] = [summary(before), summary(after)];
  appendAudit(db, actor, {
    tenantId, action, entity: 'queue', entityId: before.id,
    before: Object.fromEntries(Object.entries(b).filter(([k, v]) => a[k as keyof typeof a] !== v)),
    after: Object.fromEntries(Object.entries(a).filter(([k, v]) => b[k as keyof typeof b] !== v)),
  }, now);
  return after;
}

export const queueHandlers: Handlers<typeof queueRoutes> = {
  listQueues(ctx) {
    const { query: q, tenant, deps: { db } } = ctx;
    let query = namedQueues().where('queue.tenant_id', '=', tenant.id);
    if (ctx.principal.kind === 'device') query = query.where('site.is_active', '=', 1).where('service.is_active', '=', 1);
    if (q.site) query = query.where('queue.site_id', '=', q.site);
    if (q.service) query = query.where('queue.service_id', '=', q.service);
    if (q.status) query = query.where('queue.status', '=', q.status);
    if (q.algorithm) query = query.where('queue.algorithm', '=', q.algorithm);
    if (q.search) {
      const pattern = containsPattern(q.search);
      query = query.where(sql<boolean>`(queue.name LIKE ${pattern} ESCAPE '\\' OR queue.prefix LIKE ${pattern} ESCAPE '\\')`);
    }
    query = query.orderBy('site.name').orderBy('queue.prefix').orderBy('queue.id');
    return paginate(db, query, q, ctx.origin, ctx.req, (rows: NamedQueue[]) => rows.map((r) => toQueueDto(db, r, ctx.now)));
  },
  createQueue({ deps: { db }, body, tenant, actor, now }) {
    return db.tx(() => {
      assertReference(db, 'site', tenant.id, body.site, 'site');
      assertReference(db, 'service', tenant.id, body.service, 'service');
      assertPrefixFree(db, body.site, body.prefix);
      const row = {
        id: uuidv7(now), tenant_id: tenant.id, site_id: body.site, service_id: body.service, name: body.name,
        prefix: body.prefix, algorithm: body.algorithm, status: body.status, weight: body.weight,
        max_capacity: body.max_capacity, created_at: now, updated_at: now,
      };
      db.run(qb.insertInto('queue').values(row));
      const created = getNamedQueue(db, tenant.id, row.id);
      appendAudit(db, actor, { tenantId: tenant.id, action: 'queue.created', entity: 'queue', entityId: row.id, after: summary(created) }, now);
      return toQueueDto(db, created, now);
    });
  },
  getQueue: ({ deps: { db }, tenant, params, now }) => toQueueDto(db, getNamedQueue(db, tenant.id, params.id), now),
  updateQueue({ deps: { db }, body, tenant, params, actor, now }) {
    const { service, ...rest } = body;
    const patch: Partial<QueueRow> = { ...rest, ...(service === undefined ? {} : { service_id: service }) };
    const row = db.tx(() => updateQueueRow(db, tenant.id, params.id, patch, actor, now, 'queue.updated'));
    return toQueueDto(db, row, now);
  },
  setQueueStatus({ deps: { db }, body, tenant, params, actor, now }) {
    const row = db.tx(() => updateQueueRow(db, tenant.id, params.id, { status: body.status }, actor, now, 'queue.status_changed'));
    return toQueueDto(db, row, now);
  },
  deleteQueue({ deps: { db }, tenant, params, actor, now }) {
    db.tx(() => {
      const before = getNamedQueue(db, tenant.id, params.id);
      const tickets = db.raw<{ active: number; total: number }>(
        `SELECT coalesce(sum(status IN ('en_attente', 'appele', 'en_service', 'pause')), 0) AS active, count(*) AS total
         FROM ticket WHERE queue_id = ?`, before.id,
      )[0] ?? { active: 0, total: 0 };
      if (tickets.active > 0) {
        throw new DomainError('conflict', `Queue "${before.name}" still has ${tickets.active} active ticket(s): serve, transfer or close them first.`, { active_tickets: tickets.active });
      }
      if (tickets.total > 0) {
        throw new DomainError('conflict', `Queue "${before.name}" has issued tickets; its history is kept for reports. Close it instead (set_status closed).`, { tickets: tickets.total });
      }
      const appointments = db.raw<{ n: number }>(`SELECT count(*) AS n FROM appointment WHERE tenant_id = ? AND service_id = ? AND site_id = ? AND status = 'scheduled'`, tenant.id, before.service_id, before.site_id)[0]?.n ?? 0;
      if (appointments > 0 && !db.first(qb.selectFrom('queue').select('id').where('site_id', '=', before.site_id).where('service_id', '=', before.service_id).where('id', '!=', before.id))) {
        throw new DomainError('conflict', `Queue "${before.name}" is the only queue for ${appointments} scheduled appointment(s) of its service.`, { appointments });
      }
      db.run(qb.deleteFrom('agent_queue').where('queue_id', '=', before.id));
      db.run(qb.deleteFrom('queue_counter').where('queue_id', '=', before.id));
      db.run(qb.deleteFrom('queue').where('id', '=', before.id));
      appendAudit(db, actor, { tenantId: tenant.id, action: 'queue.deleted', entity: 'queue', entityId: before.id, before: summary(before) }, now);
    });
    return null;
  },
};
