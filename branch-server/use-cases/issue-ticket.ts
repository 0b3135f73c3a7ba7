import { qb, type Db } from '../db/sqlite.ts';
import { newcomerEtaIn, queueEtas, toTicketDto, waitingSummary, type QueueWithService } from '../db/repositories/tickets.repository.ts';
import type { TicketEta } from '../domain/eta.ts';
import type { TicketRow } from '../db/tables/ticket.table.ts';
import type { TicketDto } from '../contract/tickets.contract.ts';
import { DomainError } from '../domain/errors.ts';
import { businessDate, formatTicketNumber } from '../domain/numbering.ts';
import type { TicketId } from '../domain/ids.ts';
import { publicToken, uuidv7 } from '../ids.ts';
import type { Caller, UseCaseDeps } from './deps.ts';
import type { DomainEvent } from './events.ts';
import { queueChanged, ticketEvent } from './publish.ts';
import { journal } from './ticket-journal.ts';

export type IssueTicketInput = Readonly<{
  queueId: string;
  channel: TicketRow['channel'];
  priority: number;
  customerId?: string | null | undefined;
  customerName?: string | undefined;
  customerPhone?: string | undefined;
  /** `startsAt` null: the appointment's customer came too late and queues as a walk-in. */
  appointment?: Readonly<{ id: string; startsAt: number | null }>;
  /** Joined from a phone: away until checked in at the kiosk. */
  remote?: boolean;
}>;

/**
 * Issues a ticket: the next number of the queue's day (site-local midnight reset), stored durably
 * (synchronous=FULL) before the caller hears 2xx, so a printed ticket always exists after a crash.
 */
export function issueTicket(deps: UseCaseDeps, caller: Caller, input: IssueTicketInput): TicketDto {
  const dto = deps.db.tx(() => writeTicket(deps.db, caller, input));
  deps.events.publish(createdEvents(caller, dto));
  return dto;
}

function createdEvents(caller: Caller, dto: TicketDto): DomainEvent[] {
  return [ticketEvent(caller, 'ticket.created', dto), queueChanged(caller, dto.queue)];
}

