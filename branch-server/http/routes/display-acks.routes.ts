import type { displayAckRoutes } from '../../contract/display-acks.contract.ts';
import { ticketDisplayAcks } from '../../use-cases/display-acks.ts';
import type { Handlers } from '../context.ts';

export const displayAckHandlers: Handlers<typeof displayAckRoutes> = {
  ticketDisplayAcks: (ctx) => ticketDisplayAcks(ctx.deps.db, ctx.tenant.id, ctx.params.id),
};
