import type { TicketStatus } from '../branch-server/domain/ticket-status.ts';
import type { Role } from './role-config.ts';

/**
 * What the branch server says about work at this PC right now:
 * - `busy`: a ticket is called, in service or paused here (server role: anywhere in the branch,
 *   since restarting the server interrupts every counter);
 * - `quiet`: nothing in progress;
 * - `unknown`: the server could not be asked (unreachable, no answer).
 */
export type Activity =
  | Readonly<{ state: 'busy'; tickets: readonly string[] }>
  | Readonly<{ state: 'quiet' }>
  | Readonly<{ state: 'unknown'; reason: string }>;

export type InstallDecision = Readonly<{ install: boolean; reason: string }>;

/**
 * Whether a downloaded update may be installed now. Pure: the caller asks the branch server (see
 * quiet-probe.ts) and applies the answer. **Important**: an update never installs mid-call, and
 * `unknown` counts as busy: a counter whose server is out of reach may still have a customer seated.
 */
export function decideInstall(role: Role, activity: Activity): InstallDecision {
  switch (activity.state) {
    case 'busy':
      return { install: false, reason: `${role === 'server' ? 'the branch' : 'this PC'} is serving ${activity.tickets.join(', ')}` };
    case 'unknown':
      return { install: false, reason: `activity unknown (${activity.reason})` };
    case 'quiet':
      return { install: true, reason: 'no ticket in service' };
  }
}

/**
 * Tickets an agent holds (as `heldTickets` in the tickets repository): called, in service, or paused
 * with the customer still at the counter. Any of them defers an update.
 */
export const HELD_STATUSES = ['appele', 'en_service', 'pause'] as const satisfies readonly TicketStatus[];