/** The writes of one issuance; the caller owns the transaction. */
function writeTicket(db: Db, caller: Caller, input: IssueTicketInput): TicketDto {
  const { now } = caller;
  // The queue is named in the body: an unknown or foreign one is a bad reference (400), not a missing URL (404).
  // One read for the queue, its service and its site (raw SQL: this runs for every ticket of a rush).
  const queue = db.raw<QueueWithService & { service_active: 0 | 1 | null; site_active: 0 | 1 | null; timezone: string | null }>(
    `SELECT queue.*, service.sla_seconds, service.default_service_seconds, service.is_active AS service_active,
            site.is_active AS site_active, site.timezone
     FROM queue LEFT JOIN service ON service.id = queue.service_id LEFT JOIN site ON site.id = queue.site_id
     WHERE queue.id = ? AND queue.tenant_id = ?`, input.queueId, caller.tenantId,
  )[0];
  if (!queue) throw new DomainError('invalid-reference', 'queue: unknown queue.', [{ field: 'queue', message: 'unknown queue' }]);
  if (queue.status === 'closed') throw new DomainError('queue-closed', `Queue "${queue.name}" is closed.`);
  const { service_active: serviceActive, site_active: siteActive, timezone, ...queueRow } = queue;
  if (serviceActive !== 1 || siteActive !== 1 || timezone === null) {
    throw new DomainError('queue-closed', `Queue "${queue.name}" is not taking tickets: its service or site is inactive.`);
  }
  if (input.customerId) {
    const customer = db.first(qb.selectFrom('customer').select('id').where('id', '=', input.customerId).where('tenant_id', '=', caller.tenantId));
    if (!customer) throw new DomainError('invalid-reference', 'customer: unknown customer.', [{ field: 'customer', message: 'unknown customer' }]);
  }
  if (queue.max_capacity > 0) {
    if (waitingSummary(db, queue.id, now).waiting >= queue.max_capacity) throw new DomainError('queue-full', `Queue "${queue.name}" is full for now.`);
  }
  const day = businessDate(now, timezone);
  const counter = db.raw<{ last_seq: number }>(
    `INSERT INTO queue_counter (queue_id, business_date, last_seq) VALUES (?, ?, 1)
     ON CONFLICT (queue_id, business_date) DO UPDATE SET last_seq = last_seq + 1 RETURNING last_seq`,
    queue.id, day,
  )[0];
  const seq = counter?.last_seq ?? 1;
  const row: TicketRow = {
    id: uuidv7(now),
    tenant_id: caller.tenantId,
    site_id: queue.site_id,
    queue_id: queue.id,
    public_id: publicToken(),
    number: formatTicketNumber(queue.prefix, seq),
    seq,
    business_date: day,
    customer_id: input.customerId ?? null,
    customer_name: input.customerName ?? '',
    customer_phone: input.customerPhone ?? '',
    channel: input.channel,
    priority: input.priority,
    status: 'en_attente',
    eta_seconds: null,
    eta_p90_seconds: null,
    agent_id: null,
    counter_label: '',
    recall_count: 0,
    transferred_from: null,
    appointment_id: input.appointment?.id ?? null,
    appointment_at: input.appointment?.startsAt ?? null,
    remote: input.remote ? 1 : 0,
    held_at: null,
    created_at: now,
    called_at: null,
    started_at: null,
    ended_at: null,
    updated_at: now,
  };
  // The ETA promised at issuance is kept on the ticket (reports compare it with the real wait).
  // A walk-in is placed by counting before it is written (no sort of the whole line, no second write);
  // an appointment takes the full ordering once it is in.
  let eta: TicketEta | undefined;
  if (row.appointment_at === null) {
    eta = newcomerEtaIn(db, queueRow, row, now);
    row.eta_seconds = eta.etaSeconds;
    row.eta_p90_seconds = eta.etaP90Seconds;
  }
  db.insert('ticket', row);
  if (row.appointment_at !== null) {
    eta = queueEtas(db, queue.id, now).etas.get(row.id as TicketId);
    if (eta) {
      row.eta_seconds = eta.etaSeconds;
      row.eta_p90_seconds = eta.etaP90Seconds;
      db.run(qb.updateTable('ticket').set({ eta_seconds: eta.etaSeconds, eta_p90_seconds: eta.etaP90Seconds }).where('id', '=', row.id));
    }
  }
  journal(db, caller.actor, { type: 'ticket.created', before: null, after: row, data: { channel: row.channel } }, now);
  return toTicketDto({ ...row, queue_name: queue.name }, caller.origin, eta);
}

type Pending = Readonly<{ caller: Caller; input: IssueTicketInput; resolve: (dto: TicketDto) => void; reject: (error: unknown) => void }>;

/**
 * Group commit for the morning rush. Issue requests that arrive in the same turn of the event loop
 * share one transaction, hence one fsync, each in its own savepoint so a bad request fails alone.
 * **Important**: every caller is answered only after the shared COMMIT returned, so "answered 2xx"
 * still means "on disk". A lone request waits no longer than one `setImmediate`.
 */
export class TicketIssuer {
  readonly #deps: UseCaseDeps;
  #pending: Pending[] = [];
  #scheduled = false;

  constructor(deps: UseCaseDeps) {
    this.#deps = deps;
  }

  issue(caller: Caller, input: IssueTicketInput): Promise<TicketDto> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ caller, input, resolve, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  #flush(): void {
    this.#scheduled = false;
    const batch = this.#pending;
    this.#pending = [];
    const { db } = this.#deps;
    let outcomes: ({ ok: true; dto: TicketDto } | { ok: false; error: unknown })[];
    try {
      outcomes = db.tx(() => batch.map((item) => {
        try {
          return { ok: true as const, dto: db.savepoint(() => writeTicket(db, item.caller, item.input)) };
        } catch (error) {
          return { ok: false as const, error };
        }
      }));
    } catch (error) {
      // The COMMIT itself failed (disk full, I/O error): nothing of this batch exists.
      for (const item of batch) item.reject(error);
      return;
    }
    const events: DomainEvent[] = [];
    outcomes.forEach((outcome, i) => {
      const item = batch[i]!;
      if (outcome.ok) {
        events.push(...createdEvents(item.caller, outcome.dto));
        item.resolve(outcome.dto);
      } else {
        item.reject(outcome.error);
      }
    });
    this.#deps.events.publish(events);
  }
}
