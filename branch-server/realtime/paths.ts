import type { IncomingMessage } from 'node:http';
import { UUID_PATTERN } from '../ids.ts';
import { parseAuthorization } from '../http/principal.ts';

/** What a ws URL asks for, before any authorisation. */
export type ChannelRequest =
  | Readonly<{ kind: 'queue'; slug: string; queueId: string }>
  | Readonly<{ kind: 'agent'; slug: string; agentId: string }>
  | Readonly<{ kind: 'display'; slug: string; displayId: string }>
  | Readonly<{ kind: 'public'; publicId: string }>;

const SLUG = '([a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?)';
const TENANT_CHANNEL = new RegExp(`^/ws/tenants/${SLUG}/(queues|agents|displays)/([^/]+)/?$`);
const PUBLIC_CHANNEL = /^\/ws\/public\/tickets\/([A-Za-z0-9_-]{16,64})\/?$/;

/** Matches the contract's paths (trailing slash optional); anything else, or an id that is not a UUID, is null (404). */
export function matchChannel(pathname: string): ChannelRequest | null {
  const pub = PUBLIC_CHANNEL.exec(pathname);
  if (pub) return { kind: 'public', publicId: pub[1]! };
  const m = TENANT_CHANNEL.exec(pathname);
  if (!m) return null;
  const [, slug = '', collection, id = ''] = m;
  if (!UUID_PATTERN.test(id)) return null;
  const queueOrAgentOrDisplay = id.toLowerCase();
  if (collection === 'queues') return { kind: 'queue', slug, queueId: queueOrAgentOrDisplay };
  if (collection === 'agents') return { kind: 'agent', slug, agentId: queueOrAgentOrDisplay };
  return { kind: 'display', slug, displayId: queueOrAgentOrDisplay };
}

/** `?token=` / `?device_key=` (browsers cannot set headers on a ws), else the `Authorization` header. */
export function credentialOf(req: IncomingMessage, url: URL): { jwt?: string; deviceKey?: string } {
  const deviceKey = url.searchParams.get('device_key');
  if (deviceKey) return { deviceKey };
  const jwt = url.searchParams.get('token');
  if (jwt) return { jwt };
  return parseAuthorization(req.headers.authorization);
}
