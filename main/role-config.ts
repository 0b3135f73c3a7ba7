import { z } from 'zod';

/** The four jobs a branch PC can do; chosen once at first run (ARCHITECTURE §1). */
export const Role = z.enum(['server', 'agent', 'kiosk', 'display']);
export type Role = z.infer<typeof Role>;

/** A branch server's base URL: http(s), no path, query or credentials. */
export const ServerUrl = z.string().trim().transform((value, ctx) => {
  const normalized = normalizeServerUrl(value);
  if (!normalized) {
    ctx.addIssue({ code: 'custom', message: 'must be the address of a branch server, e.g. 192.168.1.10:8080 or http://branch.local:8080' });
    return z.NEVER;
  }
  return normalized;
});

/** PBKDF-style hash of the kiosk exit PIN (scrypt; see kiosk-exit.ts). */
export const PinHash = z.object({ salt: z.string().min(16), hash: z.string().min(32) }).strict();
export type PinHash = z.infer<typeof PinHash>;

const Common = {
  /** Feed of updates (electron-updater generic provider); null = the branch server's LAN mirror. */
  updateFeedUrl: z.url({ protocol: /^https?$/ }).nullable().default(null),
  startAtLogin: z.boolean().default(true),
};

/**
 * What is stored in the app's user data (`role.json`). Never holds a password or an access token;
 * a kiosk's or display's device key is the credential of that page and stays with it (URL fragment
 * on first load, then the page's own storage).
 */
export const RoleConfig = z.discriminatedUnion('role', [
  z.object({
    role: z.literal('server'), ...Common,
    /** Port the forked branch server listens on (LAN-visible). */
    port: z.number().int().min(1).max(65_535).default(8080),
    /** What this PC shows besides running the server. */
    console: z.enum(['manager', 'agent']).default('manager'),
  }).strict(),
  z.object({ role: z.literal('agent'), ...Common, serverUrl: ServerUrl }).strict(),
  z.object({
    role: z.literal('kiosk'), ...Common, serverUrl: ServerUrl,
    exitPin: PinHash,
    /** The device key obtained with the pairing code, handed to the page once (then kept by it). */
    deviceKey: z.string().min(16).nullable().default(null),
  }).strict(),
  z.object({
    role: z.literal('display'), ...Common, serverUrl: ServerUrl,
    displayId: z.string().min(1).max(64).regex(/^[A-Za-z0-9-]+$/),
    /** Electron's screen id of the monitor to fill; null = the primary one. */
    monitorId: z.number().int().nullable().default(null),
    exitPin: PinHash,
    deviceKey: z.string().min(16).nullable().default(null),
  }).strict(),
]);
export type RoleConfig = z.infer<typeof RoleConfig>;
export type RoleConfigInput = z.input<typeof RoleConfig>;

/** "192.168.1.10:8080", "branch.local", "http://x:8080/" → "http://x:8080" (origin only); else null. */
export function normalizeServerUrl(input: string): string | null {
  const text = input.trim();
  if (!text) return null;
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (url.username || url.password || url.search || url.hash) return null;
  if (url.pathname !== '/' && url.pathname !== '') return null;
  return url.origin;
}

/** The branch server this PC talks to: its own child for the server role. */
export function serverOrigin(config: RoleConfig): string {
  return config.role === 'server' ? `http://127.0.0.1:${config.port}` : config.serverUrl;
}

/** The page each role opens (UI routes of ARCHITECTURE §5). */
export function startUrl(config: RoleConfig): string {
  const origin = serverOrigin(config);
  switch (config.role) {
    case 'server':
      return `${origin}/${config.console}`;
    case 'agent':
      return `${origin}/agent`;
    case 'kiosk':
      return `${origin}/kiosk${config.deviceKey ? `#key=${encodeURIComponent(config.deviceKey)}` : ''}`;
    case 'display':
      return `${origin}/display/${encodeURIComponent(config.displayId)}${config.deviceKey ? `#key=${encodeURIComponent(config.deviceKey)}` : ''}`;
  }
}

/** Where electron-updater looks: the configured feed, else the branch server's LAN mirror. */
export function updateFeedUrl(config: RoleConfig): string | null {
  if (config.updateFeedUrl) return config.updateFeedUrl;
  // The server PC has no LAN mirror above it: without a configured feed it does not self-update.
  return config.role === 'server' ? null : `${config.serverUrl}/updates/`;
}
