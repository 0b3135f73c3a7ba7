import { createHmac, randomBytes } from 'node:crypto';
import type { z } from 'zod';
import type { CreateWebhookBody, UpdateWebhookBody, WebhookDeliveryDto, WebhookDto } from '../contract/integrations.contract.ts';
import { WEBHOOK_EVENTS } from '../contract/integrations.contract.ts';
import { appendAudit } from '../db/repositories/audit.repository.ts';
import { iso } from '../db/repositories/tickets.repository.ts';
import { qb, type Db } from '../db/sqlite.ts';
import type { WebhookDeliveryRow } from '../db/tables/webhook-delivery.table.ts';
import type { WebhookSubscriptionRow } from '../db/tables/webhook-subscription.table.ts';
import { DomainError } from '../domain/errors.ts';
import { uuidv7 } from '../ids.ts';
import { enqueueJob } from '../jobs/runner.ts';
import type { SecretBox } from '../notifications/secret-box.ts';
import type { Caller, UseCaseDeps } from './deps.ts';
import { readCursor, writeCursor } from './plan-notifications.ts';

export const DELIVER_WEBHOOK_JOB = 'webhook.deliver';
export const WEBHOOK_MAX_ATTEMPTS = 10;
type WebhookEventName = (typeof WEBHOOK_EVENTS)[number];

/**
 * The signature header a receiver checks: `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`.
 * The timestamp is signed too, so a captured request cannot be replayed later than the receiver's tolerance.
 */
export function signWebhook(secret: string, timestampSeconds: number, body: string): string {
  const mac = createHmac('sha256', secret).update(`${timestampSeconds}.${body}`).digest('hex');
  return `t=${timestampSeconds},v1=${mac}`;
}

function parseEvents(text: string): WebhookEventName[] {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value.filter((e): e is WebhookEventName => (WEBHOOK_EVENTS as readonly string[]).includes(e as string)) : [];
  } catch {
    return [];
  }
}

export function toWebhookDto(row: WebhookSubscriptionRow): WebhookView {
  return {
    id: row.id, url: row.url, events: parseEvents(row.events), description: row.description, is_active: row.is_active === 1,
    created_at: new Date(row.created_at).toISOString(), updated_at: new Date(row.updated_at).toISOString(),
  };
}
type WebhookView = z.infer<typeof WebhookDto>;

export function toDeliveryDto(row: WebhookDeliveryRow & { url: string }): z.infer<typeof WebhookDeliveryDto> {
  let payload: unknown = null;
  try {
    payload = JSON.parse(row.payload);
  } catch {
    payload = row.payload;
  }
  return {
    id: row.id, webhook: row.subscription_id, url: row.url, event: row.event, event_id: row.event_id, payload, status: row.status,
    attempts: row.attempts, response_status: row.response_status, last_error: row.last_error,
    created_at: new Date(row.created_at).toISOString(), delivered_at: iso(row.delivered_at), updated_at: new Date(row.updated_at).toISOString(),
  };
}

function getSubscription(db: Db, tenantId: string, id: string): WebhookSubscriptionRow {
  const row = db.first(qb.selectFrom('webhook_subscription').selectAll().where('id', '=', id).where('tenant_id', '=', tenantId));
  if (!row) throw new DomainError('not-found', 'Webhook not found.');
  return row;
}

export function createWebhook(deps: UseCaseDeps, box: SecretBox, caller: Caller, body: z.infer<typeof CreateWebhookBody>): WebhookView & { secret: string } {
  const { db } = deps;
  const secret = `whsec_${randomBytes(24).toString('base64url')}`;
  const row = db.tx(() => {
    const id = uuidv7(caller.now);
    const row: WebhookSubscriptionRow = {
      id, tenant_id: caller.tenantId, url: body.url, events: JSON.stringify([...new Set(body.events)]), secret: box.seal(secret, id),
      description: body.description ?? '', is_active: body.is_active === false ? 0 : 1, created_at: caller.now, updated_at: caller.now,
    };
    db.run(qb.insertInto('webhook_subscription').values(row));
    appendAudit(db, caller.actor, { tenantId: caller.tenantId, action: 'webhook.created', entity: 'webhook_subscription', entityId: id, after: { url: row.url, events: body.events } }, caller.now);
    return row;
  });
  return { ...toWebhookDto(row), secret };
}

export function updateWebhook(deps: UseCaseDeps, caller: Caller, id: string, patch: z.infer<typeof UpdateWebhookBody>): WebhookView {
  const { db } = deps;
  return toWebhookDto(db.tx(() => {
    const before = getSubscription(db, caller.tenantId, id);
    db.run(qb.updateTable('webhook_subscription').set({
      url: patch.url ?? before.url,
      events: patch.events ? JSON.stringify([...new Set(patch.events)]) : before.events,
      description: patch.description ?? before.description,
      is_active: patch.is_active === undefined ? before.is_active : (patch.is_active ? 1 : 0),
      updated_at: caller.now,
    }).where('id', '=', id));
    const after = getSubscription(db, caller.tenantId, id);
    appendAudit(db, caller.actor, { tenantId: caller.tenantId, action: 'webhook.updated', entity: 'webhook_subscription', entityId: id, before: toWebhookDto(before), after: toWebhookDto(after) }, caller.now);
    return after;
  }));
}

