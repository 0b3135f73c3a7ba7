import { authRoutes } from '../../contract/auth.contract.ts';
import { ticketRoutes } from '../../contract/tickets.contract.ts';
import { bind, type Bound } from '../app.ts';
import { authHandlers } from './auth.routes.ts';
import { ticketHandlers } from './tickets.routes.ts';

/** Every API route of the branch server: contract definition bound to its handlers. */
export function allRoutes(): Bound[] {
  return [
    ...bind(authRoutes, authHandlers),
    ...bind(ticketRoutes, ticketHandlers),
  ];
}
