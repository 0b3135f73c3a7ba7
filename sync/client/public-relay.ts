import { request as httpRequest } from 'node:http';
import { WebSocket, type RawData } from 'ws';
import { PROTOCOL_HEADER, SYNC_PROTOCOL_VERSION } from '../protocol/version.ts';
import { RELAY_MAX_REQUEST_BYTES, RELAY_MAX_RESPONSE_BYTES, RELAY_PATH, RelayRequest, relayedRoute, type RelayResponse } from '../protocol/relay.ts';

export type PublicRelayOptions = Readonly<{
  cloudUrl: string;
  /** This branch's site (from its enrollment): it answers for no other. */
  siteId: string;
  /** A device access token (the sync client's); `fresh` when the cloud refused the last one. */
  token: (fresh: boolean) => Promise<string>;
  /** This branch server's own HTTP address, where relayed requests are answered. */
  localUrl: string;
  /** Reconnect backoff: base and cap (ms), with full jitter. */
  backoffBaseMs?: number;
  backoffCapMs?: number;
  /** How long the local answer may take (the cloud gives up a little later). */
  localTimeoutMs?: number;
  onState?: (state: 'connected' | 'disconnected') => void;
}>;

/**
 * The branch's end of the public-page relay (sync/protocol/relay.ts): one outbound WebSocket to the
 * cloud, opened with the device's access token and reopened with backoff when it drops. Each
 * request from the cloud is answered by this branch server's own HTTP pipeline on loopback, with
 * the customer's address in X-Forwarded-For (trusted from loopback only), so the branch's
 * validation, limits per address and per phone, and errors are exactly those of its LAN page.
 */
export class PublicRelay {
  readonly #options: PublicRelayOptions;
  #ws: WebSocket | null = null;
  #timer: NodeJS.Timeout | null = null;
  #failures = 0;
  #running = false;
  #refused = false;

  constructor(options: PublicRelayOptions) {
    this.#options = options;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    void this.#connect();
  }

  stop(): void {
    this.#running = false;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#ws?.terminate();
    this.#ws = null;
  }

  async #connect(): Promise<void> {
    if (!this.#running) return;
    let token: string;
    try {
      token = await this.#options.token(this.#refused);
    } catch {
      this.#retry();
      return;
    }
    if (!this.#running) return;
    const url = `${this.#options.cloudUrl.replace(/^http/, 'ws')}${RELAY_PATH}`;
    const ws = new WebSocket(url, {
      headers: { authorization: `Bearer ${token}`, [PROTOCOL_HEADER]: String(SYNC_PROTOCOL_VERSION) },
      maxPayload: RELAY_MAX_REQUEST_BYTES + 4096,
      handshakeTimeout: 15_000,
    });
    this.#ws = ws;
    let silence: NodeJS.Timeout | null = null;
    // The cloud pings every 20 s; a link silent for much longer is dead even if TCP has not noticed.
    const watch = () => {
      if (silence) clearTimeout(silence);
      silence = setTimeout(() => ws.terminate(), 70_000);
      silence.unref();
    };
    ws.on('unexpected-response', (_req, res) => {
      this.#refused = res.statusCode === 401;
      ws.terminate();
    });
    ws.on('open', () => {
      this.#failures = 0;
      this.#refused = false;
      watch();
    });
    ws.on('ping', watch);
    ws.on('message', (data: RawData) => {
      let message: unknown;
      try {
        message = JSON.parse(String(data));
      } catch {
        return;
      }
      if ((message as { type?: unknown }).type === 'ready') {
        this.#options.onState?.('connected');
        return;
      }
      const parsed = RelayRequest.safeParse(message);
      if (!parsed.success) return;
      void this.#answer(parsed.data).then((answer) => {
        if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(answer));
      });
    });
    ws.on('error', () => undefined);
    ws.on('close', () => {
      if (silence) clearTimeout(silence);
      if (this.#ws === ws) this.#ws = null;
      this.#options.onState?.('disconnected');
      this.#retry();
    });
  }

  #retry(): void {
    if (!this.#running) return;
    const base = this.#options.backoffBaseMs ?? 1000;
    const cap = this.#options.backoffCapMs ?? 60_000;
    const delay = Math.round(Math.random() * Math.min(cap, base * 2 ** Math.min(this.#failures, 16)));
    this.#failures += 1;
    this.#timer = setTimeout(() => void this.#connect(), Math.max(delay, 100));
    this.#timer.unref();
  }

  /** Answers one request through the local pipeline; only the relayed public routes of this site. */
  async #answer(req: RelayRequest): Promise<RelayResponse> {
    const route = relayedRoute(req.method, req.path);
    if (!route || (route.kind === 'site' && route.siteId !== this.#options.siteId.toLowerCase())) {
      return { type: 'response', id: req.id, status: 404, body: { detail: 'Not found.', code: 'not-found' } };
    }
    try {
      const { status, body } = await localCall(this.#options.localUrl, req.method, route.path, req.body, req.client_ip, this.#options.localTimeoutMs ?? 8000);
      return { type: 'response', id: req.id, status, body };
    } catch {
      return { type: 'response', id: req.id, status: 502, body: { detail: 'The branch could not answer.', code: 'bad-gateway' } };
    }
  }
}

function localCall(base: string, method: string, path: string, body: unknown, clientIp: string, timeoutMs: number): Promise<{ status: number; body: unknown }> {
  const payload = body === undefined ? null : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = httpRequest(new URL(path, base), {
      method,
      headers: {
        accept: 'application/json',
        'x-forwarded-for': clientIp,
        ...(payload === null ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
      },
      timeout: timeoutMs,
    }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > RELAY_MAX_RESPONSE_BYTES) {
          req.destroy(new Error('answer too large'));
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        try {
          resolve({ status: res.statusCode ?? 502, body: text ? JSON.parse(text) : null });
        } catch {
          reject(new Error('not JSON'));
        }
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(payload ?? undefined);
  });
}
