import { z } from 'zod';
import { AgentStatus, IsoDateTime, NullableIso, QueueStatus, TicketStatus } from './common.ts';
import { PrinterAlert } from './printing.contract.ts';
import { PublicTicketDto, TicketDto } from './tickets.contract.ts';

/**
 * The realtime (ws) contract: same port as HTTP, one channel per connection, chosen by the path
 * (trailing slash optional). Browsers authenticate with `?token=<jwt>` or `?device_key=<key>`
 * (an `Authorization` header works too); the public channel needs neither. A refused upgrade gets
 * a plain HTTP answer (401/403/404 with `{detail, code}`) instead of `101 Switching Protocols`.
 *
 * Every connection first receives a snapshot, then events. Each event carries `seq`, which grows by
 * one per event of that channel; the snapshot carries the channel's current `seq`. A client that
 * sees a gap (`seq !== last + 1`) sends `{type: "resync"}` and receives a fresh snapshot.
 */
export const realtimePaths = {
  queue: '/ws/tenants/:slug/queues/:queue_id/',
  agent: '/ws/tenants/:slug/agents/:agent_id/',
  display: '/ws/tenants/:slug/displays/:display_id/',
  publicTicket: '/ws/public/tickets/:public_id/',
} as const;

/** Close codes the hub uses besides the standard ones (1001 going away, 1008 policy, 1013 try again later). */
export const realtimeCloseCodes = {
  goingAway: 1001,
  policyViolation: 1008,
  /** The client did not read fast enough: reconnect, then resync from the snapshot. */
  tooSlow: 1013,
  /** The session or device key was revoked, or the membership ended, while connected. */
  unauthorised: 4401,
  forbidden: 4403,
  /** The display (or agent profile) the channel follows no longer exists. */
  gone: 4404,
} as const;

const Seq = z.number().int().min(0);

// ─── client → server (every channel) ───────────────────────────────────────────────────────────

export const PingMessage = z.object({ type: z.literal('ping') }).strict();
export const ResyncMessage = z.object({ type: z.literal('resync') }).strict();
/**
 * Display channel only, from the display device: "I rendered this call and announced it" (`played`
 * false: shown, but no audio could play). A recall is another call (`recall_count`, default: the
 * ticket's current one). Recorded once per display and call; staff read them with
 * `GET tickets/{id}/display-acks/`. Nothing is sent back; a refused ack gets an `error` message.
 */
export const AckMessage = z.object({
  type: z.literal('ack'),
  ticket_id: z.string().max(64),
  recall_count: z.number().int().min(0).max(10_000).optional(),
  played: z.boolean().optional(),
}).strict();
export const ClientMessage = z.discriminatedUnion('type', [PingMessage, ResyncMessage, AckMessage]);
export type ClientMessage = z.infer<typeof ClientMessage>;

// ─── server → client, shared ───────────────────────────────────────────────────────────────────

export const PongMessage = z.object({ type: z.literal('pong') });
/** A refused client message; `code` is one of the domain error codes (as in HTTP error bodies). */
export const ErrorMessage = z.object({ type: z.literal('error'), code: z.string(), detail: z.string() });

// ─── queue channel: /ws/tenants/{slug}/queues/{queue_id}/ ──────────────────────────────────────
// Members with read:queue, or a device of the tenant with read-display or list-services. Devices get
// the same messages with customer details blanked (`customer_name`, `customer_phone`, `public_id`,
// `tracking_url` are '' and `customer` is null): a kiosk or TV key never reveals who waits.

export const TicketEventName = z.enum([
  'ticket.created', 'ticket.called', 'ticket.recalled', 'ticket.service_started', 'ticket.transferred',
  'ticket.closed', 'ticket.paused', 'ticket.resumed', 'ticket.no_show', 'ticket.checked_in',
]);

export const WaitingEta = z.object({
  ticket_id: z.string(),
  public_id: z.string(),
  number: z.string(),
  position: z.number().int().describe('1 = next to be called'),
  eta_seconds: z.number().int(),
  eta_p90_seconds: z.number().int(),
});

export const QueueSnapshotMessage = z.object({
  event: z.literal('queue.snapshot'),
  seq: Seq,
  queue_id: z.string(),
  queue_name: z.string(),
  queue_status: QueueStatus,
  /** Waiting tickets in call order (with position and ETA), then called, in-service and paused ones. */
  tickets: z.array(TicketDto),
});

export const QueueTicketEventMessage = z.object({
  event: TicketEventName,
  seq: Seq,
  queue_id: z.string(),
  ticket_id: z.string(),
  number: z.string(),
  status: TicketStatus,
  counter: z.string(),
  ticket: TicketDto,
  /** Why call-next chose this ticket (ticket.called), or `{target_queue_id, new_ticket_id}` (ticket.transferred). */
  explanation: z.unknown().optional(),
});

export const QueueEtasMessage = z.object({
  event: z.literal('queue.etas'),
  seq: Seq,
  queue_id: z.string(),
  waiting: z.array(WaitingEta),
});

