import { z } from 'zod';

/**
 * The device-agent protocol: a print agent (a `print_agent` device, on a kiosk or counter PC) holds
 * one ws connection to `/ws/device-agent/` with `Authorization: Device <key>` (or `?device_key=`).
 * The branch server drives the printers attached to that PC through it — status (DLE EOT) and
 * print requests, answered by `result` — and the agent reports what its scanners and call buttons
 * read. Requests carry everything the agent needs (the printer's address, the rendered bytes): the
 * agent keeps no configuration of its printers, so a change in the console applies to the next job.
 *
 * **Important**: a print request carries the print job's id. The agent remembers the jobs it printed
 * (on disk) and answers a repeated request for one of them without printing again, so a job whose
 * answer was lost (agent killed, network cut) is never printed twice when the server sends it again.
 */
export const DEVICE_AGENT_PATH = '/ws/device-agent/';

const RequestId = z.string().min(1).max(64);
const Id = z.string().min(1).max(64);

export const AgentPrinterAddress = z.object({
  id: Id,
  name: z.string(),
  transport: z.enum(['network', 'serial', 'usb']),
  host: z.string().nullable(),
  port: z.number().int().nullable(),
  path: z.string().nullable(),
  baud_rate: z.number().int().nullable(),
  vendor_id: z.number().int().nullable(),
  product_id: z.number().int().nullable(),
});
export type AgentPrinterAddress = z.infer<typeof AgentPrinterAddress>;

export const AgentInputConfig = z.object({
  id: Id,
  name: z.string(),
  kind: z.enum(['scanner', 'button']),
  source: z.enum(['serial', 'hid']),
  path: z.string(),
  baud_rate: z.number().int().nullable(),
});
export type AgentInputConfig = z.infer<typeof AgentInputConfig>;

/** A printer's real-time status as the agent read it (see hardware/transports/printer-status.ts). */
export const WirePrinterStatus = z.object({
  state: z.enum(['ok', 'near-end', 'paper-out', 'cover-open', 'offline', 'unknown']),
  online: z.boolean().nullable(),
  paper: z.enum(['ok', 'near-end', 'out', 'unknown']),
  cover_open: z.boolean().nullable(),
  detail: z.string().max(500).nullable(),
});
export type WirePrinterStatus = z.infer<typeof WirePrinterStatus>;

// ─── server → agent ────────────────────────────────────────────────────────────────────────────

/** First message after the upgrade; `config` follows whenever the agent's inputs change. */
export const AgentWelcomeMessage = z.object({
  type: z.literal('welcome'),
  device_id: z.string(),
  name: z.string(),
  tenant_slug: z.string(),
  /** The server pings this often; an agent that hears nothing for twice as long reconnects. */
  heartbeat_ms: z.number().int().positive(),
  /** The branch server's printer timeouts: the agent uses them, so a request is answered before the server gives up on it. */
  timeouts: z.object({ connect_ms: z.number().int().positive(), write_ms: z.number().int().positive(), status_ms: z.number().int().positive() }),
  inputs: z.array(AgentInputConfig),
});
export const AgentConfigMessage = z.object({ type: z.literal('config'), inputs: z.array(AgentInputConfig) });
export const AgentStatusRequest = z.object({ type: z.literal('status'), id: RequestId, printer: AgentPrinterAddress });
export const AgentPrintRequest = z.object({
  type: z.literal('print'),
  id: RequestId,
  job_id: Id,
  printer: AgentPrinterAddress,
  /** The ESC/POS bytes, base64. */
  data: z.string(),
});
/** The job is over: the agent closes its connection to the printer (as the server does after each job). */
export const AgentReleaseRequest = z.object({ type: z.literal('release'), printer_id: Id });
export const AgentInputResultMessage = z.object({
  type: z.literal('input_result'),
  id: RequestId,
  ok: z.boolean(),
  /** A domain error code when refused (`no-ticket-waiting`, `invalid-reference`…). */
  code: z.string().nullable(),
  detail: z.string(),
  ticket_number: z.string().nullable(),
});
export const AgentServerMessage = z.discriminatedUnion('type', [
  AgentWelcomeMessage, AgentConfigMessage, AgentStatusRequest, AgentPrintRequest, AgentReleaseRequest, AgentInputResultMessage,
  z.object({ type: z.literal('pong') }),
  z.object({ type: z.literal('error'), code: z.string(), detail: z.string() }),
]);
export type AgentServerMessage = z.infer<typeof AgentServerMessage>;

// ─── agent → server ────────────────────────────────────────────────────────────────────────────

export const AgentResultMessage = z.discriminatedUnion('ok', [
  z.object({
    type: z.literal('result'),
    id: RequestId,
    ok: z.literal(true),
    status: WirePrinterStatus.optional(),
    /** A print request for a job this agent had already printed: nothing was printed this time. */
    duplicate: z.boolean().optional(),
  }).strict(),
  z.object({
    type: z.literal('result'),
    id: RequestId,
    ok: z.literal(false),
    /** A transport error code (connect-failed, write-timeout, device-not-found…). */
    code: z.string().max(64),
    message: z.string().max(1000),
  }).strict(),
]);
export const AgentInputMessage = z.discriminatedUnion('event', [
  z.object({ type: z.literal('input'), id: RequestId, input_id: Id, event: z.literal('scan'), text: z.string().min(1).max(512) }).strict(),
  z.object({ type: z.literal('input'), id: RequestId, input_id: Id, event: z.literal('press') }).strict(),
]);
/** The agent opened an input, or could not (shown in the console's device health). */
export const AgentInputStateMessage = z.object({
  type: z.literal('input_state'),
  input_id: Id,
  state: z.enum(['ok', 'error']),
  detail: z.string().max(500),
}).strict();
export const AgentClientMessage = z.union([
  AgentResultMessage, AgentInputMessage, AgentInputStateMessage, z.object({ type: z.literal('ping') }).strict(),
]);
export type AgentClientMessage = z.infer<typeof AgentClientMessage>;
