import { sql } from 'kysely';
import type { z } from 'zod';
import { DomainError } from '../../../branch-server/domain/errors.ts';
import type {
  HqAuditListQuery, HqFeedbackListQuery, HqTicketEventListQuery, HqTicketListQuery,
} from '../../protocol/hq-data.contract.ts';
import type { CloudTx } from '../db/database.ts';
import { pageOf, type PageResult } from '../db/paginate.ts';
import type { CloudDeps } from '../http/context.ts';
import { iso, intOrNull, isoOrNull, parseJsonOrNull, parseStringArray, str, strOrNull } from './dto.ts';

/**
 * HQ's read side over branch-owned rows. The typed columns serve filters and ordering; everything
 * else is read from the row as the branch uploaded it (`data`), defensively, since branches on an
 * older or newer version may send more or fewer fields.
 */

type TicketView = {
  id: string; site_id: string; device_id: string; queue_id: string; number: string; status: string; channel: string;
  priority: number; agent_id: string | null; customer_id: string | null; created_at: number; called_at: number | null;
  started_at: number | null; ended_at: number | null; updated_at: number; clock_offset_ms: number | null; received_at: number;
  data: Record<string, unknown>; queue_name: string | null; site_name: string | null;
};

function toTicketDto(r: TicketView) {
  return {
    id: r.id, public_id: strOrNull(r.data, 'public_id'), number: r.number, status: r.status, queue: r.queue_id,
    queue_name: r.queue_name, site: r.site_id, site_name: r.site_name, branch: r.device_id, customer: r.customer_id,
    customer_name: str(r.data, 'customer_name'), customer_phone: str(r.data, 'customer_phone'), channel: r.channel,
    priority: r.priority, agent: r.agent_id, counter: str(r.data, 'counter_label'), recall_count: intOrNull(r.data, 'recall_count') ?? 0,
    transferred_from: strOrNull(r.data, 'transferred_from'), appointment: strOrNull(r.data, 'appointment_id'),
    wait_seconds: r.called_at === null ? null : Math.round((r.called_at - r.created_at) / 1000),
    created_at: iso(r.created_at), called_at: isoOrNull(r.called_at), started_at: isoOrNull(r.started_at), ended_at: isoOrNull(r.ended_at),
    updated_at: iso(r.updated_at), clock_offset_ms: r.clock_offset_ms, received_at: iso(r.received_at),
  };
}
export type HqTicketView = ReturnType<typeof toTicketDto>;

function ticketViews(trx: CloudTx, tenantId: string) {
  return trx.selectFrom('ticket')
    .leftJoin('queue', 'queue.id', 'ticket.queue_id')
    .leftJoin('site', 'site.id', 'ticket.site_id')
    .selectAll('ticket')
    .select(['queue.name as queue_name', 'site.name as site_name'])
    .where('ticket.tenant_id', '=', tenantId);
}

export async function listTickets(deps: CloudDeps, tenantId: string, q: z.infer<typeof HqTicketListQuery>): Promise<PageResult<HqTicketView>> {
  return deps.cloud.withTenant(tenantId, (trx) => {
    let query = ticketViews(trx, tenantId);
    if (q.from !== undefined) query = query.where('ticket.created_at', '>=', q.from);
    if (q.to !== undefined) query = query.where('ticket.created_at', '<', q.to);
    if (q.site) query = query.where('ticket.site_id', '=', q.site);
    if (q.queue) query = query.where('ticket.queue_id', '=', q.queue);
    if (q.status) query = query.where('ticket.status', '=', q.status);
    if (q.customer) query = query.where('ticket.customer_id', '=', q.customer);
    return pageOf(query.orderBy('ticket.created_at', 'desc').orderBy('ticket.id', 'desc'), q, (rows) => rows.map(toTicketDto));
  });
}

export async function getTicket(deps: CloudDeps, tenantId: string, id: string): Promise<HqTicketView> {
  return deps.cloud.withTenant(tenantId, async (trx) => {
    const row = await ticketViews(trx, tenantId).where('ticket.id', '=', id).executeTakeFirst();
    if (!row) throw new DomainError('not-found', 'Ticket not found.');
    return toTicketDto(row);
  });
}

