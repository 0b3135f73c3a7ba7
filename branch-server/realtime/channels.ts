import type { WebSocket } from 'ws';
import type { z } from 'zod';
import type {
  AgentOpenTicketMessage, DisplayTicketCalledMessage, DisplayTicketUpdatedMessage, QueueEtasMessage, QueueTicketEventMessage,
} from '../contract/realtime.contract.ts';
import type { Db } from '../db/sqlite.ts';
import { findPublicTicket, type PublicTicketView } from '../db/repositories/tickets.repository.ts';
import type { Principal } from '../http/principal.ts';
import type { DomainEvent } from '../use-cases/events.ts';
import type { ChannelTarget } from './access.ts';
import type { ChannelRequest } from './paths.ts';
import { loadDisplayConfig, redactTicket, redactWaiting, waitingCount, type DisplayConfig } from './views.ts';

export type Client = {
  readonly ws: WebSocket;
  readonly request: ChannelRequest;
  principal: Principal;
  /** scheme://host the client connected to, for tracking links in snapshots. */
  readonly origin: string;
  channel: Channel | null;
  /** Answered the last ping (or sent something) since the last heartbeat. */
  alive: boolean;
  /** Messages received since the last heartbeat (display acks apart). */
  received: number;
  /** Display acks received since the last heartbeat. */
  acks: number;
  /** The channel's `calls` at the last heartbeat: calls shown since then may each be acknowledged. */
  callsAtBeat: number;
};

export type ChannelState =
  | Readonly<{ kind: 'queue'; tenantId: string; queueId: string; redacted: boolean }>
  | Readonly<{ kind: 'agent'; tenantId: string; agentId: string }>
  | { kind: 'display'; readonly tenantId: string; readonly displayId: string; config: DisplayConfig }
  | { kind: 'public'; readonly publicId: string; ticketId: string; view: PublicTicketView; viewJson: string };

/** One stream of events with its own `seq`; every client of a channel receives the same bytes. */
export type Channel = {
  readonly key: string;
  seq: number;
  /** Calls (ticket_called frames) sent on this channel, each of which a display acknowledges. */
  calls: number;
  readonly clients: Set<Client>;
  readonly state: ChannelState;
};

/** How the registry reaches clients: `send` never waits; `drop` ends a client whose channel is gone. */
export type Transport = Readonly<{
  send(client: Client, frame: Buffer): void;
  drop(client: Client, reason: string): void;
}>;
type Msg<S extends z.ZodType> = z.infer<S>;

/**
 * Subscribers indexed by channel, and domain events routed to channels. Each event is serialised
 * once per channel, whatever the number of clients; sending never waits for a client.
 */
export class ChannelRegistry {
  readonly #channels = new Map<string, Channel>();
  /** Display channels by queue shown, and displays showing every queue of a tenant. */
  readonly #displaysByQueue = new Map<string, Set<Channel>>();
  readonly #displaysOfAllQueues = new Map<string, Set<Channel>>();
  /** Public channels by the ticket they follow now (moves on transfer). */
  readonly #publicByTicket = new Map<string, Set<Channel>>();
  readonly #db: Db;
  readonly #now: () => number;
  readonly #transport: Transport;

  constructor(db: Db, now: () => number, transport: Transport) {
    this.#db = db;
    this.#now = now;
    this.#transport = transport;
  }

  get size(): number {
    return this.#channels.size;
  }

  /** Adds the client to the channel of `target`, creating it (and its indexes) on first use. Null when the target vanished. */
  join(client: Client, target: ChannelTarget): Channel | null {
    const key = channelKey(target);
    let channel = this.#channels.get(key);
    if (!channel) {
      const state = this.#initialState(target);
      if (!state) return null;
      channel = { key, seq: 0, calls: 0, clients: new Set(), state };
      this.#channels.set(key, channel);
      this.#index(channel);
    }
    channel.clients.add(client);
    client.channel = channel;
    client.callsAtBeat = channel.calls;
    return channel;
  }

  leave(client: Client): void {
    const channel = client.channel;
    if (!channel) return;
    client.channel = null;
    channel.clients.delete(client);
    if (channel.clients.size === 0) {
      this.#channels.delete(channel.key);
      this.#unindex(channel);
    }
  }

