import { WebSocket, type ClientOptions } from 'ws';

export type Closed = Readonly<{ code: number; reason: string }>;
export type Refusal = Readonly<{ status: number; body: any }>;

/** ws URL of a channel on the test server, with optional query (token, device_key). */
export function wsUrl(httpUrl: string, path: string, query: Record<string, string> = {}): string {
  const url = new URL(path, httpUrl.replace(/^http/, 'ws'));
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  return url.toString();
}

/**
 * A real ws client that records every message, so a test can await "the next message matching…"
 * in arrival order without racing the socket.
 */
export class WsProbe {
  readonly ws: WebSocket;
  readonly messages: any[] = [];
  readonly closed: Promise<Closed>;
  #cursor = 0;
  #wake: (() => void) | null = null;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data) => {
      this.messages.push(JSON.parse(data.toString()));
      this.#wake?.();
    });
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => {
      resolve({ code, reason: reason.toString() });
      this.#wake?.();
    }));
  }

  /** Opens a connection; rejects with the HTTP status when the upgrade is refused. */
  static open(url: string, options: ClientOptions = {}): Promise<WsProbe> {
    const ws = new WebSocket(url, options);
    const probe = new WsProbe(ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(probe));
      ws.once('unexpected-response', (req, res) => {
        req.destroy();
        reject(new Error(`upgrade refused: ${res.statusCode}`));
      });
      ws.once('error', reject);
    });
  }

  /** Opens and waits for the connection's first message (the snapshot). */
  static async connect(url: string, options: ClientOptions = {}): Promise<{ probe: WsProbe; snapshot: any }> {
    const probe = await WsProbe.open(url, options);
    const snapshot = await probe.next();
    return { probe, snapshot };
  }

  /** The next message (after those already taken) that matches, waiting up to `timeoutMs`. */
  async next(match: (m: any) => boolean = () => true, timeoutMs = 3_000): Promise<any> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (let i = this.#cursor; i < this.messages.length; i += 1) {
        if (match(this.messages[i])) {
          this.#cursor = i + 1;
          return this.messages[i];
        }
      }
      this.#cursor = this.messages.length;
      const left = deadline - Date.now();
      if (left <= 0 || this.ws.readyState === WebSocket.CLOSED) {
        throw new Error(`no matching ws message within ${timeoutMs} ms; got ${JSON.stringify(this.messages.slice(-5)).slice(0, 800)}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#wake = () => {
          clearTimeout(timer);
          this.#wake = null;
          resolve();
        };
      });
    }
  }

  /** Messages that arrived and were not taken yet, without waiting. */
  pending(): any[] {
    return this.messages.slice(this.#cursor);
  }

  send(message: unknown): void {
    this.ws.send(JSON.stringify(message));
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    this.ws.close();
    await this.closed;
  }
}

/** Attempts an upgrade that the server must refuse: resolves with the HTTP status and JSON body it answered. */
export function refusal(url: string, options: ClientOptions = {}): Promise<Refusal> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, options);
    ws.once('open', () => {
      ws.terminate();
      reject(new Error(`expected a refusal, but ${url} opened`));
    });
    ws.once('unexpected-response', (_req, res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      res.on('end', () => {
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // not JSON: keep the text
        }
        resolve({ status: res.statusCode ?? 0, body });
      });
    });
    ws.once('error', () => undefined);
  });
}