type EventRow = { id: string; site_id: string; ticket_id: string; type: string; created_at: number; received_at: number; data: Record<string, unknown> };

function toEventDto(r: EventRow) {
  return {
    id: r.id, ticket: r.ticket_id, site: r.site_id, type: r.type, from_status: strOrNull(r.data, 'from_status'),
    to_status: strOrNull(r.data, 'to_status'), actor_user: strOrNull(r.data, 'actor_user_id'), actor_device: strOrNull(r.data, 'actor_device_id'),
    reason: str(r.data, 'reason'), explanation: parseJsonOrNull(r.data['explanation']), created_at: iso(r.created_at), received_at: iso(r.received_at),
  };
}
export type HqTicketEventView = ReturnType<typeof toEventDto>;

function eventRows(trx: CloudTx, tenantId: string) {
  return trx.selectFrom('ticket_event').select(['id', 'site_id', 'ticket_id', 'type', 'created_at', 'received_at', 'data']).where('tenant_id', '=', tenantId);
}

export async function ticketEventsOf(deps: CloudDeps, tenantId: string, ticketId: string): Promise<HqTicketEventView[]> {
  return deps.cloud.withTenant(tenantId, async (trx) => {
    const ticket = await trx.selectFrom('ticket').select('id').where('tenant_id', '=', tenantId).where('id', '=', ticketId).executeTakeFirst();
    if (!ticket) throw new DomainError('not-found', 'Ticket not found.');
    const rows = await eventRows(trx, tenantId).where('ticket_id', '=', ticketId).orderBy('created_at').orderBy('id').execute();
    return rows.map(toEventDto);
  });
}

export async function listTicketEvents(
  deps: CloudDeps, tenantId: string, q: z.infer<typeof HqTicketEventListQuery>,
): Promise<PageResult<HqTicketEventView>> {
  return deps.cloud.withTenant(tenantId, (trx) => {
    let query = eventRows(trx, tenantId);
    if (q.ticket) query = query.where('ticket_id', '=', q.ticket);
    if (q.site) query = query.where('site_id', '=', q.site);
    if (q.from !== undefined) query = query.where('created_at', '>=', q.from);
    if (q.to !== undefined) query = query.where('created_at', '<', q.to);
    return pageOf(query.orderBy('created_at').orderBy('id'), q, (rows) => rows.map(toEventDto));
  });
}

type FeedbackView = {
  id: string; site_id: string; ticket_id: string | null; customer_id: string | null; csat: number | null; nps: number | null;
  created_at: number; data: Record<string, unknown>; ticket_number: string | null; queue_id: string | null;
};

function toFeedbackDto(r: FeedbackView) {
  return {
    id: r.id, site: r.site_id, ticket: r.ticket_id, ticket_number: r.ticket_number, queue: r.queue_id, customer: r.customer_id,
    csat: r.csat, nps: r.nps, nps_category: strOrNull(r.data, 'nps_category'), wait_rating: intOrNull(r.data, 'wait_rating'),
    service_rating: intOrNull(r.data, 'service_rating'), comment: str(r.data, 'comment'), tags: parseStringArray(r.data['tags']),
    channel: str(r.data, 'channel', 'kiosk'), created_at: iso(r.created_at),
  };
}
export type HqFeedbackView = ReturnType<typeof toFeedbackDto>;

