import { createContext, useContext } from 'react';
import type { RouteName } from '../../branch-server/contract/index.ts';
import type { ApiClient } from '../shared/api.ts';
import type { Scope, SessionStore, StoredSession } from './session.ts';

export type Manager = Readonly<{
  api: ApiClient;
  session: StoredSession;
  store: SessionStore;
  tenant: string;
  /** Whether the signed-in member holds a scope (to hide what the server would refuse anyway). */
  can(scope: Scope): boolean;
  /**
   * Whether HQ owns what this route changes here: the branch is enrolled in this tenant and the
   * contract marks the route `hqOwned` (the server answers 409; the change is made at HQ).
   */
  hqOwns(route: RouteName): boolean;
  /** The branch is enrolled in this tenant: services, queues, staff, templates and hours come from HQ. */
  hqManaged: boolean;
}>;

const Ctx = createContext<Manager | null>(null);
export const ManagerProvider = Ctx.Provider;

export function useManager(): Manager {
  const value = useContext(Ctx);
  if (!value) throw new Error('useManager outside ManagerProvider');
  return value;
}
