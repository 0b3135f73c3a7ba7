import type { z } from 'zod';
import type {
  DisplayCall, DisplayConnectionMessage, DisplayQueue, DisplayTicketCalledMessage, DisplayTicketUpdatedMessage, QueueSnapshotMessage,
  QueueEtasMessage, QueueTicketEventMessage,
} from '../../branch-server/contract/realtime.contract.ts';
import { Language as LanguageSchema } from '../../branch-server/contract/common.ts';

export type Language = z.infer<typeof LanguageSchema>;
const LANGUAGES: readonly Language[] = LanguageSchema.options;

export type Call = z.infer<typeof DisplayCall>;
export type QueueInfo = z.infer<typeof DisplayQueue>;
export type Connection = z.infer<typeof DisplayConnectionMessage>;
export type CalledMessage = z.infer<typeof DisplayTicketCalledMessage>;
export type UpdatedMessage = z.infer<typeof DisplayTicketUpdatedMessage>;
export type DisplayType = Connection['display']['type'];

/** What the layouts read from the display's `layout` object (anything else there is ignored). */
export type LayoutOptions = Readonly<{
  /** How many earlier calls the main screen lists (1–10, default 5). */
  recentCount: number;
  /** Counter screen: the counter label it stands above ("Guichet 4"); it shows and announces only that counter. */
  counter: string | null;
  /** Heading instead of the display's name. */
  title: string | null;
  showClock: boolean;
  /** false: calls are shown, never spoken. */
  sound: boolean;
}>;

export type DisplayState = Readonly<{
  display: Connection['display'] | null;
  languages: readonly Language[];
  layout: LayoutOptions;
  queues: readonly QueueInfo[];
  /** Newest first, one entry per ticket (its latest call). */
  calls: readonly Call[];
}>;

export const MAX_CALLS = 20;

export const initialState: DisplayState = {
  display: null, languages: ['fr'], layout: parseLayout({}), queues: [], calls: [],
};

export function parseLayout(raw: unknown): LayoutOptions {
  const o = raw && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
  const count = typeof o['recent_count'] === 'number' && Number.isFinite(o['recent_count']) ? Math.round(o['recent_count']) : 5;
  const text = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim().slice(0, 80) : null);
  return {
    recentCount: Math.min(10, Math.max(1, count)),
    counter: text(o['counter']),
    title: text(o['title']),
    showClock: o['show_clock'] !== false,
    sound: o['sound'] !== false,
  };
}

export function parseLanguages(raw: readonly string[]): Language[] {
  const known = raw.filter((l): l is Language => (LANGUAGES as readonly string[]).includes(l));
  return known.length > 0 ? [...new Set(known)] : ['fr'];
}

/** The same call again (a duplicate frame) has the same key; a recall has a new one. */
export const callKey = (call: Pick<Call, 'ticket_id' | 'recall_count'>) => `${call.ticket_id}:${call.recall_count}`;

function pick(message: Call): Call {
  const { ticket_id, number, status, counter, queue_id, queue_name, recall_count, called_at } = message;
  return { ticket_id, number, status, counter, queue_id, queue_name, recall_count, called_at };
}

function withWaiting(queues: readonly QueueInfo[], queueId: string, waiting: number): QueueInfo[] {
  return queues.map((q) => (q.id === queueId ? { ...q, waiting_count: waiting } : q));
}

export function applyConnection(message: Connection): DisplayState {
  return {
    display: message.display,
    languages: parseLanguages(message.display.languages),
    layout: parseLayout(message.display.layout),
    queues: message.queues,
    calls: message.recent_calls.slice(0, MAX_CALLS),
  };
}

/** A call (or recall) moves the ticket to the top of the list. */
export function applyCalled(state: DisplayState, message: CalledMessage): DisplayState {
  const call = pick(message);
  return {
    ...state,
    queues: withWaiting(state.queues, message.queue_id, message.waiting_count),
    calls: [call, ...state.calls.filter((c) => c.ticket_id !== call.ticket_id)].slice(0, MAX_CALLS),
  };
}

/** Any other change: the ticket keeps its place (served, closed, transferred), counts follow. */
export function applyUpdated(state: DisplayState, message: UpdatedMessage): DisplayState {
  return {
    ...state,
    queues: withWaiting(state.queues, message.queue_id, message.waiting_count),
    calls: state.calls.map((c) => (c.ticket_id === message.ticket_id ? { ...c, status: message.status, counter: message.counter || c.counter } : c)),
  };
}

/** Calls a counter screen cares about: those of its counter (every call when it names none). */
export function forCounter(calls: readonly Call[], counter: string | null): Call[] {
  if (counter === null) return [...calls];
  const wanted = counter.trim().toLowerCase();
  return calls.filter((c) => c.counter.trim().toLowerCase() === wanted);
}

/** The ticket each counter holds now (called or in service), counters in a natural order. */
export function counterBoard(calls: readonly Call[]): { counter: string; call: Call | null }[] {
  const seen = new Map<string, Call | null>();
  for (const call of calls) {
    if (!call.counter || seen.has(call.counter)) continue;
    seen.set(call.counter, call.status === 'appele' || call.status === 'en_service' ? call : null);
  }
  return [...seen.entries()]
    .sort(([a], [b]) => a.localeCompare(b, undefined, { numeric: true }))
    .map(([counter, call]) => ({ counter, call }));
}

// ─── waiting room: the queue channels' waiting lists ────────────────────────────────────────────

export type WaitingEntry = Readonly<{ ticket_id: string; number: string; position: number; eta_seconds: number | null }>;
type QueueMessage = z.infer<typeof QueueSnapshotMessage> | z.infer<typeof QueueTicketEventMessage> | z.infer<typeof QueueEtasMessage>;

const byPosition = (a: WaitingEntry, b: WaitingEntry) => a.position - b.position;

/** Folds a queue channel message into that queue's waiting list (in call order). */
export function applyQueueMessage(list: readonly WaitingEntry[], message: QueueMessage): WaitingEntry[] {
  if (message.event === 'queue.snapshot') {
    return message.tickets.filter((t) => t.status === 'en_attente')
      .map((t, i) => ({ ticket_id: t.id, number: t.number, position: t.position ?? i + 1, eta_seconds: t.eta_seconds }))
      .sort(byPosition);
  }
  if (message.event === 'queue.etas') {
    return message.waiting.map((w) => ({ ticket_id: w.ticket_id, number: w.number, position: w.position, eta_seconds: w.eta_seconds })).sort(byPosition);
  }
  const rest = list.filter((e) => e.ticket_id !== message.ticket_id);
  if (message.status !== 'en_attente') return rest;
  const t = message.ticket;
  return [...rest, { ticket_id: t.id, number: t.number, position: t.position ?? rest.length + 1, eta_seconds: t.eta_seconds }].sort(byPosition);
}
