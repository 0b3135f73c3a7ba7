import { useCallback, useEffect, useMemo, useReducer, useState } from 'react';
import type { z } from 'zod';
import type { AgentDto, AgentStatusDto } from '../../branch-server/contract/members.contract.ts';
import type { PrinterAlert } from '../../branch-server/contract/printing.contract.ts';
import type { QueueDto } from '../../branch-server/contract/queues.contract.ts';
import type { AgentChannelMessage, QueueChannelMessage, WaitingEta } from '../../branch-server/contract/realtime.contract.ts';
import type { TicketDto } from '../../branch-server/contract/tickets.contract.ts';
import { ApiError } from '../shared/api.ts';
import { liveUrl, openLive, type LiveState } from '../shared/live.ts';
import { sessions, type Session } from './session.ts';

export type Ticket = TicketDto;
export type AgentStatus = z.infer<typeof AgentStatusDto>;

/** Why the engine chose a ticket (the figures behind `reason`, one English sentence). */
export type Explanation = Readonly<{
  policy?: string;
  reason?: string;
  waitedSeconds?: number;
  effectivePriority?: number;
  slaRatio?: number;
  appointment?: boolean;
  roundRobin?: unknown;
}>;

const TERMINAL = new Set(['clos', 'no_show', 'transfere']);
const ACTIVE = new Set(['appele', 'en_service']);

type Tickets = ReadonlyMap<string, Ticket>;
type TicketAction =
  | Readonly<{ type: 'snapshot'; queueId: string; tickets: readonly Ticket[] }>
  | Readonly<{ type: 'upsert'; ticket: Ticket }>
  | Readonly<{ type: 'etas'; queueId: string; waiting: readonly z.infer<typeof WaitingEta>[] }>;

/**
 * One map of the live tickets of the agent's queues (and of the agent's own tickets), fed by the
 * queue channels' snapshots and events and by the answers of the agent's own actions. The waiting
 * list, the current ticket and the tickets on hold are all views of it, so they never disagree.
 */
function ticketsReducer(state: Tickets, action: TicketAction): Tickets {
  const next = new Map(state);
  switch (action.type) {
    case 'snapshot':
      for (const [id, ticket] of state) if (ticket.queue === action.queueId) next.delete(id);
      for (const ticket of action.tickets) next.set(ticket.id, ticket);
      return next;
    case 'upsert':
      if (TERMINAL.has(action.ticket.status)) next.delete(action.ticket.id);
      else next.set(action.ticket.id, action.ticket);
      return next;
    case 'etas': {
      const byId = new Map(action.waiting.map((w) => [w.ticket_id, w]));
      for (const [id, ticket] of state) {
        if (ticket.queue !== action.queueId || ticket.status !== 'en_attente') continue;
        const eta = byId.get(id);
        if (eta) next.set(id, { ...ticket, position: eta.position, eta_seconds: eta.eta_seconds, eta_p90_seconds: eta.eta_p90_seconds });
      }
      return next;
    }
  }
}

export type Scanned = Readonly<{ ticket: Ticket; checkedIn: boolean; at: number }>;

export type DeskLoad =
  | Readonly<{ kind: 'loading' }>
  | Readonly<{ kind: 'no-profile' }>
  | Readonly<{ kind: 'error'; error: unknown }>
  | Readonly<{ kind: 'ready'; profile: AgentDto }>;

function combineLive(states: Readonly<Record<string, LiveState>>): LiveState {
  const values = Object.values(states);
  if (values.length === 0) return 'connecting';
  if (values.some((s) => s === 'reconnecting')) return 'reconnecting';
  if (values.some((s) => s === 'connecting')) return 'connecting';
  return values.every((s) => s === 'closed') ? 'closed' : 'live';
}

