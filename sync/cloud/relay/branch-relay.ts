import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { gunzipSync, gzipSync } from 'node:zlib';
import { sql } from 'kysely';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { DomainError } from '../../../branch-server/domain/errors.ts';
import { RELAY_MAX_RESPONSE_BYTES, RELAY_PATH, RelayResponse, type RelayRequest } from '../../protocol/relay.ts';
import { resolveCloudPrincipal } from '../http/app.ts';
import type { CloudDeps } from '../http/context.ts';

export type RelayOptions = Readonly<{
  /** A branch has this long to answer one request (then 504). */
  timeoutMs: number;
  /** Ping to the branches and presence refresh; a holder silent for three of these is gone. */
  heartbeatMs: number;
  /** After a request timed out, the branch's socket must answer a ping within this long, or it is closed. */
  probeMs: number;
}>;

export const DEFAULT_RELAY_OPTIONS: RelayOptions = { timeoutMs: 10_000, heartbeatMs: 20_000, probeMs: 3_000 };

export type RelayAnswer = Readonly<{ status: number; body: unknown }>;

/** Why a relayed request got no answer from the branch. */
export class RelayFailure extends Error {
  constructor(readonly kind: 'offline' | 'timeout' | 'too-large') {
    super(kind);
  }
}

type Held = {
  ws: WebSocket; tenantId: string; deviceId: string; pending: Map<string, (answer: RelayAnswer | RelayFailure) => void>; alive: boolean;
  /** A ping sent after a timeout is waiting for its pong. */
  probing: boolean;
};

/** What crosses between cloud processes on the NOTIFY channel (gzipped JSON, base64: NOTIFY takes 8000 bytes). */
type Note =
  | Readonly<{ kind: 'request'; to: string; from: string; id: string; tenantId: string; siteId: string; request: Omit<RelayRequest, 'type' | 'id'> }>
  | Readonly<{ kind: 'answer'; to: string; id: string; answer: RelayAnswer | { failure: RelayFailure['kind'] } }>;

const CHANNEL = 'sq_public_relay';
const NOTIFY_MAX = 7900;

/**
 * The cloud's end of the public-page relay. Each enrolled branch holds one socket to one cloud
 * process; `relay_presence` says which. A request reaching another process is passed to the holder
 * with PostgreSQL NOTIFY and its answer comes back the same way, so any process can serve any
 * customer (the cloud stays stateless apart from the sockets themselves). Tenant and site come from
 * the device credential the socket was opened with, never from what the branch sends.
 */
export class BranchRelay {
  readonly instanceId = randomUUID();
  readonly #deps: CloudDeps;
  readonly #options: RelayOptions;
  readonly #wss = new WebSocketServer({ noServer: true, maxPayload: RELAY_MAX_RESPONSE_BYTES + 4096 });
  /** Sockets held here, by site. */
  readonly #held = new Map<string, Held>();
  /** Requests this process passed to another one, by id. */
  readonly #remote = new Map<string, (answer: RelayAnswer | RelayFailure) => void>();
  #unlisten: (() => Promise<void>) | null = null;
  #heartbeat: NodeJS.Timeout | null = null;

  constructor(deps: CloudDeps, options: Partial<RelayOptions> = {}) {
    this.#deps = deps;
    this.#options = { ...DEFAULT_RELAY_OPTIONS, ...options };
  }