export function deleteWebhook(deps: UseCaseDeps, caller: Caller, id: string): void {
  const { db } = deps;
  db.tx(() => {
    const before = getSubscription(db, caller.tenantId, id);
    db.run(qb.deleteFrom('webhook_delivery').where('subscription_id', '=', id));
    db.run(qb.deleteFrom('webhook_subscription').where('id', '=', id));
    appendAudit(db, caller.actor, { tenantId: caller.tenantId, action: 'webhook.deleted', entity: 'webhook_subscription', entityId: id, before: toWebhookDto(before) }, caller.now);
  });
}

/** Sends a logged delivery again now: same event id and payload; a fresh timestamp and signature. */
export function redeliverWebhook(deps: UseCaseDeps, caller: Caller, id: string): z.infer<typeof WebhookDeliveryDto> {
  const { db } = deps;
  return db.tx(() => {
    const row = db.first(qb.selectFrom('webhook_delivery').innerJoin('webhook_subscription', 'webhook_subscription.id', 'webhook_delivery.subscription_id')
      .selectAll('webhook_delivery').select('webhook_subscription.url').where('webhook_delivery.id', '=', id).where('webhook_delivery.tenant_id', '=', caller.tenantId));
    if (!row) throw new DomainError('not-found', 'Delivery not found.');
    const running = db.first(qb.selectFrom('job').select('id').where('type', '=', DELIVER_WEBHOOK_JOB).where('ordering_key', '=', `webhook-delivery:${id}`)
      .where('status', 'in', ['pending', 'running']));
    if (running) db.run(qb.updateTable('job').set({ run_at: caller.now, updated_at: caller.now }).where('id', '=', running.id).where('status', '=', 'pending'));
    else enqueueJob(db, { type: DELIVER_WEBHOOK_JOB, payload: { deliveryId: id }, orderingKey: `webhook-delivery:${id}`, maxAttempts: 1 }, caller.now);
    db.run(qb.updateTable('webhook_delivery').set({ status: 'pending', updated_at: caller.now }).where('id', '=', id));
    appendAudit(db, caller.actor, { tenantId: caller.tenantId, action: 'webhook.redelivered', entity: 'webhook_delivery', entityId: id, after: { event: row.event, event_id: row.event_id } }, caller.now);
    return toDeliveryDto({ ...row, status: 'pending', updated_at: caller.now });
  });
}

/** `data` is built only when a subscription wants the event: most branches have none, and the ticket's summary is a read per event. */
type Source = Readonly<{ rowid: number; tenantId: string; createdAt: number; events: ReadonlyArray<Readonly<{ name: WebhookEventName; id: string; data: () => unknown }>> }>;

function ticketSummary(db: Db, ticketId: string): Record<string, unknown> | null {
  const t = db.first(qb.selectFrom('ticket').innerJoin('queue', 'queue.id', 'ticket.queue_id')
    .select(['ticket.id', 'ticket.public_id', 'ticket.number', 'ticket.status', 'ticket.queue_id', 'queue.name as queue_name', 'ticket.site_id',
      'ticket.channel', 'ticket.priority', 'ticket.customer_id', 'ticket.agent_id', 'ticket.counter_label', 'ticket.created_at', 'ticket.called_at', 'ticket.ended_at'])
    .where('ticket.id', '=', ticketId));
  if (!t) return null;
  return {
    id: t.id, public_id: t.public_id, number: t.number, status: t.status, queue: t.queue_id, queue_name: t.queue_name, site: t.site_id,
    channel: t.channel, priority: t.priority, customer: t.customer_id, agent: t.agent_id, counter: t.counter_label,
    created_at: iso(t.created_at), called_at: iso(t.called_at), ended_at: iso(t.ended_at),
  };
}

