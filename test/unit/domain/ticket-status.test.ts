import { describe, expect, it } from 'vitest';
import {
  ACTIVE_STATUSES,
  TERMINAL_STATUSES,
  TICKET_ACTIONS,
  TICKET_CREATED_EVENT,
  TICKET_EVENTS,
  TICKET_STATUSES,
  canTransition,
  isActiveStatus,
  isTerminalStatus,
  isTicketStatus,
  transition,
  type TicketAction,
  type TicketStatus,
} from '../../../branch-server/domain/ticket-status.ts';
import { expectDomainError } from './expect-domain-error.ts';

const LEGAL: ReadonlyArray<readonly [TicketStatus, TicketAction, TicketStatus]> = [
  ['en_attente', 'call', 'appele'],
  ['appele', 'recall', 'appele'],
  ['appele', 'start_service', 'en_service'],
  ['appele', 'close', 'clos'],
  ['en_service', 'close', 'clos'],
  ['appele', 'pause', 'pause'],
  ['en_service', 'pause', 'pause'],
  ['pause', 'resume', 'en_service'],
  ['appele', 'no_show', 'no_show'],
  ['en_attente', 'transfer', 'transfere'],
  ['appele', 'transfer', 'transfere'],
  ['en_service', 'transfer', 'transfere'],
  ['pause', 'transfer', 'transfere'],
  ['en_attente', 'expire', 'clos'],
  ['en_attente', 'drop_remote', 'no_show'],
];

const isLegal = (from: TicketStatus, action: TicketAction): boolean =>
  LEGAL.some(([f, a]) => f === from && a === action);

const ILLEGAL = TICKET_STATUSES.flatMap((from) =>
  TICKET_ACTIONS.filter((action) => !isLegal(from, action)).map((action) => [from, action] as const),
);

describe('transition', () => {
  it.each(LEGAL)('moves a ticket from %s on %s to %s', (from, action, to) => {
    expect(transition(from, action)).toBe(to);
    expect(canTransition(from, action)).toBe(true);
  });

  it.each(ILLEGAL)('refuses to move a ticket in %s on %s', (from, action) => {
    expect(canTransition(from, action)).toBe(false);
    const error = expectDomainError(() => transition(from, action), 'illegal-transition');
    expect(error.details).toEqual({ from, action });
    expect(error.message).toContain(`'${from}'`);
  });

  it('covers every status and action pair exactly once across the legal and illegal tables', () => {
    expect(LEGAL.length + ILLEGAL.length).toBe(TICKET_STATUSES.length * TICKET_ACTIONS.length);
  });

  it('lets no action leave a terminal status', () => {
    for (const status of TERMINAL_STATUSES) {
      for (const action of TICKET_ACTIONS) expect(canTransition(status, action)).toBe(false);
    }
  });

  it('explains the refusal in a readable sentence', () => {
    expect(() => transition('clos', 'start_service')).toThrow(
      "Cannot start serving a ticket in status 'clos' (allowed from: appele).",
    );
  });
});

describe('status groups', () => {
  it('counts called and serving tickets as active for the one-ticket-per-agent rule', () => {
    expect([...ACTIVE_STATUSES]).toEqual(['appele', 'en_service']);
    expect(TICKET_STATUSES.filter(isActiveStatus)).toEqual(['appele', 'en_service']);
  });

  it('treats closed, no-show and transferred tickets as terminal', () => {
    expect([...TERMINAL_STATUSES]).toEqual(['clos', 'no_show', 'transfere']);
    expect(TICKET_STATUSES.filter(isTerminalStatus)).toEqual(['transfere', 'clos', 'no_show']);
  });

  it('recognises only the v1 status values', () => {
    expect(TICKET_STATUSES.every(isTicketStatus)).toBe(true);
    expect(isTicketStatus('waiting')).toBe(false);
  });
});

describe('ticket events', () => {
  it.each([
    ['call', 'ticket.called'],
    ['recall', 'ticket.recalled'],
    ['start_service', 'ticket.service_started'],
    ['close', 'ticket.closed'],
    ['transfer', 'ticket.transferred'],
    ['pause', 'ticket.paused'],
    ['resume', 'ticket.resumed'],
    ['no_show', 'ticket.no_show'],
  ] as const)('publishes %s as %s', (action, event) => {
    expect(TICKET_EVENTS[action]).toBe(event);
  });

  it('publishes ticket creation as ticket.created', () => {
    expect(TICKET_CREATED_EVENT).toBe('ticket.created');
  });
});
