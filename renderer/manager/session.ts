import type { z } from 'zod';
import type { TokenResponse, UserDto } from '../../branch-server/contract/auth.contract.ts';
import { ApiError, createApi, type ApiClient } from '../shared/api.ts';

export type User = z.infer<typeof UserDto>;
export type Membership = User['memberships'][number];

export type StoredSession = Readonly<{
  token: string;
  refreshToken: string;
  /** Epoch ms when the access token was issued and when it stops working. */
  issuedAt: number;
  expiresAt: number;
  user: User;
  /** The tenant the console manages; null until chosen (a user may manage several). */
  tenant: string | null;
}>;

const STORAGE_KEY = 'smartqueue.manager.session';
/** Refresh this long before the access token expires, so a request never races the expiry. */
const REFRESH_MARGIN_MS = 60_000;

/** Only admins and managers use the console; an agent's membership does not count here. */
export function consoleMemberships(user: User): Membership[] {
  return user.memberships.filter((m) => m.role === 'admin' || m.role === 'manager');
}

function read(): StoredSession | null {
  try {
    const text = sessionStorage.getItem(STORAGE_KEY);
    return text ? (JSON.parse(text) as StoredSession) : null;
  } catch {
    return null;
  }
}

function write(session: StoredSession | null): void {
  try {
    if (session) sessionStorage.setItem(STORAGE_KEY, JSON.stringify(session));
    else sessionStorage.removeItem(STORAGE_KEY);
  } catch {
    // storage disabled: the session lasts as long as the page
  }
}

const anonymous = createApi({ tenant: null, credentials: () => ({ kind: 'none' }) });

function fromTokens(tokens: z.infer<typeof TokenResponse>, tenant: string | null, now: number): StoredSession {
  return { token: tokens.token, refreshToken: tokens.refresh_token, issuedAt: now, expiresAt: now + tokens.expires_in * 1000, user: tokens.user, tenant };
}

export type EndReason = 'logout' | 'expired';

/** The credentials are right but the account is only an agent's: the console is not for them. */
export class NoConsoleAccess extends Error {
  constructor() {
    super('This account has no admin or manager membership.');
    this.name = 'NoConsoleAccess';
  }
}

/**
 * The signed-in manager, kept in sessionStorage (closing the tab signs out). The access token is
 * refreshed shortly before it expires and on a 401; one refresh runs at a time because the refresh
 * token rotates (a second concurrent refresh would present a spent token and end the session).
 */
export class SessionStore {
  private current: StoredSession | null = read();
  private listeners = new Set<() => void>();
  private refreshing: Promise<boolean> | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** Why the last session ended, for the login screen. */
  endReason: EndReason | null = null;

  constructor() {
    this.schedule();
  }

  readonly get = (): StoredSession | null => this.current;

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  private set(session: StoredSession | null): void {
    this.current = session;
    write(session);
    this.schedule();
    for (const listener of this.listeners) listener();
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.current) return;
    // A short-lived token (a test server, a strict deployment) is refreshed at three quarters of its life.
    const margin = Math.min(REFRESH_MARGIN_MS, (this.current.expiresAt - this.current.issuedAt) / 4);
    const delay = Math.max(1_000, this.current.expiresAt - margin - Date.now());
    this.timer = setTimeout(() => void this.refresh(), Math.min(delay, 2_147_000_000));
  }

  /** Signs in; picks the tenant when the user manages exactly one; throws NoConsoleAccess for agents. */
  async login(email: string, password: string): Promise<StoredSession> {
    const tokens = await anonymous.call('login', { body: { email, password } });
    const usable = consoleMemberships(tokens.user);
    if (usable.length === 0) {
      // An agent's session has no use here: end it at once rather than leave it open in this tab.
      const api = createApi({ tenant: null, credentials: () => ({ kind: 'user', token: tokens.token }) });
      await api.call('logout').catch(() => undefined);
      throw new NoConsoleAccess();
    }
    const session = fromTokens(tokens, usable.length === 1 ? usable[0]!.tenant : null, Date.now());
    this.endReason = null;
    this.set(session);
    return session;
  }

  chooseTenant(tenant: string | null): void {
    if (this.current) this.set({ ...this.current, tenant });
  }

  /** Exchanges the refresh token for a new pair; false (and signed out) when the session is over. */
  refresh(): Promise<boolean> {
    if (this.refreshing) return this.refreshing;
    const session = this.current;
    if (!session) return Promise.resolve(false);
    this.refreshing = anonymous.call('refresh', { body: { refresh_token: session.refreshToken } })
      .then((tokens) => {
        // The user may have signed out while the request was in flight.
        if (this.current?.refreshToken !== session.refreshToken) return this.current !== null;
        this.set(fromTokens(tokens, session.tenant, Date.now()));
        return true;
      })
      .catch((error: unknown) => {
        if (error instanceof ApiError && (error.status === 401 || error.status === 400)) {
          this.end('expired');
          return false;
        }
        // Network trouble: keep the session and try again soon.
        this.timer = setTimeout(() => void this.refresh(), 10_000);
        return true;
      })
      .finally(() => {
        this.refreshing = null;
      });
    return this.refreshing;
  }

  end(reason: EndReason): void {
    this.endReason = reason;
    this.set(null);
  }

  async logout(): Promise<void> {
    const session = this.current;
    this.end('logout');
    if (!session) return;
    const api = createApi({ tenant: null, credentials: () => ({ kind: 'user', token: session.token }) });
    await api.call('logout').catch(() => undefined);
  }

  /** A client for the tenant that refreshes an expired token once and retries, then signs out. */
  api(tenant: string): ApiClient {
    const raw = createApi({
      tenant,
      credentials: () => (this.current ? { kind: 'user', token: this.current.token } : { kind: 'none' }),
    });
    const call: ApiClient['call'] = async (name, args) => {
      try {
        return await raw.call(name, args);
      } catch (error) {
        if (!(error instanceof ApiError) || error.status !== 401) throw error;
        if (await this.refresh()) return raw.call(name, args);
        throw error;
      }
    };
    return { tenant, call };
  }
}

/** The scopes the console looks at to show or hide actions (the server checks them again). */
export type Scope = 'manage:settings' | 'manage:queue' | 'manage:agent' | 'read:agent' | 'read:reports' | 'read:feedback' | 'send:notification';

export function scopesOf(session: StoredSession): ReadonlySet<string> {
  return new Set(session.user.memberships.find((m) => m.tenant === session.tenant)?.scopes ?? []);
}
