import WebSocket from 'ws';
import { wallNow } from './lib.ts';

/**
 * Child process of `npm run bench`: holds many ws clients on one queue channel and reports, per
 * ticket, when each client received its `ticket.called` event (wall-clock ms, the same clock as the
 * parent's). Protocol (IPC):
 *   parent → { type: 'connect', url, count, parallel }   child → { type: 'connected', open, failed, firstError, ms }
 *   parent → { type: 'flush', ticketId }                 child → { type: 'arrivals', ticketId, times, missing }
 *   parent → { type: 'close' }                           child closes its clients and exits
 * The child also sends 'arrivals' by itself as soon as every open client has the event.
 */
export type WsChildRequest =
  | Readonly<{ type: 'connect'; url: string; count: number; parallel: number }>
  | Readonly<{ type: 'flush'; ticketId: string }>
  | Readonly<{ type: 'close' }>;

export type WsChildReport =
  | Readonly<{ type: 'connected'; open: number; failed: number; firstError: string | null; ms: number }>
  | Readonly<{ type: 'arrivals'; ticketId: string; times: number[]; missing: number }>
  | Readonly<{ type: 'dropped'; count: number; lastCode: number; lastReason: string }>;

const clients = new Set<WebSocket>();
const arrivals = new Map<string, number[]>();
let dropped = 0;
let closing = false;

const send = (message: WsChildReport) => process.send?.(message);

function onMessage(data: WebSocket.RawData, receivedAt: number): void {
  const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
  // Cheap filter first: only ticket.called matters; the receipt time was taken before any parsing.
  if (!buffer.includes('"ticket.called"')) return;
  let message: { event?: unknown; ticket_id?: unknown };
  try {
    message = JSON.parse(buffer.toString('utf8')) as typeof message;
  } catch {
    return;
  }
  if (message.event !== 'ticket.called' || typeof message.ticket_id !== 'string') return;
  const times = arrivals.get(message.ticket_id) ?? [];
  times.push(receivedAt);
  arrivals.set(message.ticket_id, times);
  if (times.length >= clients.size) flush(message.ticket_id);
}

function flush(ticketId: string): void {
  const times = arrivals.get(ticketId) ?? [];
  arrivals.delete(ticketId);
  send({ type: 'arrivals', ticketId, times, missing: Math.max(0, clients.size - times.length) });
}

/** Opens one client and resolves once its snapshot (first message) arrived, or with the refusal. */
function openClient(url: string): Promise<string | null> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url);
    let settled = false;
    const settle = (error: string | null) => {
      if (settled) return;
      settled = true;
      resolve(error);
    };
    ws.on('message', (data) => {
      const receivedAt = wallNow();
      if (!settled) {
        clients.add(ws);
        settle(null);
        return;
      }
      onMessage(data, receivedAt);
    });
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString('utf8')));
      res.on('end', () => settle(`upgrade refused: HTTP ${res.statusCode} ${body.slice(0, 200)}`));
    });
    ws.on('error', (error) => settle(`ws error: ${error.message}`));
    ws.on('close', (code, reason) => {
      const wasOpen = clients.delete(ws);
      settle(`closed before the snapshot: ${code} ${reason.toString()}`);
      if (wasOpen && !closing) {
        dropped += 1;
        send({ type: 'dropped', count: dropped, lastCode: code, lastReason: reason.toString() });
      }
    });
  });
}

async function connect(url: string, count: number, parallel: number): Promise<void> {
  const started = performance.now();
  let next = 0;
  let failed = 0;
  let firstError: string | null = null;
  const worker = async () => {
    while (next < count) {
      next += 1;
      const error = await openClient(url);
      if (error) {
        failed += 1;
        firstError ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, count) }, worker));
  send({ type: 'connected', open: clients.size, failed, firstError, ms: performance.now() - started });
}

process.on('message', (request: WsChildRequest) => {
  if (request.type === 'connect') {
    void connect(request.url, request.count, request.parallel);
  } else if (request.type === 'flush') {
    flush(request.ticketId);
  } else {
    closing = true;
    for (const ws of clients) ws.terminate();
    process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