/** A printer serving a kiosk of this queue needs staff (paper out, cover open…), or recovered. Staff channels only. */
export const QueuePrinterAlertMessage = z.object({
  event: z.literal('printer.alert'),
  seq: Seq,
  queue_id: z.string(),
  alert: PrinterAlert,
});

export const QueueChannelMessage = z.union([QueueSnapshotMessage, QueueTicketEventMessage, QueueEtasMessage, QueuePrinterAlertMessage, PongMessage, ErrorMessage]);
export type QueueChannelMessage = z.infer<typeof QueueChannelMessage>;

// ─── agents channel: /ws/tenants/{slug}/agents/{agent_id}/ (agent_id = the user id) ─────────────
// The agent themself, or a member with read:agent.

export const AgentStatusPayload = z.object({
  user_id: z.string(),
  status: AgentStatus,
  status_reason: z.string(),
  counter: z.string(),
  status_changed_at: IsoDateTime,
});

export const AgentConnectionMessage = z.object({
  type: z.literal('connection'),
  seq: Seq,
  agent_id: z.string(),
  payload: AgentStatusPayload,
  /** The called or in-service ticket the agent holds, if any. */
  active_ticket: TicketDto.nullable(),
});

export const AgentStatusUpdatedMessage = z.object({
  type: z.literal('status_updated'),
  seq: Seq,
  agent_id: z.string(),
  payload: AgentStatusPayload,
});

/** A scanner at this agent's counter read a ticket's QR or checked in an appointment: the desk opens that ticket's record. */
export const AgentOpenTicketMessage = z.object({
  type: z.literal('open_ticket'),
  seq: Seq,
  agent_id: z.string(),
  source: z.literal('scanner'),
  /** true when the scan checked in an appointment (the ticket was just created). */
  checked_in: z.boolean(),
  ticket: TicketDto,
});

export const AgentChannelMessage = z.discriminatedUnion('type', [AgentConnectionMessage, AgentStatusUpdatedMessage, AgentOpenTicketMessage, PongMessage, ErrorMessage]);
export type AgentChannelMessage = z.infer<typeof AgentChannelMessage>;

// ─── displays channel: /ws/tenants/{slug}/displays/{display_id}/ ───────────────────────────────
// Members with read:queue, or the display device bound to this display. A display shows the queues of
// its `queue_ids` (all queues of the tenant when empty). No customer details ever reach a display.

export const DisplayCall = z.object({
  ticket_id: z.string(),
  number: z.string(),
  status: TicketStatus,
  counter: z.string(),
  queue_id: z.string(),
  queue_name: z.string(),
  recall_count: z.number().int(),
  called_at: NullableIso,
});

export const DisplayQueue = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  status: QueueStatus,
  waiting_count: z.number().int(),
});

export const DisplayConnectionMessage = z.object({
  type: z.literal('connection'),
  seq: Seq,
  display: z.object({
    id: z.string(),
    name: z.string(),
    type: z.enum(['main', 'counter', 'waiting_room']),
    /** The queues shown (resolved: every queue of the tenant when the display lists none). */
    queue_ids: z.array(z.string()),
    languages: z.array(z.string()),
    layout: z.unknown(),
    theme: z.unknown(),
  }),
  queues: z.array(DisplayQueue),
  /** The last calls of its queues, newest first (at most 10). */
  recent_calls: z.array(DisplayCall),
});

/** A call to announce: show the number at the counter and speak it. `recall_count` > 0 on a recall. */
export const DisplayTicketCalledMessage = DisplayCall.extend({
  type: z.literal('ticket_called'),
  seq: Seq,
  event: z.enum(['ticket.called', 'ticket.recalled']),
  waiting_count: z.number().int().describe('tickets now waiting in that queue'),
});

export const DisplayTicketUpdatedMessage = DisplayCall.extend({
  type: z.literal('ticket_updated'),
  seq: Seq,
  event: TicketEventName,
  waiting_count: z.number().int().describe('tickets now waiting in that queue'),
});

/** The display's configuration changed: reload it (or send resync for a fresh `connection`). */
export const DisplayRefreshMessage = z.object({ type: z.literal('refresh'), seq: Seq });

export const DisplayChannelMessage = z.discriminatedUnion('type', [
  DisplayConnectionMessage, DisplayTicketCalledMessage, DisplayTicketUpdatedMessage, DisplayRefreshMessage, PongMessage, ErrorMessage,
]);
export type DisplayChannelMessage = z.infer<typeof DisplayChannelMessage>;

// ─── public ticket channel: /ws/public/tickets/{public_id}/ (no auth) ──────────────────────────
// The customer's phone page: the same view as GET /api/v1/public/tickets/{public_id}/, pushed again
// whenever it changes (status, counter, position, ETA), following transfers.

export const PublicConnectionMessage = z.object({ type: z.literal('connection'), seq: Seq, ticket: PublicTicketDto });
export const PublicTicketUpdatedMessage = z.object({ type: z.literal('ticket_updated'), seq: Seq, ticket: PublicTicketDto });

export const PublicChannelMessage = z.discriminatedUnion('type', [PublicConnectionMessage, PublicTicketUpdatedMessage, PongMessage, ErrorMessage]);
export type PublicChannelMessage = z.infer<typeof PublicChannelMessage>;
