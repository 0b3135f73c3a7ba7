import { STATUS_CODES, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { ClientMessage, realtimeCloseCodes } from '../contract/realtime.contract.ts';
import { DomainError, ERROR_STATUS } from '../domain/errors.ts';
import type { AppDeps } from '../http/context.ts';
import { resolvePrincipal, type Principal } from '../http/principal.ts';
import type { EventBus } from '../use-cases/events.ts';
import { authoriseChannel, refreshPrincipal, type ChannelTarget } from './access.ts';
import { ChannelRegistry, channelKey, type Client } from './channels.ts';
import { AckRecorder } from './display-acks.ts';
import { DEFAULT_REALTIME_OPTIONS, type RealtimeOptions } from './options.ts';
import { credentialOf, matchChannel } from './paths.ts';
import { agentSnapshot, displaySnapshot, queueSnapshot } from './views.ts';
import type { DeviceAgentHub } from './device-agents.ts';
import { DEVICE_AGENT_PATH } from '../contract/device-agent.contract.ts';
import { reportFailure } from '../ops/logger.ts';

const ANONYMOUS: Principal = { kind: 'anonymous' };
/** After a close frame, how long a client may take to answer before its socket is destroyed. */
const CLOSE_GRACE_MS = 1_000;
/** Clients only send `{type: "ping"}`, `{type: "resync"}` and (displays) `{type: "ack", ticket_id}`. */
const MAX_CLIENT_PAYLOAD = 4 * 1024;

/**
 * The realtime hub: ws on the HTTP server's port (queue, agent, display and public ticket channels,
 * see `contract/realtime.contract.ts`). Upgrades are authorised before the handshake completes;
 * every client gets a snapshot, then the channel's events as `DomainEvent`s arrive after commits.
 */
export function attachRealtime(
  server: Server,
  deps: AppDeps,
  events: EventBus,
  options: Partial<RealtimeOptions> = {},
  deviceAgents?: DeviceAgentHub,
): { close(): Promise<void>; clientCount(): number; watchesEtasOf(queueId: string): boolean } {
  const opts: RealtimeOptions = { ...DEFAULT_REALTIME_OPTIONS, ...options };
  const { db } = deps;
  const wss = new WebSocketServer({ noServer: true, clientTracking: false, perMessageDeflate: false, maxPayload: MAX_CLIENT_PAYLOAD });
  const clients = new Set<Client>();
  const handshakes = new Set<Duplex>();
  let closing = false;

  /** Fire-and-forget: never awaited, and a client that cannot keep up is dropped instead of buffered. */
  const send = (client: Client, frame: Buffer): void => {
    const { ws } = client;
    if (ws.readyState !== WebSocket.OPEN) return;
    if (ws.bufferedAmount > opts.maxBufferedBytes) {
      drop(client, realtimeCloseCodes.tooSlow, 'Too slow: reconnect and resync.');
      return;
    }
    ws.send(frame, { binary: false });
  };
  const sendJson = (client: Client, message: object): void => send(client, Buffer.from(JSON.stringify(message)));

  const registry = new ChannelRegistry(db, deps.now, { send, drop: (client, reason) => drop(client, realtimeCloseCodes.gone, reason) });
  const acks = new AckRecorder(db, sendJson, deps.logger);

  /** Leaves the channel at once (no more frames are queued), asks the client to close, and destroys the socket if it does not. */
  function drop(client: Client, code: number, reason: string): void {
    registry.leave(client);
    const { ws } = client;
    if (ws.readyState === WebSocket.CLOSED) return;
    if (ws.readyState === WebSocket.OPEN) ws.close(code, reason);
    setTimeout(() => ws.terminate(), CLOSE_GRACE_MS).unref();
  }

  function sendSnapshot(client: Client): void {
    const channel = client.channel;
    if (!channel) return;
    const { state, seq } = channel;
    const now = deps.now();
    switch (state.kind) {
      case 'queue':
        sendJson(client, queueSnapshot(db, state.queueId, state.redacted, client.origin, now, seq));
        return;
      case 'agent': {
        const snapshot = agentSnapshot(db, state.tenantId, state.agentId, client.origin, now, seq);
        if (snapshot) sendJson(client, snapshot);
        else drop(client, realtimeCloseCodes.gone, 'Agent not found.');
        return;
      }
      case 'display':
        sendJson(client, displaySnapshot(db, state.config, now, seq));
        return;
      case 'public': {
        const view = registry.currentPublicView(channel);
        if (view) sendJson(client, { type: 'connection', seq, ticket: view });
        else drop(client, realtimeCloseCodes.gone, 'Ticket not found.');
        return;
      }
    }
  }

  function onMessage(client: Client, data: RawData, isBinary: boolean): void {
    client.alive = true;
    client.received += 1;
    if (client.received > opts.maxClientMessagesPerBeat) {
      drop(client, realtimeCloseCodes.policyViolation, 'Too many messages.');
      return;
    }
    let parsed: ReturnType<typeof ClientMessage.safeParse> | null = null;
    if (!isBinary) {
      try {
        parsed = ClientMessage.safeParse(JSON.parse(data.toString()));
      } catch {
        parsed = null;
      }
    }
    if (!parsed?.success) {
      sendJson(client, { type: 'error', code: 'validation-failed', detail: 'Send {"type":"ping"}, {"type":"resync"} or (a display) {"type":"ack","ticket_id":…}.' });
      return;
    }
    if (parsed.data.type === 'ping') {
      acks.flush(); // a pong confirms everything sent before the ping, acks included
      sendJson(client, { type: 'pong' });
    } else if (parsed.data.type === 'resync') sendSnapshot(client);
    else {
      // A display acknowledges every call it shows: in a rush that is far more than the chatter budget,
      // so acks are budgeted by the calls the channel sent since the last heartbeat (plus the usual
      // budget, for acks held back over a reconnect), not counted as chatter.
      client.received -= 1;
      client.acks += 1;
      const shown = (client.channel?.calls ?? 0) - client.callsAtBeat;
      if (client.acks > shown + opts.maxClientMessagesPerBeat) {
        drop(client, realtimeCloseCodes.policyViolation, 'Too many messages.');
        return;
      }
      acks.record(client, parsed.data, deps.now());
    }
  }

  function accept(ws: WebSocket, req: IncomingMessage, request: Client['request'], principal: Principal, target: ChannelTarget): void {
    const client: Client = {
      ws, request, principal, channel: null, alive: true, received: 0, acks: 0, callsAtBeat: 0,
      origin: deps.config.publicUrl ?? `http://${req.headers.host ?? 'localhost'}`,
    };
    ws.on('error', () => ws.terminate());
    ws.on('close', () => {
      clients.delete(client);
      registry.leave(client);
    });
    ws.on('pong', () => {
      client.alive = true;
    });
    ws.on('message', (data, isBinary) => onMessage(client, data, isBinary));
    clients.add(client);
    // Joining and the snapshot happen in the same tick: events are published synchronously after
    // each commit, so none can fall between the snapshot and the first event.
    if (!registry.join(client, target)) {
      drop(client, realtimeCloseCodes.gone, 'Not found.');
      return;
    }
    sendSnapshot(client);
  }

  async function onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    // Until ws takes the socket over, a reset must not become an uncaught 'error'.
    const onSocketError = () => socket.destroy();
    socket.on('error', onSocketError);
    if (closing) return refuse(socket, 503, { detail: 'The server is shutting down.', code: 'unavailable' });
    const url = URL.parse(req.url ?? '/', 'http://localhost');
    if (url && deviceAgents && isDeviceAgentPath(url.pathname)) return upgradeDeviceAgent(req, socket, head, url, deviceAgents, onSocketError);
    const request = url ? matchChannel(url.pathname) : null;
    if (!url || !request) return refuse(socket, 404, { detail: 'Not found.', code: 'not-found' });
    handshakes.add(socket);
    try {
      const now = deps.now();
      const principal = request.kind === 'public' ? ANONYMOUS : await resolvePrincipal(db, deps.tokens, credentialOf(req, url), now);
      const target = authoriseChannel(db, request, principal);
      if (closing || socket.destroyed) {
        socket.destroy();
        return;
      }
      socket.removeListener('error', onSocketError);
      wss.handleUpgrade(req, socket, head, (ws) => accept(ws, req, request, principal, target));
    } catch (error) {
      if (error instanceof DomainError) {
        const status = ERROR_STATUS[error.code];
        return refuse(socket, status, { detail: error.message, code: error.code }, status === 401 ? { 'WWW-Authenticate': 'Bearer' } : {});
      }
      reportFailure(deps.logger, 'realtime upgrade failed', error);
      refuse(socket, 500, { detail: 'Internal server error.', code: 'internal' });
    } finally {
      handshakes.delete(socket);
    }
  }

  /** A print agent's connection: only a paired `print_agent` device may open it. */
  async function upgradeDeviceAgent(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL, hub: DeviceAgentHub, onSocketError: () => void): Promise<void> {
    handshakes.add(socket);
    try {
      const principal = await resolvePrincipal(db, deps.tokens, credentialOf(req, url), deps.now());
      if (principal.kind === 'anonymous') throw new DomainError('not-authenticated', 'A print agent sends "Authorization: Device <key>".');
      if (principal.kind !== 'device' || principal.type !== 'print_agent') throw new DomainError('forbidden', 'Only a paired print agent may open this connection.');
      if (closing || socket.destroyed) {
        socket.destroy();
        return;
      }
      socket.removeListener('error', onSocketError);
      const origin = deps.config.publicUrl ?? `http://${req.headers.host ?? 'localhost'}`;
      wss.handleUpgrade(req, socket, head, (ws) => hub.accept(ws, principal, origin));
    } catch (error) {
      if (error instanceof DomainError) {
        const status = ERROR_STATUS[error.code];
        return refuse(socket, status, { detail: error.message, code: error.code }, status === 401 ? { 'WWW-Authenticate': 'Device' } : {});
      }
      reportFailure(deps.logger, 'device agent upgrade failed', error);
      refuse(socket, 500, { detail: 'Internal server error.', code: 'internal' });
    } finally {
      handshakes.delete(socket);
    }
  }

  /**
   * Heartbeat: drops clients that did not answer the previous ping, re-checks that each client may
   * still follow its channel (session or device key revoked, membership ended, display deleted), pings the rest.
   */
  function beat(): void {
    const now = deps.now();
    for (const client of clients) {
      if (!client.alive) {
        client.ws.terminate();
        continue;
      }
      // A dropped client is already closing; its socket is destroyed after the grace period.
      if (!client.channel) continue;
      client.alive = false;
      client.received = 0;
      client.acks = 0;
      client.callsAtBeat = client.channel.calls;
      if (client.request.kind !== 'public') {
        try {
          client.principal = refreshPrincipal(db, client.principal, now);
          const target = authoriseChannel(db, client.request, client.principal);
          if (channelKey(target) !== client.channel.key) throw new DomainError('forbidden', 'Access changed.');
        } catch (error) {
          const status = error instanceof DomainError ? ERROR_STATUS[error.code] : 500;
          const code = status === 401 ? realtimeCloseCodes.unauthorised : status === 404 ? realtimeCloseCodes.gone : realtimeCloseCodes.forbidden;
          drop(client, code, error instanceof DomainError ? error.message : 'Access check failed.');
          continue;
        }
      }
      client.ws.ping();
    }
  }

  const upgradeListener = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    onUpgrade(req, socket, head).catch((error: unknown) => {
      reportFailure(deps.logger, 'realtime upgrade failed', error);
      socket.destroy();
    });
  };
  server.on('upgrade', upgradeListener);
  const unsubscribe = events.subscribe((event) => registry.publish(event));
  const heartbeat = setInterval(beat, opts.heartbeatMs);
  heartbeat.unref();

  return {
    clientCount: () => clients.size,
    watchesEtasOf: (queueId) => registry.watchesEtasOf(queueId),
    async close() {
      if (closing) return;
      closing = true;
      clearInterval(heartbeat);
      acks.flush();
      unsubscribe();
      server.removeListener('upgrade', upgradeListener);
      for (const socket of handshakes) socket.destroy();
      await Promise.all([...clients].map((client) => new Promise<void>((resolve) => {
        if (client.ws.readyState === WebSocket.CLOSED) return resolve();
        // A referenced timer: shutdown waits for silent clients at most this long, and never forever.
        const timer = setTimeout(() => client.ws.terminate(), CLOSE_GRACE_MS);
        client.ws.once('close', () => {
          clearTimeout(timer);
          resolve();
        });
        drop(client, realtimeCloseCodes.goingAway, 'Server shutting down.');
      })));
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

function isDeviceAgentPath(pathname: string): boolean {
  return pathname === DEVICE_AGENT_PATH || pathname === DEVICE_AGENT_PATH.slice(0, -1);
}

/** Answers a refused upgrade with a plain HTTP response (the contract's `{detail, code}` body) and closes the socket. */
function refuse(socket: Duplex, status: number, body: Readonly<{ detail: string; code: string }>, headers: Record<string, string> = {}): void {
  if (socket.destroyed || !socket.writable) {
    socket.destroy();
    return;
  }
  const text = JSON.stringify(body);
  const lines = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}`,
    'Connection: close',
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(text)}`,
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ];
  socket.once('finish', () => socket.destroy());
  socket.end(`${lines.join('\r\n')}\r\n\r\n${text}`);
}
