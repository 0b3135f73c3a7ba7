import type { hqBookingRoutes } from '../../../protocol/hq-booking.contract.ts';
import {
  getServiceBookingRule, getSiteOpeningHours, setServiceBookingRule, setSiteOpeningHours,
} from '../../use-cases/booking-settings.ts';
import { hqCaller } from '../caller.ts';
import type { CloudHandlers } from '../context.ts';

const tenantOf = (ctx: Parameters<typeof hqCaller>[0]) => hqCaller(ctx).tenantId;

export const hqBookingHandlers: CloudHandlers<typeof hqBookingRoutes> = {
  getSiteOpeningHours: (ctx) => getSiteOpeningHours(ctx.deps, tenantOf(ctx), ctx.params.id),
  setSiteOpeningHours: (ctx) => setSiteOpeningHours(ctx.deps, tenantOf(ctx), ctx.params.id, ctx.body, ctx.now),
  getServiceBookingRule: (ctx) => getServiceBookingRule(ctx.deps, tenantOf(ctx), ctx.params.id),
  setServiceBookingRule: (ctx) => setServiceBookingRule(ctx.deps, tenantOf(ctx), ctx.params.id, ctx.body, ctx.now),
};
