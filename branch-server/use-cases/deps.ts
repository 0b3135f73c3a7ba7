import type { Db } from '../db/sqlite.ts';
import type { Actor } from '../db/repositories/audit.repository.ts';
import type { EventSink } from './events.ts';

/** What a use-case needs: the database, the time, where to publish after commit, and who acts. */
export type UseCaseDeps = Readonly<{ db: Db; events: EventSink }>;

export type Caller = Readonly<{
  tenantId: string;
  tenantSlug: string;
  actor: Actor;
  /** Role in the tenant when a user acts; managers and admins may act on any agent's ticket. */
  role: 'admin' | 'manager' | 'agent' | null;
  now: number;
  origin: string;
}>;
