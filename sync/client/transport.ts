import { PROTOCOL_HEADER, SCHEMA_HEADER, SYNC_PROTOCOL_VERSION } from '../protocol/version.ts';

export type SyncRequest = Readonly<{ method: 'GET' | 'POST'; path: string; body?: unknown; token?: string }>;
export type SyncResponse = Readonly<{ status: number; body: unknown }>;

/**
 * How the sync client reaches the cloud: one request, one answer. Any HTTP status is an answer;
 * a network failure or a timeout throws. The simulation harness swaps in a transport that drops,
 * duplicates, delays and reorders.
 */
export type SyncTransport = (req: SyncRequest) => Promise<SyncResponse>;

export type HttpTransportOptions = Readonly<{
  /** The whole exchange (connect, send, read the body) must finish within this time. */
  timeoutMs: number;
  /** Sent in the schema header on every request (the branch's migration count). */
  schemaVersion?: number;
}>;

/** The real transport: fetch, JSON, the protocol and schema version headers on every request. */
export function httpTransport(baseUrl: string, options: HttpTransportOptions): SyncTransport {
  const base = baseUrl.replace(/\/+$/, '');
  return async (req) => {
    const headers: Record<string, string> = { [PROTOCOL_HEADER]: String(SYNC_PROTOCOL_VERSION), accept: 'application/json' };
    if (options.schemaVersion !== undefined) headers[SCHEMA_HEADER] = String(options.schemaVersion);
    if (req.body !== undefined) headers['content-type'] = 'application/json';
    if (req.token) headers['authorization'] = `Bearer ${req.token}`;
    const res = await fetch(`${base}${req.path}`, {
      method: req.method,
      headers,
      body: req.body === undefined ? null : JSON.stringify(req.body),
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    const text = await res.text();
    let body: unknown = null;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        // A proxy's HTML error page: keep the start of it for the error message.
        body = text.slice(0, 200);
      }
    }
    return { status: res.status, body };
  };
}
