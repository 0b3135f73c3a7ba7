export type LiveState = 'connecting' | 'live' | 'reconnecting' | 'closed';

type Message = { seq?: number; type?: string; event?: string } & Record<string, unknown>;

/**
 * A realtime channel that survives the LAN: snapshot on connect, events with `seq`; a gap asks for
 * a fresh snapshot; a dropped connection reconnects with backoff and jitter while the screen keeps
 * showing the last state. `onMessage` receives snapshots and events in order.
 */
export function openLive(options: Readonly<{
  url: string;
  onMessage: (message: Message) => void;
  onState?: (state: LiveState) => void;
  isSnapshot?: (message: Message) => boolean;
}>): { close(): void; send(message: unknown): void } {
  let socket: WebSocket | null = null;
  let lastSeq: number | null = null;
  let attempt = 0;
  let closed = false;
  let retry: ReturnType<typeof setTimeout> | null = null;
  let ping: ReturnType<typeof setInterval> | null = null;
  const isSnapshot = options.isSnapshot ?? ((m: Message) => m.type === 'connection' || m.event === 'queue.snapshot');

  const connect = () => {
    options.onState?.(attempt === 0 ? 'connecting' : 'reconnecting');
    const ws = new WebSocket(options.url);
    socket = ws;
    ws.onopen = () => {
      attempt = 0;
      ping = setInterval(() => ws.readyState === WebSocket.OPEN && ws.send(JSON.stringify({ type: 'ping' })), 20_000);
    };
    ws.onmessage = (event) => {
      let message: Message;
      try {
        message = JSON.parse(String(event.data)) as Message;
      } catch {
        return;
      }
      if (message.type === 'pong') return;
      if (isSnapshot(message)) {
        lastSeq = typeof message.seq === 'number' ? message.seq : null;
        options.onState?.('live');
        options.onMessage(message);
        return;
      }
      if (typeof message.seq === 'number' && lastSeq !== null && message.seq !== lastSeq + 1) {
        // A gap: something was missed. Ask for a fresh snapshot instead of showing a wrong screen.
        ws.send(JSON.stringify({ type: 'resync' }));
        return;
      }
      if (typeof message.seq === 'number') lastSeq = message.seq;
      options.onMessage(message);
    };
    ws.onclose = () => {
      if (ping) clearInterval(ping);
      if (closed) return;
      options.onState?.('reconnecting');
      attempt += 1;
      const delay = Math.min(10_000, 500 * 2 ** Math.min(attempt, 5)) * (0.75 + Math.random() * 0.5);
      retry = setTimeout(connect, delay);
    };
  };
  connect();
  return {
    close() {
      closed = true;
      if (retry) clearTimeout(retry);
      if (ping) clearInterval(ping);
      socket?.close();
      options.onState?.('closed');
    },
    send(message) {
      if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
    },
  };
}

/** ws:// or wss:// URL on this server for a channel path, with its credential in the query. */
export function liveUrl(path: string, credential: Readonly<{ token?: string; deviceKey?: string }> = {}): string {
  const url = new URL(path, window.location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  if (credential.token) url.searchParams.set('token', credential.token);
  if (credential.deviceKey) url.searchParams.set('device_key', credential.deviceKey);
  return url.toString();
}
