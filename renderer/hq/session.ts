import type { z } from 'zod';
import type { HqTokenResponse, HqUserDto } from '../../sync/protocol/hq-auth.contract.ts';
import { createHqApi, type HqApi } from './api.ts';

export type HqSession = Readonly<{ token: string; refreshToken: string; user: HqUserDto; tenant: string | null }>;

const KEY = 'smartqueue.hq.session';

/**
 * The signed-in HQ user, kept in sessionStorage (closing the tab signs out). A 401 from any call
 * ends the session: the token expired or HQ revoked it.
 */
export class HqSessionStore {
  private session: HqSession | null = read();
  private listeners = new Set<() => void>();

  subscribe = (listener: () => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  get = () => this.session;

  private set(next: HqSession | null): void {
    this.session = next;
    try {
      if (next) sessionStorage.setItem(KEY, JSON.stringify(next));
      else sessionStorage.removeItem(KEY);
    } catch {
      // storage unavailable: the session lasts for this page
    }
    for (const l of this.listeners) l();
  }

  signedIn(answer: z.output<typeof HqTokenResponse>): void {
    // A super-admin picks among every tenant; anyone else with one membership goes straight in.
    const only = !answer.user.is_super_admin && answer.user.memberships.length === 1 ? answer.user.memberships[0]!.tenant : null;
    this.set({ token: answer.token, refreshToken: answer.refresh_token, user: answer.user, tenant: only });
  }

  chooseTenant(tenant: string | null): void {
    if (this.session) this.set({ ...this.session, tenant });
  }

  signOut(): void {
    this.set(null);
  }

  api(tenant: string | null): HqApi {
    return createHqApi({ tenant, token: () => this.session?.token ?? null, onUnauthorized: () => this.signOut() });
  }

  /** The caller's rights in the tenant: a super-admin holds them all. */
  rights(): ReadonlySet<'read' | 'manage' | 'admin'> {
    const s = this.session;
    if (!s) return new Set();
    if (s.user.is_super_admin) return new Set(['read', 'manage', 'admin']);
    return new Set(s.user.memberships.find((m) => m.tenant === s.tenant)?.rights ?? []);
  }
}

function read(): HqSession | null {
  try {
    const text = sessionStorage.getItem(KEY);
    return text ? (JSON.parse(text) as HqSession) : null;
  } catch {
    return null;
  }
}
