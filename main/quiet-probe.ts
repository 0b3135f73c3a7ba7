import { z } from 'zod';
import { paginated } from '../branch-server/contract/common.ts';
import { AgentDto } from '../branch-server/contract/members.contract.ts';
import { TicketDto } from '../branch-server/contract/tickets.contract.ts';
import type { DeskSession } from './contract/shell-ipc.contract.ts';
import { HELD_STATUSES, type Activity } from './update-policy.ts';

class ProbeFailed extends Error {}

/**
 * Asks the branch server whether the agent signed in at this PC holds a ticket (called, in service or
 * paused), with the desk's own token (reported by the page, kept in memory only): `GET agents/me/` (the called or served ticket), then
 * `GET tickets/?agent=<me>&status=pause` (a customer on hold at the counter).
 */
export async function probeAgentDesk(origin: string, session: DeskSession | null, timeoutMs = 5_000): Promise<Activity> {
  // Nobody signed in at this desk: no customer can be at the counter.
  if (!session) return { state: 'quiet' };
  const base = `${origin}/api/v1/tenants/${session.tenant}`;
  const get = async <T extends z.ZodType>(path: string, schema: T): Promise<z.infer<T> | null> => {
    let res: Response;
    try {
      res = await fetch(`${base}${path}`, {
        headers: { authorization: `Bearer ${session.token}`, accept: 'application/json' },
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new ProbeFailed(`branch server unreachable: ${(error as Error).message}`);
    }
    // A member without an agent profile (a manager at this PC) serves nobody.
    if (res.status === 404) return null;
    if (res.status !== 200) throw new ProbeFailed(`branch server answered ${res.status}`);
    const parsed = schema.safeParse(await res.json().catch(() => null));
    if (!parsed.success) throw new ProbeFailed('unexpected answer from the branch server');
    return parsed.data;
  };
  try {
    const me = await get('/agents/me/', AgentDto);
    if (!me) return { state: 'quiet' };
    const held = new Set<string>();
    if (me.current_ticket && (HELD_STATUSES as readonly string[]).includes(me.current_ticket.status)) held.add(me.current_ticket.number);
    const paused = await get(`/tickets/?agent=${me.id}&status=pause&page_size=20`, paginated(TicketDto));
    for (const ticket of paused?.results ?? []) held.add(ticket.number);
    return held.size > 0 ? { state: 'busy', tickets: [...held] } : { state: 'quiet' };
  } catch (error) {
    if (error instanceof ProbeFailed) return { state: 'unknown', reason: error.message };
    throw error;
  }
}
