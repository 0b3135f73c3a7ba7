import { DomainError } from './errors.ts';

/** Ticket statuses, with SmartQueue v1's API values (they are part of the public contract). */
export const TICKET_STATUSES = ['en_attente', 'appele', 'en_service', 'pause', 'transfere', 'clos', 'no_show'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

/**
 * `expire` and `drop_remote` are the system's, never an agent's: a ticket never called is closed at
 * the day's end, and a remote ticket whose holder never checked in is dropped as a no-show.
 */
export const TICKET_ACTIONS = ['call', 'recall', 'start_service', 'close', 'transfer', 'pause', 'resume', 'no_show', 'expire', 'drop_remote'] as const;
export type TicketAction = (typeof TICKET_ACTIONS)[number];

/** Invariant: an agent holds at most one ticket in these statuses (`agent-has-active-ticket`). */
export const ACTIVE_STATUSES = ['appele', 'en_service'] as const satisfies readonly TicketStatus[];
export type ActiveStatus = (typeof ACTIVE_STATUSES)[number];

/** No action leaves these statuses. A transferred ticket ends here; the use-case issues a new one in the target queue. */
export const TERMINAL_STATUSES = ['clos', 'no_show', 'transfere'] as const satisfies readonly TicketStatus[];
export type TerminalStatus = (typeof TERMINAL_STATUSES)[number];

type Move = Readonly<{ from: readonly TicketStatus[]; to: TicketStatus }>;

const MOVES: Readonly<Record<TicketAction, Move>> = {
  call: { from: ['en_attente'], to: 'appele' },
  recall: { from: ['appele'], to: 'appele' },
  start_service: { from: ['appele'], to: 'en_service' },
  close: { from: ['appele', 'en_service'], to: 'clos' },
  pause: { from: ['appele', 'en_service'], to: 'pause' },
  resume: { from: ['pause'], to: 'en_service' },
  no_show: { from: ['appele'], to: 'no_show' },
  transfer: { from: ['en_attente', 'appele', 'en_service', 'pause'], to: 'transfere' },
  expire: { from: ['en_attente'], to: 'clos' },
  drop_remote: { from: ['en_attente'], to: 'no_show' },
};

/** The ws event each action publishes on the queue channel (SmartQueue v1 names). */
export const TICKET_EVENTS = {
  call: 'ticket.called',
  recall: 'ticket.recalled',
  start_service: 'ticket.service_started',
  close: 'ticket.closed',
  transfer: 'ticket.transferred',
  pause: 'ticket.paused',
  resume: 'ticket.resumed',
  no_show: 'ticket.no_show',
  expire: 'ticket.closed',
  drop_remote: 'ticket.no_show',
} as const satisfies Readonly<Record<TicketAction, string>>;

export const TICKET_CREATED_EVENT = 'ticket.created';

export type TicketEventName = (typeof TICKET_EVENTS)[TicketAction] | typeof TICKET_CREATED_EVENT;

const ACTION_VERBS: Readonly<Record<TicketAction, string>> = {
  call: 'call',
  recall: 'recall',
  start_service: 'start serving',
  close: 'close',
  transfer: 'transfer',
  pause: 'pause',
  resume: 'resume',
  no_show: 'mark as no-show',
  expire: 'expire',
  drop_remote: 'drop as a remote no-show',
};

export function isTicketStatus(value: string): value is TicketStatus {
  return (TICKET_STATUSES as readonly string[]).includes(value);
}

export function isActiveStatus(status: TicketStatus): status is ActiveStatus {
  return (ACTIVE_STATUSES as readonly TicketStatus[]).includes(status);
}

export function isTerminalStatus(status: TicketStatus): status is TerminalStatus {
  return (TERMINAL_STATUSES as readonly TicketStatus[]).includes(status);
}

export function canTransition(status: TicketStatus, action: TicketAction): boolean {
  return MOVES[action].from.includes(status);
}

/** The status after `action`; throws `illegal-transition` with `{from, action}` details when the move is not allowed. */
export function transition(status: TicketStatus, action: TicketAction): TicketStatus {
  const move = MOVES[action];
  if (!move.from.includes(status)) {
    throw new DomainError(
      'illegal-transition',
      `Cannot ${ACTION_VERBS[action]} a ticket in status '${status}' (allowed from: ${move.from.join(', ')}).`,
      { from: status, action },
    );
  }
  return move.to;
}
