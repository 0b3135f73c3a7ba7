import { createContext, useContext } from 'react';
import type { ApiClient } from '../shared/api.ts';
import type { Scope, SessionStore, StoredSession } from './session.ts';

export type Manager = Readonly<{
  api: ApiClient;
  session: StoredSession;
  store: SessionStore;
  tenant: string;
  /** Whether the signed-in member holds a scope (to hide what the server would refuse anyway). */
  can(scope: Scope): boolean;
}>;

const Ctx = createContext<Manager | null>(null);
export const ManagerProvider = Ctx.Provider;

export function useManager(): Manager {
  const value = useContext(Ctx);
  if (!value) throw new Error('useManager outside ManagerProvider');
  return value;
}