  async start(server: Server): Promise<void> {
    this.#unlisten = await this.#deps.cloud.listen(CHANNEL, (payload) => this.#onNote(payload));
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (new URL(req.url ?? '/', 'http://cloud.invalid').pathname !== RELAY_PATH) {
        socket.destroy();
        return;
      }
      this.#accept(req, socket, head).catch(() => socket.destroy());
    });
    this.#heartbeat = setInterval(() => void this.#beat().catch(() => undefined), this.#options.heartbeatMs);
    this.#heartbeat.unref();
  }

  async close(): Promise<void> {
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    for (const [siteId, held] of this.#held) {
      held.ws.terminate();
      await this.#forget(siteId, held).catch(() => undefined);
    }
    this.#wss.close();
    await this.#unlisten?.().catch(() => undefined);
  }

  /** Whether some process holds this site's socket now (for the public page itself). */
  async connected(tenantId: string, siteId: string): Promise<boolean> {
    return this.#held.get(siteId)?.tenantId === tenantId || (await this.#holder(tenantId, siteId)) !== null;
  }

  /** One customer request to the branch of `siteId`; throws RelayFailure when no answer comes. */
  async forward(tenantId: string, siteId: string, request: Omit<RelayRequest, 'type' | 'id'>): Promise<RelayAnswer> {
    const id = randomUUID();
    const local = this.#held.get(siteId);
    if (local && local.tenantId === tenantId) return this.#send(local, id, request);
    const holder = await this.#holder(tenantId, siteId);
    if (!holder) throw new RelayFailure('offline');
    const answer = new Promise<RelayAnswer | RelayFailure>((resolve) => {
      const timer = setTimeout(() => {
        this.#remote.delete(id);
        resolve(new RelayFailure('timeout'));
      }, this.#options.timeoutMs + 1000);
      this.#remote.set(id, (value) => {
        clearTimeout(timer);
        this.#remote.delete(id);
        resolve(value);
      });
    });
    try {
      await this.#notify({ kind: 'request', to: holder, from: this.instanceId, id, tenantId, siteId, request });
    } catch (error) {
      this.#remote.get(id)?.(error instanceof RelayFailure ? error : new RelayFailure('offline'));
    }
    const result = await answer;
    if (result instanceof RelayFailure) throw result;
    return result;
  }

  async #holder(tenantId: string, siteId: string): Promise<string | null> {
    const fresh = this.#deps.now() - 3 * this.#options.heartbeatMs;
    const row = await this.#deps.cloud.db.selectFrom('relay_presence').select('instance_id')
      .where('site_id', '=', siteId).where('tenant_id', '=', tenantId).where('seen_at', '>', fresh)
      .executeTakeFirst();
    return row?.instance_id ?? null;
  }

  async #accept(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    let principal;
    try {
      principal = await resolveCloudPrincipal(this.#deps, req.headers.authorization, this.#deps.now());
    } catch (error) {
      refuse(socket, 401, error instanceof DomainError ? error.message : 'Sign in first.');
      return;
    }
    if (principal.kind !== 'device') {
      refuse(socket, 401, 'Only an enrolled branch may hold a relay socket.');
      return;
    }
    const { tenantId, siteId, deviceId } = principal;
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      const held: Held = { ws, tenantId, deviceId, pending: new Map(), alive: true, probing: false };
      const previous = this.#held.get(siteId);
      this.#held.set(siteId, held);
      previous?.ws.close(4000, 'replaced by a newer connection of this site');
      ws.on('pong', () => {
        held.alive = true;
      });
      ws.on('message', (data: RawData) => this.#onAnswer(held, data));
      ws.on('close', () => {
        for (const settle of held.pending.values()) settle(new RelayFailure('offline'));
        held.pending.clear();
        if (this.#held.get(siteId) === held) {
          this.#held.delete(siteId);
          void this.#forget(siteId, held).catch(() => undefined);
        }
      });
      const now = this.#deps.now();
      void this.#deps.cloud.db.insertInto('relay_presence')
        .values({ site_id: siteId, tenant_id: tenantId, device_id: deviceId, instance_id: this.instanceId, connected_at: now, seen_at: now })
        .onConflict((oc) => oc.column('site_id').doUpdateSet({ tenant_id: tenantId, device_id: deviceId, instance_id: this.instanceId, connected_at: now, seen_at: now }))
        .execute()
        .then(() => ws.readyState === WebSocket.OPEN && ws.send(JSON.stringify({ type: 'ready' })))
        .catch(() => ws.close(1011, 'presence not recorded'));
    });
  }

  async #forget(siteId: string, held: Held): Promise<void> {
    await this.#deps.cloud.db.deleteFrom('relay_presence')
      .where('site_id', '=', siteId).where('instance_id', '=', this.instanceId).where('device_id', '=', held.deviceId)
      .execute();
  }

  #send(held: Held, id: string, request: Omit<RelayRequest, 'type' | 'id'>): Promise<RelayAnswer> {
    return new Promise<RelayAnswer>((resolve, reject) => {
      const timer = setTimeout(() => {
        settle(new RelayFailure('timeout'));
        this.#probe(held);
      }, this.#options.timeoutMs);
      const settle = (answer: RelayAnswer | RelayFailure) => {
        clearTimeout(timer);
        held.pending.delete(id);
        if (answer instanceof RelayFailure) reject(answer);
        else resolve(answer);
      };
      held.pending.set(id, settle);
      const message: RelayRequest = { type: 'request', id, ...request };
      held.ws.send(JSON.stringify(message), (error) => {
        if (error) settle(new RelayFailure('offline'));
      });
    });
  }

  /**
   * A request timed out: the branch may be busy, or its link dead without TCP knowing yet (a cable
   * pulled, a router restarted). A live branch answers a ping at once whatever it is doing; a socket
   * that does not within `probeMs` is closed, so the site is offline (503 at once, presence dropped)
   * instead of every customer waiting for a 504 until the next heartbeats notice.
   */
  #probe(held: Held): void {
    if (held.probing || held.ws.readyState !== WebSocket.OPEN) return;
    held.probing = true;
    let answered = false;
    const onPong = () => {
      answered = true;
    };
    held.ws.once('pong', onPong);
    held.ws.ping();
    setTimeout(() => {
      held.probing = false;
      held.ws.off('pong', onPong);
      if (!answered) held.ws.terminate();
    }, this.#options.probeMs).unref();
  }

  /** Only an answer to a request sent on this very socket counts: a branch answers for itself alone. */
  #onAnswer(held: Held, data: RawData): void {
    let parsed;
    try {
      parsed = RelayResponse.safeParse(JSON.parse(String(data)));
    } catch {
      return;
    }
    if (!parsed.success) return;
    const settle = held.pending.get(parsed.data.id);
    if (!settle) return;
    const size = Buffer.byteLength(JSON.stringify(parsed.data.body ?? null));
    settle(size > RELAY_MAX_RESPONSE_BYTES ? new RelayFailure('too-large') : { status: parsed.data.status, body: parsed.data.body });
  }

  #onNote(payload: string): void {
    let note: Note;
    try {
      note = JSON.parse(gunzipSync(Buffer.from(payload, 'base64')).toString('utf8')) as Note;
    } catch {
      return;
    }
    if (note.to !== this.instanceId) return;
    if (note.kind === 'answer') {
      const settle = this.#remote.get(note.id);
      if (settle) settle('failure' in note.answer ? new RelayFailure(note.answer.failure) : note.answer);
      return;
    }
    const held = this.#held.get(note.siteId);
    const reply = (answer: RelayAnswer | { failure: RelayFailure['kind'] }) =>
      this.#notify({ kind: 'answer', to: note.from, id: note.id, answer }).catch(() =>
        // Too large for NOTIFY: the asker gets a clear failure instead of waiting for its timeout.
        this.#notify({ kind: 'answer', to: note.from, id: note.id, answer: { failure: 'too-large' } }).catch(() => undefined));
    if (!held || held.tenantId !== note.tenantId) {
      void reply({ failure: 'offline' });
      return;
    }
    this.#send(held, note.id, note.request).then(reply, (error: unknown) =>
      reply({ failure: error instanceof RelayFailure ? error.kind : 'offline' }));
  }

  async #notify(note: Note): Promise<void> {
    const payload = gzipSync(JSON.stringify(note)).toString('base64');
    if (payload.length > NOTIFY_MAX) throw new RelayFailure('too-large');
    await sql`SELECT pg_notify(${CHANNEL}, ${payload})`.execute(this.#deps.cloud.db);
  }

  /** Pings every socket, drops the silent ones, refreshes presence and drops a revoked branch. */
  async #beat(): Promise<void> {
    const now = this.#deps.now();
    for (const [siteId, held] of this.#held) {
      if (!held.alive) {
        held.ws.terminate();
        continue;
      }
      held.alive = false;
      held.ws.ping();
      const device = await this.#deps.cloud.db.selectFrom('device').select('revoked_at').where('id', '=', held.deviceId).executeTakeFirst();
      if (!device || device.revoked_at !== null) {
        held.ws.close(4001, 'device revoked');
        continue;
      }
      await this.#deps.cloud.db.updateTable('relay_presence').set({ seen_at: now })
        .where('site_id', '=', siteId).where('instance_id', '=', this.instanceId).execute();
    }
  }
}

function refuse(socket: Duplex, status: number, message: string): void {
  const body = JSON.stringify({ detail: message });
  socket.end(`HTTP/1.1 ${status} Unauthorized\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
}
