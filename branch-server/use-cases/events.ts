import type { PrinterAlert, PrintJobDto } from '../contract/printing.contract.ts';
import type { TicketDto } from '../contract/tickets.contract.ts';

export type TicketEventName =
  | 'ticket.created' | 'ticket.called' | 'ticket.recalled' | 'ticket.service_started' | 'ticket.transferred'
  | 'ticket.closed' | 'ticket.paused' | 'ticket.resumed' | 'ticket.no_show' | 'ticket.checked_in';

/** What changed, published after the transaction commits. The realtime hub fans these out. */
export type DomainEvent =
  | Readonly<{ kind: 'ticket'; event: TicketEventName; tenantId: string; tenantSlug: string; queueId: string; ticket: TicketDto; explanation?: unknown }>
  | Readonly<{
      kind: 'queue-etas';
      tenantId: string;
      tenantSlug: string;
      queueId: string;
      waiting: ReadonlyArray<Readonly<{ ticket_id: string; public_id: string; number: string; position: number; eta_seconds: number; eta_p90_seconds: number }>>;
    }>
  | Readonly<{ kind: 'agent'; tenantId: string; tenantSlug: string; agentId: string; payload: unknown }>
  /** The waiting line of a queue changed: positions and ETAs are recomputed (once per queue per tick). */
  | Readonly<{ kind: 'queue-changed'; tenantId: string; tenantSlug: string; queueId: string }>
  | Readonly<{ kind: 'display-refresh'; tenantId: string; tenantSlug: string; displayId: string }>
  /** A printer cannot print, printed on its fallback, runs low on paper, or recovered (for kiosks and staff consoles). */
  | Readonly<{ kind: 'printer-alert'; tenantId: string; tenantSlug: string; alert: PrinterAlert }>
  /** A print job was queued or changed state (job history views; the job runner wakes up on 'pending'). */
  | Readonly<{ kind: 'print-job'; tenantId: string; tenantSlug: string; job: PrintJobDto }>
  /** The scanners or buttons of a print agent changed: the connected agent gets its new configuration. */
  | Readonly<{ kind: 'device-agent-config'; tenantId: string; tenantSlug: string; deviceId: string }>
  /** A scanner at an agent's counter read a ticket (or checked in its appointment): the desk opens its record. */
  | Readonly<{ kind: 'agent-open-ticket'; tenantId: string; tenantSlug: string; agentId: string; ticket: TicketDto; source: 'scanner'; checkedIn: boolean }>;

export interface EventSink {
  publish(events: readonly DomainEvent[]): void;
}

/**
 * In-process fan-out to any number of listeners (realtime hub, ETA refresher, print jobs…).
 * Delivery is deferred to the next turn of the event loop, in publication order: the caller's HTTP
 * answer goes out first, and 5,000 ws sends never delay the agent who pressed "call".
 */
export class EventBus implements EventSink {
  readonly #listeners = new Set<(event: DomainEvent) => void>();
  #pending: DomainEvent[] = [];
  #scheduled = false;

  subscribe(listener: (event: DomainEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #reportFailure: (message: string, error: unknown) => void = (message, error) => console.error(message, error);

  /** Where a failing listener is reported: the server's logger once it exists (stderr before). */
  reportFailuresTo(report: (message: string, error: unknown) => void): void {
    this.#reportFailure = report;
  }

  publish(events: readonly DomainEvent[]): void {
    if (events.length === 0) return;
    this.#pending.push(...events);
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => this.#flush());
    }
  }

  #flush(): void {
    this.#scheduled = false;
    const batch = this.#pending;
    this.#pending = [];
    for (const event of batch) {
      for (const listener of this.#listeners) {
        try {
          listener(event);
        } catch (error) {
          // A failing listener must never undo or block a committed change.
          this.#reportFailure('event listener failed', error);
        }
      }
    }
  }
}
