import { WebSocket, type RawData } from 'ws';
import {
  AgentClientMessage, type AgentInputConfig, type AgentServerMessage,
} from '../contract/device-agent.contract.ts';
import { realtimeCloseCodes } from '../contract/realtime.contract.ts';
import { qb, type Db } from '../db/sqlite.ts';
import { DomainError } from '../domain/errors.ts';
import type { DevicePrincipal } from '../http/principal.ts';
import { uuidv7 } from '../ids.ts';
import { handleDeviceInput, recordInputState } from '../use-cases/device-inputs.ts';
import type { EventBus } from '../use-cases/events.ts';
import { refreshPrincipal } from './access.ts';
import type { TransportTimeouts } from '../../hardware/transports/transport.ts';
import type { Logger } from 'pino';
import { reportFailure } from '../ops/logger.ts';

/** What a request to an agent came back with; a lost connection or a timeout rejects instead. */
export type AgentResult = Extract<AgentClientMessage, { type: 'result' }>;
export type AgentRequest = Extract<AgentServerMessage, { type: 'status' | 'print' }>;
type RequestBody = { [K in AgentRequest['type']]: Omit<Extract<AgentRequest, { type: K }>, 'id'> }[AgentRequest['type']];

/** Why a request got no answer: the agent is not connected (nothing was sent), or it went away / stayed silent after it was sent. */
export class AgentUnreachable extends Error {
  readonly sent: boolean;
  constructor(message: string, sent: boolean) {
    super(message);
    this.name = 'AgentUnreachable';
    this.sent = sent;
  }
}

type Pending = { resolve(result: AgentResult): void; reject(error: Error): void; timer: NodeJS.Timeout };

type Connection = {
  readonly ws: WebSocket;
  principal: DevicePrincipal;
  readonly name: string;
  readonly tenantSlug: string;
  readonly origin: string;
  alive: boolean;
  received: number;
  readonly pending: Map<string, Pending>;
};

export type DeviceAgentHubOptions = Readonly<{ heartbeatMs: number; maxMessagesPerBeat: number; printerTimeouts: TransportTimeouts; logger?: Logger }>;

/**
 * The print agents connected to this branch server (one connection per device). The job runner asks
 * them to read a printer's status and to print (`request`); they report scans and button presses,
 * which run as use-cases here. A device that connects again replaces its previous connection.
 */
export class DeviceAgentHub {
  readonly #db: Db;
  readonly #events: EventBus;
  readonly #now: () => number;
  readonly #options: DeviceAgentHubOptions;
  readonly #connections = new Map<string, Connection>();
  readonly #connectedListeners = new Set<(deviceId: string) => void>();
  readonly #heartbeat: NodeJS.Timeout;
  readonly #unsubscribe: () => void;

