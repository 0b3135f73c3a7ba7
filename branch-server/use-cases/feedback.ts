import type { FeedbackDto } from '../contract/feedback.contract.ts';
import { appendAudit, type Actor } from '../db/repositories/audit.repository.ts';
import { appendOutbox } from '../db/repositories/outbox.repository.ts';
import { qb, type Db } from '../db/sqlite.ts';
import type { FeedbackRow } from '../db/tables/feedback.table.ts';
import type { TicketRow } from '../db/tables/ticket.table.ts';
import { DomainError } from '../domain/errors.ts';
import { uuidv7 } from '../ids.ts';
import { invalidReference, parseStringArray } from './references.ts';

export type NpsCategory = NonNullable<FeedbackRow['nps_category']>;
export type FeedbackChannel = FeedbackDto['channel'];

/** The standard NPS buckets: 9–10 promoter, 7–8 passive, 0–6 detractor. */
export function npsCategory(nps: number): NpsCategory {
  if (nps >= 9) return 'promoter';
  if (nps >= 7) return 'passive';
  return 'detractor';
}

/** NPS score = % promoters − % detractors, rounded, in −100..100; null without answers. */
export function npsScore(promoters: number, detractors: number, answers: number): number | null {
  return answers === 0 ? null : Math.round(((promoters - detractors) * 100) / answers);
}

export type Scores = Readonly<{
  csat?: number | undefined; nps?: number | undefined; wait_rating?: number | undefined; service_rating?: number | undefined;
  comment: string; tags: readonly string[];
}>;

type FeedbackJoin = FeedbackRow & { ticket_number: string | null; queue_id: string | null };

export function toFeedbackDto(row: FeedbackJoin): FeedbackDto {
  return {
    id: row.id, ticket: row.ticket_id, ticket_number: row.ticket_number, queue: row.queue_id, customer: row.customer_id,
    csat: row.csat, nps: row.nps, nps_category: row.nps_category, wait_rating: row.wait_rating, service_rating: row.service_rating,
    comment: row.comment, tags: parseStringArray(row.tags),
    channel: (['kiosk', 'web', 'staff'].includes(row.channel) ? row.channel : 'kiosk') as FeedbackChannel,
    created_at: new Date(row.created_at).toISOString(),
  };
}

export function feedbackQuery(tenantId: string) {
  return qb.selectFrom('feedback')
    .leftJoin('ticket', 'ticket.id', 'feedback.ticket_id')
    .selectAll('feedback')
    .select(['ticket.number as ticket_number', 'ticket.queue_id'])
    .where('feedback.tenant_id', '=', tenantId);
}

/** The ticket a public id names, following transfers to the ticket the customer was finally served under. */
export function ticketByPublicId(db: Db, publicId: string): TicketRow {
  let row = db.first(qb.selectFrom('ticket').selectAll().where('public_id', '=', publicId));
  if (!row) throw new DomainError('not-found', 'Ticket not found.');
  for (let hops = 0; row.status === 'transfere' && hops < 20; hops += 1) {
    const next: TicketRow | undefined = db.first(qb.selectFrom('ticket').selectAll().where('transferred_from', '=', row.id));
    if (!next) break;
    row = next;
  }
  return row;
}

/**
 * Records one feedback. With a ticket: the ticket must be of this tenant (400 invalid-reference
 * otherwise) and closed, and a ticket gets one feedback only (409). The NPS category is derived.
 */
export function leaveFeedback(
  db: Db,
  who: Readonly<{ tenantId: string; actor: Actor; now: number }>,
  target: Readonly<{ ticketId: string | null; field: string }>,
  scores: Scores,
  channel: FeedbackChannel,
): FeedbackDto {
  const { tenantId, now } = who;
  return db.tx(() => {
    let ticket: TicketRow | undefined;
    if (target.ticketId) {
      ticket = db.first(qb.selectFrom('ticket').selectAll().where('id', '=', target.ticketId).where('tenant_id', '=', tenantId));
      if (!ticket) throw invalidReference(target.field, 'unknown ticket');
      if (ticket.status !== 'clos') {
        throw new DomainError('validation-failed', `${target.field}: feedback is taken once the ticket is closed (ticket ${ticket.number} is ${ticket.status}).`,
          [{ field: target.field, message: 'ticket is not closed' }]);
      }
      if (db.first(qb.selectFrom('feedback').select('id').where('ticket_id', '=', ticket.id))) {
        throw new DomainError('conflict', `Ticket ${ticket.number} already has feedback.`);
      }
    }
    const row: FeedbackRow = {
      id: uuidv7(now), tenant_id: tenantId, ticket_id: ticket?.id ?? null, customer_id: ticket?.customer_id ?? null,
      csat: scores.csat ?? null, nps: scores.nps ?? null, nps_category: scores.nps === undefined ? null : npsCategory(scores.nps),
      wait_rating: scores.wait_rating ?? null, service_rating: scores.service_rating ?? null,
      comment: scores.comment, tags: JSON.stringify(scores.tags), channel, created_at: now,
    };
    db.run(qb.insertInto('feedback').values(row));
    appendOutbox(db, { tenantId, entity: 'feedback', entityId: row.id, op: 'insert', payload: row }, now);
    // The comment is free text from a customer: the audit row keeps the scores only.
    appendAudit(db, who.actor, {
      tenantId, action: 'feedback.created', entity: 'feedback', entityId: row.id,
      after: { ticket: row.ticket_id, csat: row.csat, nps: row.nps, wait_rating: row.wait_rating, service_rating: row.service_rating, channel },
    }, now);
    return toFeedbackDto({ ...row, ticket_number: ticket?.number ?? null, queue_id: ticket?.queue_id ?? null });
  });
}
