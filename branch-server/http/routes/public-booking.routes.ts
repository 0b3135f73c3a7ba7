import type { publicBookingRoutes } from '../../contract/public-booking.contract.ts';
import { DomainError } from '../../domain/errors.ts';
import { listSlots } from '../../use-cases/appointments.ts';
import { bookFromPublicPage, describeSite, manageFromPublicPage, publicCaller, publicSite } from '../../use-cases/public-booking.ts';
import { joinRemotely } from '../../use-cases/remote-join.ts';
import type { Ctx, Handlers } from '../context.ts';
import type { RouteDef } from '../../contract/route.ts';

/** Spends one request of the client address's budget, or answers 429 with the wait. */
function spend(ctx: Pick<Ctx<RouteDef>, 'deps' | 'actor' | 'now'>, kind: 'read' | 'write'): void {
  const wait = ctx.deps.publicLimits[kind].hit(ctx.actor.ip, ctx.now);
  if (wait > 0) throw new DomainError('rate-limited', `Too many requests from this address. Try again in ${wait} s.`, { retry_after: wait });
}

export const publicBookingHandlers: Handlers<typeof publicBookingRoutes> = {
  publicSite(ctx) {
    spend(ctx, 'read');
    const { site, tenant } = publicSite(ctx.deps.db, ctx.params.site_id);
    return describeSite(ctx.deps.db, site, tenant, ctx.now);
  },
  publicSlots(ctx) {
    spend(ctx, 'read');
    const { site, tenant } = publicSite(ctx.deps.db, ctx.params.site_id);
    return listSlots(ctx.deps.db, tenant.id, { service: ctx.query.service, date: ctx.query.date, site: site.id }, ctx.now);
  },
  publicBook(ctx) {
    spend(ctx, 'write');
    const { site, tenant } = publicSite(ctx.deps.db, ctx.params.site_id);
    return bookFromPublicPage(ctx.deps, publicCaller(tenant, ctx.actor, ctx.now, ctx.origin), site, ctx.body);
  },
  publicManageAppointment(ctx) {
    spend(ctx, 'write');
    const { site, tenant } = publicSite(ctx.deps.db, ctx.params.site_id);
    return manageFromPublicPage(ctx.deps, publicCaller(tenant, ctx.actor, ctx.now, ctx.origin), site, ctx.body);
  },
  publicJoin(ctx) {
    spend(ctx, 'write');
    const { site, tenant } = publicSite(ctx.deps.db, ctx.params.site_id);
    return joinRemotely(ctx.deps, publicCaller(tenant, ctx.actor, ctx.now, ctx.origin), site, ctx.body);
  },
};