  constructor(db: Db, events: EventBus, now: () => number, options: DeviceAgentHubOptions) {
    this.#db = db;
    this.#events = events;
    this.#now = now;
    this.#options = options;
    this.#heartbeat = setInterval(() => this.#beat(), options.heartbeatMs);
    this.#heartbeat.unref();
    this.#unsubscribe = events.subscribe((event) => {
      if (event.kind === 'device-agent-config') this.#sendConfig(event.deviceId);
    });
  }

  isConnected(deviceId: string): boolean {
    return this.#connections.get(deviceId)?.ws.readyState === WebSocket.OPEN;
  }

  nameOf(deviceId: string): string {
    return this.#connections.get(deviceId)?.name
      ?? this.#db.first(qb.selectFrom('device').select('name').where('id', '=', deviceId))?.name ?? 'print agent';
  }

  /** Called with the device id each time an agent connects (the job runner then sends what waited for it). */
  onConnected(listener: (deviceId: string) => void): () => void {
    this.#connectedListeners.add(listener);
    return () => this.#connectedListeners.delete(listener);
  }

  /** Takes over an upgraded socket of an authorised print agent. */
  accept(ws: WebSocket, principal: DevicePrincipal, origin: string): void {
    const device = this.#db.first(qb.selectFrom('device').innerJoin('tenant', 'tenant.id', 'device.tenant_id')
      .select(['device.name', 'tenant.slug']).where('device.id', '=', principal.deviceId));
    const connection: Connection = {
      ws, principal, name: device?.name ?? 'print agent', tenantSlug: device?.slug ?? '', origin, alive: true, received: 0, pending: new Map(),
    };
    const previous = this.#connections.get(principal.deviceId);
    if (previous) this.#drop(previous, realtimeCloseCodes.goingAway, 'Replaced by a newer connection of this device.');
    this.#connections.set(principal.deviceId, connection);

    ws.on('error', () => ws.terminate());
    ws.on('pong', () => {
      connection.alive = true;
    });
    ws.on('message', (data, isBinary) => this.#onMessage(connection, data, isBinary));
    ws.on('close', () => this.#forget(connection, 'The print agent disconnected.'));

    this.#db.run(qb.updateTable('device').set({ last_seen_at: this.#now() }).where('id', '=', principal.deviceId));
    const printerTimeouts = this.#options.printerTimeouts;
    this.#send(connection, {
      type: 'welcome', device_id: principal.deviceId, name: connection.name, tenant_slug: connection.tenantSlug,
      heartbeat_ms: this.#options.heartbeatMs, inputs: this.#inputsOf(principal.deviceId),
      timeouts: { connect_ms: printerTimeouts.connectMs, write_ms: printerTimeouts.writeMs, status_ms: printerTimeouts.statusMs },
    });
    for (const listener of this.#connectedListeners) {
      try {
        listener(principal.deviceId);
      } catch (error) {
        reportFailure(this.#options.logger, 'device agent: connect listener failed', error);
      }
    }
  }

  /**
   * Sends a status or print request and waits for its `result`. Rejects with `AgentUnreachable`
   * when the agent is not connected (`sent` false: nothing happened) or when it disconnects or
   * stays silent for `timeoutMs` after the request left (`sent` true: it may have printed).
   */
  request(deviceId: string, body: RequestBody, timeoutMs: number): Promise<AgentResult> {
    const connection = this.#connections.get(deviceId);
    if (!connection || connection.ws.readyState !== WebSocket.OPEN) {
      return Promise.reject(new AgentUnreachable(`Print agent "${this.nameOf(deviceId)}" is not connected.`, false));
    }
    const id = uuidv7(this.#now());
    return new Promise<AgentResult>((resolve, reject) => {
      const timer = setTimeout(() => {
        connection.pending.delete(id);
        reject(new AgentUnreachable(`Print agent "${connection.name}" did not answer within ${timeoutMs} ms.`, true));
      }, timeoutMs);
      connection.pending.set(id, { resolve, reject, timer });
      this.#send(connection, { ...body, id } as AgentServerMessage);
    });
  }

  /** Fire and forget (a `release` after a job). */
  notify(deviceId: string, message: Extract<AgentServerMessage, { type: 'release' }>): void {
    const connection = this.#connections.get(deviceId);
    if (connection) this.#send(connection, message);
  }

  async close(): Promise<void> {
    clearInterval(this.#heartbeat);
    this.#unsubscribe();
    await Promise.all([...this.#connections.values()].map((connection) => new Promise<void>((resolve) => {
      if (connection.ws.readyState === WebSocket.CLOSED) return resolve();
      const timer = setTimeout(() => connection.ws.terminate(), 1000);
      connection.ws.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      this.#drop(connection, realtimeCloseCodes.goingAway, 'Server shutting down.');
    })));
  }

  #send(connection: Connection, message: AgentServerMessage): void {
    if (connection.ws.readyState === WebSocket.OPEN) connection.ws.send(JSON.stringify(message));
  }

  #drop(connection: Connection, code: number, reason: string): void {
    this.#forget(connection, reason);
    if (connection.ws.readyState === WebSocket.OPEN) connection.ws.close(code, reason);
    setTimeout(() => connection.ws.terminate(), 1000).unref();
  }

  /** The connection is gone: whatever waited for an answer hears so now, not at its timeout. */
  #forget(connection: Connection, reason: string): void {
    if (this.#connections.get(connection.principal.deviceId) === connection) this.#connections.delete(connection.principal.deviceId);
    for (const [id, pending] of connection.pending) {
      clearTimeout(pending.timer);
      pending.reject(new AgentUnreachable(`${reason} (print agent "${connection.name}")`, true));
      connection.pending.delete(id);
    }
  }

  #onMessage(connection: Connection, data: RawData, isBinary: boolean): void {
    connection.alive = true;
    connection.received += 1;
    if (connection.received > this.#options.maxMessagesPerBeat) {
      this.#drop(connection, realtimeCloseCodes.policyViolation, 'Too many messages.');
      return;
    }
    let parsed: ReturnType<typeof AgentClientMessage.safeParse> | null = null;
    if (!isBinary) {
      try {
        parsed = AgentClientMessage.safeParse(JSON.parse(data.toString()));
      } catch {
        parsed = null;
      }
    }
    if (!parsed?.success) {
      this.#send(connection, { type: 'error', code: 'validation-failed', detail: 'Not a device-agent message (see contract/device-agent.contract.ts).' });
      return;
    }
    const message = parsed.data;
    switch (message.type) {
      case 'ping':
        this.#send(connection, { type: 'pong' });
        return;
      case 'result': {
        const pending = connection.pending.get(message.id);
        if (!pending) return; // answered after its timeout: the job already moved on
        connection.pending.delete(message.id);
        clearTimeout(pending.timer);
        pending.resolve(message);
        return;
      }
      case 'input_state':
        try {
          recordInputState(this.#db, connection.principal, message, this.#now());
        } catch (error) {
          reportFailure(this.#options.logger, 'device agent: recording an input state failed', error);
        }
        return;
      case 'input': {
        // A failure here must never escape the ws handler (it would take the server down): answer it.
        let answer: Omit<Extract<AgentServerMessage, { type: 'input_result' }>, 'type' | 'id'>;
        try {
          answer = handleDeviceInput(
            { db: this.#db, events: this.#events },
            { device: connection.principal, tenantSlug: connection.tenantSlug, origin: connection.origin, now: this.#now() },
            message,
          );
        } catch (error) {
          reportFailure(this.#options.logger, 'device agent: input failed', error);
          answer = { ok: false, code: 'internal', detail: 'The branch server could not handle this input.', ticket_number: null };
        }
        this.#send(connection, { type: 'input_result', id: message.id, ...answer });
        return;
      }
    }
  }

  #inputsOf(deviceId: string): AgentInputConfig[] {
    return this.#db.all(qb.selectFrom('device_input').select(['id', 'name', 'kind', 'source', 'path', 'baud_rate'])
      .where('device_id', '=', deviceId).orderBy('id'));
  }

  #sendConfig(deviceId: string): void {
    const connection = this.#connections.get(deviceId);
    if (connection) this.#send(connection, { type: 'config', inputs: this.#inputsOf(deviceId) });
  }

  /** Drops agents that missed a ping and agents whose key was revoked; pings the rest. */
  #beat(): void {
    const now = this.#now();
    for (const connection of [...this.#connections.values()]) {
      if (!connection.alive) {
        this.#forget(connection, 'The print agent stopped answering.');
        connection.ws.terminate();
        continue;
      }
      connection.alive = false;
      connection.received = 0;
      try {
        const principal = refreshPrincipal(this.#db, connection.principal, now);
        if (principal.kind !== 'device' || principal.type !== 'print_agent') throw new DomainError('forbidden', 'No longer a print agent.');
        connection.principal = principal;
      } catch (error) {
        const revoked = error instanceof DomainError && error.code === 'device-revoked';
        this.#drop(connection, revoked ? realtimeCloseCodes.unauthorised : realtimeCloseCodes.forbidden, error instanceof Error ? error.message : 'Access check failed.');
        continue;
      }
      this.#db.run(qb.updateTable('device').set({ last_seen_at: now }).where('id', '=', connection.principal.deviceId));
      connection.ws.ping();
    }
  }
}
