import { z } from 'zod';

/**
 * The public-page relay: an enrolled branch keeps one outbound WebSocket to the cloud (it is behind
 * NAT; the cloud cannot call it), and the cloud passes a customer's request for the branch's public
 * page down that socket and the branch's answer back. Only the routes below cross it: the branch's
 * public booking and remote-join API and ticket tracking; nothing staff or device-facing.
 */
export const RELAY_PATH = '/sync/v1/relay';

/** A relayed request body (a join or a booking is well under 1 KiB). */
export const RELAY_MAX_REQUEST_BYTES = 16 * 1024;
/** A branch's answer (a site's service list); larger answers are refused as a bad gateway. */
export const RELAY_MAX_RESPONSE_BYTES = 256 * 1024;

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const SITE_ROUTES: readonly (readonly [method: 'GET' | 'POST', pattern: RegExp, query: readonly string[]])[] = [
  ['GET', new RegExp(`^/api/v1/public/sites/(${UUID})/$`, 'i'), []],
  ['GET', new RegExp(`^/api/v1/public/sites/(${UUID})/slots/$`, 'i'), ['service', 'date']],
  ['POST', new RegExp(`^/api/v1/public/sites/(${UUID})/join/$`, 'i'), []],
  ['POST', new RegExp(`^/api/v1/public/sites/(${UUID})/appointments/$`, 'i'), []],
  ['POST', new RegExp(`^/api/v1/public/sites/(${UUID})/appointments/manage/$`, 'i'), []],
];
const TICKET_ROUTE = /^\/api\/v1\/public\/tickets\/([A-Za-z0-9_-]{8,64})\/$/;

export type RelayedRoute = Readonly<{ kind: 'site'; siteId: string; path: string } | { kind: 'ticket'; publicId: string; path: string }>;

/**
 * Whether a request may cross the relay, and for which site or ticket; `path` is the canonical
 * path and query to forward (unknown query keys dropped). Both ends check: the cloud before it
 * forwards, the branch before it answers.
 */
export function relayedRoute(method: string, pathAndQuery: string): RelayedRoute | null {
  if (pathAndQuery.length > 512) return null;
  const url = new URL(pathAndQuery, 'http://relay.invalid');
  if (method === 'GET') {
    const ticket = TICKET_ROUTE.exec(url.pathname);
    if (ticket) return { kind: 'ticket', publicId: ticket[1]!, path: url.pathname };
  }
  for (const [m, pattern, keys] of SITE_ROUTES) {
    const match = m === method ? pattern.exec(url.pathname) : null;
    if (!match) continue;
    const query = new URLSearchParams();
    for (const key of keys) {
      const value = url.searchParams.get(key);
      if (value !== null) query.set(key, value.slice(0, 64));
    }
    const search = query.size > 0 ? `?${query.toString()}` : '';
    return { kind: 'site', siteId: match[1]!.toLowerCase(), path: `${url.pathname}${search}` };
  }
  return null;
}

/** Cloud → branch: one customer request. `client_ip` is the customer's address, for the branch's own limits. */
export const RelayRequest = z.object({
  type: z.literal('request'),
  id: z.string().uuid(),
  method: z.enum(['GET', 'POST']),
  path: z.string().max(512),
  body: z.unknown().optional(),
  client_ip: z.string().max(64),
});
export type RelayRequest = z.infer<typeof RelayRequest>;

/** Branch → cloud: the answer to one request, as the branch's HTTP pipeline gave it. */
export const RelayResponse = z.object({
  type: z.literal('response'),
  id: z.string().uuid(),
  status: z.number().int().min(100).max(599),
  body: z.unknown(),
});
export type RelayResponse = z.infer<typeof RelayResponse>;
