import { useSyncExternalStore } from 'react';
import type { z } from 'zod';
import type { TokenResponse, UserDto } from '../../branch-server/contract/auth.contract.ts';
import type { RouteName } from '../../branch-server/contract/index.ts';
import { ApiError, createApi, type CallArgs } from '../shared/api.ts';
import { reportDeskSession } from '../shared/shell.ts';

export type User = z.infer<typeof UserDto>;
type Tokens = z.infer<typeof TokenResponse>;

export type Session = Readonly<{
  token: string;
  refreshToken: string;
  /** Epoch ms when the access token stops working. */
  expiresAt: number;
  /** Lifetime of an access token in seconds, to schedule the next refresh. */
  ttlSeconds: number;
  user: User;
  /** The tenant (organisation) served, chosen when the user has several memberships. */
  tenant: string | null;
  /** True until the agent confirms their counter after signing in. */
  needsSetup: boolean;
}>;

/** Why the login page is shown: a notice to display there. */
export type SignedOutReason = 'ended' | 'logout' | null;

type State = Readonly<{ session: Session | null; reason: SignedOutReason }>;

const STORAGE_KEY = 'smartqueue.agent.session';

function read(): Session | null {
  try {
    const raw = sessionStorage.getItem(STORAGE_KEY);
    if (!raw) return null;
    const value = JSON.parse(raw) as Session;
    return typeof value.token === 'string' && typeof value.refreshToken === 'string' && value.user ? value : null;
  } catch {
    return null;
  }
}

/** Refresh this long before expiry: a minute, or a quarter of a short lifetime. */
function refreshDelay(session: Session, now: number): number {
  const margin = Math.min(60_000, (session.ttlSeconds * 1000) / 4);
  return Math.max(0, session.expiresAt - margin - now);
}

/**
 * The signed-in agent's session, kept in sessionStorage (it ends with the tab, survives a reload).
 * The access token is refreshed before it expires. **Important**: refresh tokens rotate and a reused
 * one revokes the whole session, so there is at most one refresh in flight.
 */
class SessionStore {
  #state: State = { session: read(), reason: null };
  #listeners = new Set<() => void>();
  #timer: ReturnType<typeof setTimeout> | null = null;
  #refreshing: Promise<Session | null> | null = null;

  constructor() {
    this.#schedule();
    this.#report();
  }

  /** The desktop app (if any) defers updates while this desk's agent holds a ticket. */
  #report() {
    const session = this.#state.session;
    reportDeskSession(session?.tenant ? { tenant: session.tenant, token: session.token } : null);
  }

  readonly subscribe = (listener: () => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  readonly get = (): State => this.#state;

  #set(session: Session | null, reason: SignedOutReason = null) {
    this.#state = { session, reason };
    try {
      if (session) sessionStorage.setItem(STORAGE_KEY, JSON.stringify(session));
      else sessionStorage.removeItem(STORAGE_KEY);
    } catch {
      // storage disabled: the session lasts for this page only
    }
    this.#schedule();
    this.#report();
    for (const listener of this.#listeners) listener();
  }

  #schedule() {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    const session = this.#state.session;
    if (!session) return;
    this.#timer = setTimeout(() => void this.refresh(), refreshDelay(session, Date.now()));
  }

  #fromTokens(tokens: Tokens, previous: Session | null): Session {
    const memberships = tokens.user.memberships;
    const kept = previous?.tenant && memberships.some((m) => m.tenant === previous.tenant) ? previous.tenant : null;
    return {
      token: tokens.token,
      refreshToken: tokens.refresh_token,
      expiresAt: Date.now() + tokens.expires_in * 1000,
      ttlSeconds: tokens.expires_in,
      user: tokens.user,
      tenant: kept ?? (memberships.length === 1 ? memberships[0]!.tenant : null),
      needsSetup: previous ? previous.needsSetup : true,
    };
  }

  async login(email: string, password: string): Promise<void> {
    const api = createApi({ tenant: null, credentials: () => ({ kind: 'none' }) });
    const tokens = await api.call('login', { body: { email, password } });
    this.#set(this.#fromTokens(tokens, null));
  }

  /** Exchanges the refresh token; on refusal the session is over and the login page says so. */
  refresh(): Promise<Session | null> {
    if (this.#refreshing) return this.#refreshing;
    const current = this.#state.session;
    if (!current) return Promise.resolve(null);
    const api = createApi({ tenant: null, credentials: () => ({ kind: 'none' }) });
    this.#refreshing = api.call('refresh', { body: { refresh_token: current.refreshToken } })
      .then((tokens) => {
        const next = this.#fromTokens(tokens, this.#state.session ?? current);
        this.#set(next);
        return next;
      })
      .catch((error: unknown) => {
        if (error instanceof ApiError && (error.status === 401 || error.status === 400)) {
          this.#set(null, 'ended');
          return null;
        }
        // Server unreachable: keep the session and try again shortly.
        if (this.#timer) clearTimeout(this.#timer);
        this.#timer = setTimeout(() => void this.refresh(), 5_000);
        return this.#state.session;
      })
      .finally(() => {
        this.#refreshing = null;
      });
    return this.#refreshing;
  }

  chooseTenant(tenant: string | null) {
    const session = this.#state.session;
    if (session) this.#set({ ...session, tenant, needsSetup: true });
  }

  setupDone() {
    const session = this.#state.session;
    if (session && session.needsSetup) this.#set({ ...session, needsSetup: false });
  }

  async logout(): Promise<void> {
    const session = this.#state.session;
    if (session) {
      const api = createApi({ tenant: null, credentials: () => ({ kind: 'user', token: session.token }) });
      await api.call('logout').catch(() => undefined);
    }
    this.#set(null, 'logout');
  }

  /** The typed API of the chosen tenant; a 401 refreshes the token once and retries. */
  async call<K extends RouteName>(name: K, args?: CallArgs<K>): ReturnType<typeof callOnce<K>> {
    const session = this.#state.session;
    if (!session) throw new ApiError(401, 'not-authenticated', 'Not signed in.');
    try {
      return await callOnce(session, name, args);
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 401) throw error;
      const renewed = await this.refresh();
      if (!renewed) throw error;
      return callOnce(renewed, name, args);
    }
  }
}

function callOnce<K extends RouteName>(session: Session, name: K, args?: CallArgs<K>) {
  return createApi({ tenant: session.tenant, credentials: () => ({ kind: 'user', token: session.token }) }).call(name, args);
}

export const sessions = new SessionStore();

export function useSession(): State {
  return useSyncExternalStore(sessions.subscribe, sessions.get);
}

/** The scopes the user holds in the chosen tenant. */
export function scopesOf(session: Session): readonly string[] {
  return session.user.memberships.find((m) => m.tenant === session.tenant)?.scopes ?? [];
}