/** Everything the desk shows, live: profile, status, queues, tickets, and the engine's last explanation. */
export function useDesk(session: Session) {
  const userId = session.user.id;
  const slug = session.tenant ?? '';
  const [load, setLoad] = useState<DeskLoad>({ kind: 'loading' });
  const [queues, setQueues] = useState<readonly QueueDto[]>([]);
  const [status, setStatus] = useState<AgentStatus | null>(null);
  const [tickets, dispatch] = useReducer(ticketsReducer, new Map() as Tickets);
  const [explanations, setExplanations] = useState<ReadonlyMap<string, Explanation>>(new Map());
  const [live, setLive] = useState<Readonly<Record<string, LiveState>>>({});
  /** The latest alert of each printer of the agent's queues' kiosks; a recovery clears it. */
  const [printerAlerts, setPrinterAlerts] = useState<ReadonlyMap<string, PrinterAlert>>(new Map());
  /** The ticket a scanner at this counter just read (an appointment checked in, or a ticket's QR): its record is shown. */
  const [scanned, setScanned] = useState<Scanned | null>(null);

  const reload = useCallback(async () => {
    try {
      const [profile, list] = await Promise.all([
        sessions.call('myAgentProfile'),
        sessions.call('listQueues', { query: { page_size: 100 } }),
      ]);
      setQueues(list.results);
      setStatus({ user_id: profile.id, status: profile.status, status_reason: profile.status_reason, counter: profile.counter, status_changed_at: profile.status_changed_at });
      setLoad({ kind: 'ready', profile });
    } catch (error) {
      setLoad(error instanceof ApiError && error.status === 404 ? { kind: 'no-profile' } : { kind: 'error', error });
    }
  }, []);
  useEffect(() => {
    void reload();
  }, [reload]);

  const servedIds = load.kind === 'ready' ? load.profile.queue_ids : null;
  const servedKey = servedIds?.join(',') ?? '';

  // One channel per queue served plus the agent's own channel. They reopen with a fresh token after
  // a refresh, so a reconnection never presents an expired one.
  useEffect(() => {
    if (load.kind !== 'ready') return;
    const token = session.token;
    const channels = servedKey.split(',').filter(Boolean).map((queueId) => openLive({
      url: liveUrl(`/ws/tenants/${encodeURIComponent(slug)}/queues/${encodeURIComponent(queueId)}/`, { token }),
      onState: (state) => setLive((prev) => ({ ...prev, [`q:${queueId}`]: state })),
      onMessage: (raw) => {
        const message = raw as unknown as QueueChannelMessage;
        if (!('event' in message)) return;
        if (message.event === 'queue.snapshot') dispatch({ type: 'snapshot', queueId, tickets: message.tickets });
        else if (message.event === 'queue.etas') dispatch({ type: 'etas', queueId, waiting: message.waiting });
        else if (message.event === 'printer.alert') {
          const { alert } = message;
          setPrinterAlerts((prev) => {
            const next = new Map(prev);
            if (alert.condition === 'recovered') next.delete(alert.printer_id);
            else next.set(alert.printer_id, alert);
            return next;
          });
        } else if (message.event.startsWith('ticket.')) {
          dispatch({ type: 'upsert', ticket: message.ticket });
          if (message.event === 'ticket.called' && message.ticket.agent === userId && message.explanation) {
            const explanation = message.explanation as Explanation;
            setExplanations((prev) => new Map(prev).set(message.ticket_id, explanation));
          }
        }
      },
    }));
    const agent = openLive({
      url: liveUrl(`/ws/tenants/${encodeURIComponent(slug)}/agents/${encodeURIComponent(userId)}/`, { token }),
      onState: (state) => setLive((prev) => ({ ...prev, agent: state })),
      onMessage: (raw) => {
        const message = raw as unknown as AgentChannelMessage;
        if (message.type === 'connection') {
          setStatus(message.payload);
          if (message.active_ticket) dispatch({ type: 'upsert', ticket: message.active_ticket });
        } else if (message.type === 'status_updated') {
          setStatus(message.payload);
        } else if (message.type === 'open_ticket') {
          dispatch({ type: 'upsert', ticket: message.ticket });
          setScanned({ ticket: message.ticket, checkedIn: message.checked_in, at: Date.now() });
        }
      },
    });
    return () => {
      for (const channel of channels) channel.close();
      agent.close();
      setLive({});
    };
  }, [servedKey, load.kind, session.token, slug, userId]);

  const views = useMemo(() => {
    const all = [...tickets.values()];
    const mine = all.filter((t) => t.agent === userId);
    const current = mine.filter((t) => ACTIVE.has(t.status))
      .sort((a, b) => (b.called_at ?? '').localeCompare(a.called_at ?? ''))[0] ?? null;
    const held = mine.filter((t) => t.status === 'pause').sort((a, b) => a.created_at.localeCompare(b.created_at));
    const served = new Set(servedIds ?? []);
    const waiting = all.filter((t) => t.status === 'en_attente' && served.has(t.queue))
      .sort((a, b) => (a.eta_seconds ?? 0) - (b.eta_seconds ?? 0) || (a.position ?? 0) - (b.position ?? 0) || a.created_at.localeCompare(b.created_at));
    return { current, held, waiting };
  }, [tickets, userId, servedIds]);

  const upsert = useCallback((ticket: Ticket) => dispatch({ type: 'upsert', ticket }), []);
  const explain = useCallback((ticketId: string, explanation: Explanation) => {
    setExplanations((prev) => new Map(prev).set(ticketId, explanation));
  }, []);
  const setProfile = useCallback((profile: AgentDto) => setLoad({ kind: 'ready', profile }), []);

  return {
    load, reload, queues, status, setStatus, ...views, explanations, explain, upsert, setProfile,
    printerAlerts: [...printerAlerts.values()],
    dismissPrinterAlert: (printerId: string) => setPrinterAlerts((prev) => {
      const next = new Map(prev);
      next.delete(printerId);
      return next;
    }),
    scanned,
    dismissScanned: () => setScanned(null),
    live: combineLive(live),
  };
}

export type Desk = ReturnType<typeof useDesk>;