const READERS: ReadonlyArray<Readonly<{ cursor: string; table: 'ticket_event' | 'feedback' | 'appointment'; read: (db: Db, from: number, limit: number) => Source[] }>> = [
  {
    cursor: 'webhooks:ticket_event', table: 'ticket_event',
    read: (db, from, limit) => db.raw<{ rowid: number; id: string; tenant_id: string; ticket_id: string; type: string; from_status: string | null; to_status: string; reason: string; created_at: number }>(
      'SELECT rowid, id, tenant_id, ticket_id, type, from_status, to_status, reason, created_at FROM ticket_event WHERE rowid > ? ORDER BY rowid LIMIT ?', from, limit,
    ).map((e) => {
      let built: unknown;
      const data = () => (built ??= { ticket: ticketSummary(db, e.ticket_id), from_status: e.from_status, to_status: e.to_status, reason: e.reason, event_type: e.type });
      const events: { name: WebhookEventName; id: string; data: () => unknown }[] = [];
      if ((WEBHOOK_EVENTS as readonly string[]).includes(e.type)) events.push({ name: e.type as WebhookEventName, id: e.id, data });
      if (e.from_status !== e.to_status) events.push({ name: 'ticket.status_changed', id: `${e.id}.status`, data });
      return { rowid: e.rowid, tenantId: e.tenant_id, createdAt: e.created_at, events };
    }),
  },
  {
    cursor: 'webhooks:feedback', table: 'feedback',
    read: (db, from, limit) => db.raw<{ rowid: number; id: string; tenant_id: string; ticket_id: string | null; customer_id: string | null; csat: number | null; nps: number | null; nps_category: string | null; wait_rating: number | null; service_rating: number | null; comment: string; channel: string; created_at: number }>(
      'SELECT rowid, id, tenant_id, ticket_id, customer_id, csat, nps, nps_category, wait_rating, service_rating, comment, channel, created_at FROM feedback WHERE rowid > ? ORDER BY rowid LIMIT ?', from, limit,
    ).map((f) => ({
      rowid: f.rowid, tenantId: f.tenant_id, createdAt: f.created_at,
      events: [{ name: 'feedback.created' as const, id: f.id, data: () => ({ feedback: {
        id: f.id, ticket: f.ticket_id, customer: f.customer_id, csat: f.csat, nps: f.nps, nps_category: f.nps_category,
        wait_rating: f.wait_rating, service_rating: f.service_rating, comment: f.comment, channel: f.channel, created_at: iso(f.created_at),
      } }) }],
    })),
  },
  {
    cursor: 'webhooks:appointment', table: 'appointment',
    read: (db, from, limit) => db.raw<{ rowid: number; id: string; tenant_id: string; site_id: string; service_id: string; customer_id: string | null; starts_at: number; ends_at: number; status: string; created_at: number }>(
      'SELECT rowid, id, tenant_id, site_id, service_id, customer_id, starts_at, ends_at, status, created_at FROM appointment WHERE rowid > ? ORDER BY rowid LIMIT ?', from, limit,
    ).map((a) => ({
      rowid: a.rowid, tenantId: a.tenant_id, createdAt: a.created_at,
      events: [{ name: 'appointment.created' as const, id: a.id, data: () => ({ appointment: {
        id: a.id, site: a.site_id, service: a.service_id, customer: a.customer_id, starts_at: iso(a.starts_at), ends_at: iso(a.ends_at), status: a.status, created_at: iso(a.created_at),
      } }) }],
    })),
  },
];

/**
 * Reads new ticket events, feedback and appointments (each table by rowid from its cursor) and logs
 * one delivery per matching active subscription, each with its delivery job, cursors in the same
 * transaction. A subscription gets only events that happened after it was made.
 */
export function dispatchWebhookEvents(db: Db, now: number, limit = 500): number {
  return db.tx(() => {
    let read = 0;
    const subscriptions = new Map<string, { row: WebhookSubscriptionRow; events: Set<string> }[]>();
    const subsOf = (tenantId: string) => {
      let subs = subscriptions.get(tenantId);
      if (!subs) {
        subs = db.all(qb.selectFrom('webhook_subscription').selectAll().where('tenant_id', '=', tenantId).where('is_active', '=', 1))
          .map((row) => ({ row, events: new Set<string>(parseEvents(row.events)) }));
        subscriptions.set(tenantId, subs);
      }
      return subs;
    };
    for (const reader of READERS) {
      const from = readCursor(db, reader.cursor, reader.table);
      const sources = reader.read(db, from, limit);
      if (sources.length === 0) continue;
      read += sources.length;
      const tenants = new Map<string, string>();
      for (const source of sources) {
        const subs = subsOf(source.tenantId);
        if (subs.length === 0) continue;
        let slug = tenants.get(source.tenantId);
        if (slug === undefined) {
          slug = db.first(qb.selectFrom('tenant').select('slug').where('id', '=', source.tenantId))?.slug ?? '';
          tenants.set(source.tenantId, slug);
        }
        for (const event of source.events) {
          for (const sub of subs) {
            if (!sub.events.has(event.name) || source.createdAt < sub.row.created_at) continue;
            const id = uuidv7(now);
            const payload = JSON.stringify({ id: event.id, type: event.name, created_at: new Date(source.createdAt).toISOString(), tenant: slug, data: event.data() });
            const inserted = db.run(qb.insertInto('webhook_delivery').values({
              id, tenant_id: source.tenantId, subscription_id: sub.row.id, event: event.name, event_id: event.id, payload, status: 'pending',
              response_status: null, created_at: now, delivered_at: null, updated_at: now,
            }).onConflict((oc) => oc.columns(['subscription_id', 'event_id']).doNothing()));
            if (inserted > 0) enqueueJob(db, { type: DELIVER_WEBHOOK_JOB, payload: { deliveryId: id }, orderingKey: `webhook-delivery:${id}`, maxAttempts: WEBHOOK_MAX_ATTEMPTS }, now);
          }
        }
      }
      writeCursor(db, reader.cursor, sources.at(-1)!.rowid);
    }
    return read;
  });
}
