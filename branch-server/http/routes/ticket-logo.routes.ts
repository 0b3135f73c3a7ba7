import { ticketLogoRoutes } from '../../contract/ticket-logo.contract.ts';
import { deleteTicketLogo, getTicketLogo, uploadTicketLogo } from '../../use-cases/ticket-logo.ts';
import type { Handlers } from '../context.ts';
import { callerOf } from './tickets.routes.ts';

export const ticketLogoHandlers: Handlers<typeof ticketLogoRoutes> = {
  getTicketLogo: (ctx) => getTicketLogo(ctx.deps.db, ctx.tenant.id),
  uploadTicketLogo: (ctx) => uploadTicketLogo(ctx.deps, callerOf(ctx), ctx.body),
  deleteTicketLogo(ctx) {
    deleteTicketLogo(ctx.deps, callerOf(ctx));
    return null;
  },
};