  /** Routes one committed change to the channels that show it. */
  publish(event: DomainEvent): void {
    switch (event.kind) {
      case 'ticket':
        this.#onTicket(event);
        break;
      case 'queue-etas':
        this.#onEtas(event);
        break;
      case 'agent': {
        const channel = this.#channels.get(`agent:${event.tenantId}:${event.agentId}`);
        if (channel) this.#broadcast(channel, (seq) => ({ type: 'status_updated', seq, agent_id: event.agentId, payload: event.payload }));
        break;
      }
      case 'agent-open-ticket': {
        const channel = this.#channels.get(`agent:${event.tenantId}:${event.agentId}`);
        if (channel) {
          this.#broadcast(channel, (seq): Msg<typeof AgentOpenTicketMessage> => ({
            type: 'open_ticket', seq, agent_id: event.agentId, source: event.source, checked_in: event.checkedIn, ticket: event.ticket,
          }));
        }
        break;
      }
      case 'display-refresh':
        this.#onDisplayRefresh(event.displayId);
        break;
      case 'printer-alert':
        this.#onPrinterAlert(event);
        break;
    }
  }

  /** Staff watching the queues of the kiosks a printer serves hear about it (agent desks, manager board). */
  #onPrinterAlert(event: Extract<DomainEvent, { kind: 'printer-alert' }>): void {
    const { kiosk_ids: kioskIds } = event.alert;
    if (kioskIds.length === 0) return;
    const rows = this.#db.raw<{ queue_ids: string }>(
      `SELECT queue_ids FROM kiosk WHERE tenant_id = ? AND id IN (${kioskIds.map(() => '?').join(', ')})`, event.tenantId, ...kioskIds,
    );
    const queueIds = new Set<string>();
    for (const row of rows) {
      try {
        for (const id of JSON.parse(row.queue_ids) as unknown[]) if (typeof id === 'string') queueIds.add(id);
      } catch {
        // an unreadable list names no queue
      }
    }
    for (const queueId of queueIds) {
      const staff = this.#channels.get(`queue:${queueId}`);
      if (staff) this.#broadcast(staff, (seq) => ({ event: 'printer.alert', seq, queue_id: queueId, alert: event.alert }));
    }
  }

  /** Refreshes a public channel's cached view (on connect and resync), so later diffs start from what the client saw. */
  currentPublicView(channel: Channel): PublicTicketView | null {
    if (channel.state.kind !== 'public') return null;
    const found = findPublicTicket(this.#db, channel.state.publicId, this.#now());
    if (!found) return null;
    this.#follow(channel, found.ticket.id, found.view);
    return found.view;
  }

  #initialState(target: ChannelTarget): ChannelState | null {
    switch (target.kind) {
      case 'queue':
      case 'agent':
        return target;
      case 'display': {
        const config = loadDisplayConfig(this.#db, target.tenantId, target.displayId);
        return config ? { kind: 'display', tenantId: target.tenantId, displayId: target.displayId, config } : null;
      }
      case 'public': {
        const found = findPublicTicket(this.#db, target.publicId, this.#now());
        return found ? { kind: 'public', publicId: target.publicId, ticketId: found.ticket.id, view: found.view, viewJson: JSON.stringify(found.view) } : null;
      }
    }
  }

  #index(channel: Channel): void {
    const { state } = channel;
    if (state.kind === 'display') {
      if (state.config.queues === 'all') addTo(this.#displaysOfAllQueues, state.tenantId, channel);
      else for (const q of state.config.queues) addTo(this.#displaysByQueue, q, channel);
    } else if (state.kind === 'public') {
      addTo(this.#publicByTicket, state.ticketId, channel);
    }
  }

  #unindex(channel: Channel): void {
    const { state } = channel;
    if (state.kind === 'display') {
      if (state.config.queues === 'all') removeFrom(this.#displaysOfAllQueues, state.tenantId, channel);
      else for (const q of state.config.queues) removeFrom(this.#displaysByQueue, q, channel);
    } else if (state.kind === 'public') {
      removeFrom(this.#publicByTicket, state.ticketId, channel);
    }
  }

  #broadcast(channel: Channel, build: (seq: number) => object): void {
    channel.seq += 1;
    const frame = Buffer.from(JSON.stringify(build(channel.seq)));
    for (const client of channel.clients) this.#transport.send(client, frame);
  }

  /**
   * One message to many channels (a call shown on every display of its queue, each display its own
   * channel): only `seq` differs between them, so the rest is serialised once and each channel's
   * frame is its seq spliced in front of it.
   */
  #broadcastToMany(channels: readonly Channel[], message: object): void {
    const rest = JSON.stringify(message).slice(1); // '"type":…}' (message is a non-empty object)
    for (const channel of channels) {
      channel.seq += 1;
      const frame = Buffer.from(`{"seq":${channel.seq},${rest}`);
      for (const client of channel.clients) this.#transport.send(client, frame);
    }
  }

  #onTicket(event: Extract<DomainEvent, { kind: 'ticket' }>): void {
    const { ticket } = event;
    const explanation = event.explanation === undefined ? {} : { explanation: event.explanation };
    const forQueue = (redacted: boolean) => (seq: number): Msg<typeof QueueTicketEventMessage> => ({
      event: event.event, seq, queue_id: event.queueId, ticket_id: ticket.id, number: ticket.number, status: ticket.status,
      counter: ticket.counter, ticket: redacted ? redactTicket(ticket) : ticket, ...explanation,
    });
    const staff = this.#channels.get(`queue:${event.queueId}`);
    if (staff) this.#broadcast(staff, forQueue(false));
    const devices = this.#channels.get(`queue:${event.queueId}:redacted`);
    if (devices) this.#broadcast(devices, forQueue(true));

    const displays = [...(this.#displaysByQueue.get(event.queueId) ?? []), ...(this.#displaysOfAllQueues.get(event.tenantId) ?? [])];
    if (displays.length > 0) {
      const call = {
        ticket_id: ticket.id, number: ticket.number, status: ticket.status, counter: ticket.counter, queue_id: event.queueId,
        queue_name: ticket.queue_name, recall_count: ticket.recall_count, called_at: ticket.called_at,
        waiting_count: waitingCount(this.#db, event.queueId),
      };
      const isCall = event.event === 'ticket.called' || event.event === 'ticket.recalled';
      const message: Omit<Msg<typeof DisplayTicketCalledMessage>, 'seq'> | Omit<Msg<typeof DisplayTicketUpdatedMessage>, 'seq'> = isCall
        ? { type: 'ticket_called', event: event.event as 'ticket.called' | 'ticket.recalled', ...call }
        : { type: 'ticket_updated', event: event.event, ...call };
      for (const channel of displays) if (isCall) channel.calls += 1;
      this.#broadcastToMany(displays, message);
    }

    const followers = this.#publicByTicket.get(ticket.id);
    if (followers) {
      for (const channel of [...followers]) {
        if (channel.state.kind !== 'public') continue;
        const found = findPublicTicket(this.#db, channel.state.publicId, this.#now());
        if (found) this.#updatePublic(channel, found.ticket.id, found.view);
      }
    }
  }

  /**
   * Whether a `queue-etas` push of this queue would reach anyone: a client on its staff or device
   * channel, or any tracking page (a ticket's page may follow a transfer into any queue).
   */
  watchesEtasOf(queueId: string): boolean {
    if (this.#publicByTicket.size > 0) return true;
    return (this.#channels.get(`queue:${queueId}`)?.clients.size ?? 0) > 0
      || (this.#channels.get(`queue:${queueId}:redacted`)?.clients.size ?? 0) > 0;
  }

  #onEtas(event: Extract<DomainEvent, { kind: 'queue-etas' }>): void {
    const forQueue = (redacted: boolean) => (seq: number): Msg<typeof QueueEtasMessage> => ({
      event: 'queue.etas', seq, queue_id: event.queueId, waiting: redacted ? redactWaiting(event.waiting) : [...event.waiting],
    });
    const staff = this.#channels.get(`queue:${event.queueId}`);
    if (staff) this.#broadcast(staff, forQueue(false));
    const devices = this.#channels.get(`queue:${event.queueId}:redacted`);
    if (devices) this.#broadcast(devices, forQueue(true));

    if (this.#publicByTicket.size === 0) return;
    for (const entry of event.waiting) {
      const followers = this.#publicByTicket.get(entry.ticket_id);
      if (!followers) continue;
      for (const channel of followers) {
        if (channel.state.kind !== 'public' || channel.state.view.status !== 'en_attente') continue;
        this.#updatePublic(channel, entry.ticket_id, {
          ...channel.state.view, position: entry.position, eta_seconds: entry.eta_seconds, eta_p90_seconds: entry.eta_p90_seconds,
        });
      }
    }
  }

  #onDisplayRefresh(displayId: string): void {
    const channel = this.#channels.get(`display:${displayId}`);
    if (!channel || channel.state.kind !== 'display') return;
    const config = loadDisplayConfig(this.#db, channel.state.tenantId, displayId);
    if (!config) {
      for (const client of [...channel.clients]) this.#transport.drop(client, 'Display deleted.');
      return;
    }
    this.#unindex(channel);
    channel.state.config = config;
    this.#index(channel);
    this.#broadcast(channel, (seq) => ({ type: 'refresh', seq }));
  }

  /** Sends the public view when it changed (status, counter, position or ETA), following a transfer to the new ticket. */
  #updatePublic(channel: Channel, ticketId: string, view: PublicTicketView): void {
    if (channel.state.kind !== 'public') return;
    const json = JSON.stringify(view);
    const changed = json !== channel.state.viewJson;
    this.#follow(channel, ticketId, view, json);
    if (changed) this.#broadcast(channel, (seq) => ({ type: 'ticket_updated', seq, ticket: view }));
  }

  #follow(channel: Channel, ticketId: string, view: PublicTicketView, json = JSON.stringify(view)): void {
    const state = channel.state;
    if (state.kind !== 'public') return;
    if (state.ticketId !== ticketId) {
      removeFrom(this.#publicByTicket, state.ticketId, channel);
      state.ticketId = ticketId;
      addTo(this.#publicByTicket, ticketId, channel);
    }
    state.view = view;
    state.viewJson = json;
  }
}

export function channelKey(target: ChannelTarget): string {
  switch (target.kind) {
    case 'queue':
      return target.redacted ? `queue:${target.queueId}:redacted` : `queue:${target.queueId}`;
    case 'agent':
      return `agent:${target.tenantId}:${target.agentId}`;
    case 'display':
      return `display:${target.displayId}`;
    case 'public':
      return `public:${target.publicId}`;
  }
}

function addTo<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  let set = map.get(key);
  if (!set) {
    set = new Set();
    map.set(key, set);
  }
  set.add(value);
}

function removeFrom<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  const set = map.get(key);
  if (!set) return;
  set.delete(value);
  if (set.size === 0) map.delete(key);
}