export async function listFeedback(deps: CloudDeps, tenantId: string, q: z.infer<typeof HqFeedbackListQuery>): Promise<PageResult<HqFeedbackView>> {
  return deps.cloud.withTenant(tenantId, (trx) => {
    let query = trx.selectFrom('feedback').leftJoin('ticket', 'ticket.id', 'feedback.ticket_id')
      .select(['feedback.id', 'feedback.site_id', 'feedback.ticket_id', 'feedback.customer_id', 'feedback.csat', 'feedback.nps',
        'feedback.created_at', 'feedback.data', 'ticket.number as ticket_number', 'ticket.queue_id'])
      .where('feedback.tenant_id', '=', tenantId);
    if (q.site) query = query.where('feedback.site_id', '=', q.site);
    if (q.ticket) query = query.where('feedback.ticket_id', '=', q.ticket);
    if (q.customer) query = query.where('feedback.customer_id', '=', q.customer);
    if (q.created_after !== undefined) query = query.where('feedback.created_at', '>=', q.created_after);
    if (q.created_before !== undefined) query = query.where('feedback.created_at', '<', q.created_before);
    return pageOf(query.orderBy('feedback.created_at', 'desc').orderBy('feedback.id', 'desc'), q, (rows) => rows.map(toFeedbackDto));
  });
}

type AuditView = {
  id: string; site_id: string; device_id: string; branch_seq: number; action: string; entity: string; entity_id: string;
  created_at: number; prev_hash: string; hash: string; received_at: number; data: Record<string, unknown>; actor_email: string | null;
};

function toAuditDto(r: AuditView) {
  return {
    seq: r.branch_seq, id: r.id, site: r.site_id, branch: r.device_id, action: r.action, entity: r.entity, entity_id: r.entity_id,
    actor_user: strOrNull(r.data, 'actor_user_id'), actor_email: r.actor_email, actor_device: strOrNull(r.data, 'actor_device_id'),
    before: parseJsonOrNull(r.data['before']), after: parseJsonOrNull(r.data['after']), ip: str(r.data, 'ip'),
    user_agent: str(r.data, 'user_agent'), endpoint: str(r.data, 'endpoint'), created_at: iso(r.created_at),
    prev_hash: r.prev_hash, hash: r.hash, received_at: iso(r.received_at),
  };
}
export type HqAuditView = ReturnType<typeof toAuditDto>;

export async function listAuditLogs(deps: CloudDeps, tenantId: string, q: z.infer<typeof HqAuditListQuery>): Promise<PageResult<HqAuditView>> {
  return deps.cloud.withTenant(tenantId, (trx) => {
    let query = trx.selectFrom('audit_log')
      .leftJoin('app_user', (join) => join.on(sql<boolean>`app_user.id::text = audit_log.data->>'actor_user_id'`))
      .select(['audit_log.id', 'audit_log.site_id', 'audit_log.device_id', 'audit_log.branch_seq', 'audit_log.action', 'audit_log.entity',
        'audit_log.entity_id', 'audit_log.created_at', 'audit_log.prev_hash', 'audit_log.hash', 'audit_log.received_at', 'audit_log.data',
        'app_user.email as actor_email'])
      .where('audit_log.tenant_id', '=', tenantId);
    if (q.site) query = query.where('audit_log.site_id', '=', q.site);
    if (q.branch) query = query.where('audit_log.device_id', '=', q.branch);
    if (q.entity) query = query.where('audit_log.entity', '=', q.entity);
    if (q.entity_id) query = query.where('audit_log.entity_id', '=', q.entity_id);
    if (q.action) {
      query = q.action.endsWith('.')
        ? query.where('audit_log.action', 'like', `${q.action.replace(/[\\%_]/g, (c) => `\\${c}`)}%`)
        : query.where('audit_log.action', '=', q.action);
    }
    if (q.actor) {
      const actor = q.actor;
      query = actor.includes('@')
        ? query.where(sql<boolean>`lower(app_user.email) = lower(${actor})`)
        : query.where(sql<boolean>`audit_log.data->>'actor_user_id' = ${actor}`);
    }
    if (q.created_after !== undefined) query = query.where('audit_log.created_at', '>=', q.created_after);
    if (q.created_before !== undefined) query = query.where('audit_log.created_at', '<', q.created_before);
    return pageOf(query.orderBy('audit_log.created_at', 'desc').orderBy('audit_log.branch_seq', 'desc').orderBy('audit_log.id', 'desc'), q,
      (rows) => rows.map(toAuditDto));
  });
}
