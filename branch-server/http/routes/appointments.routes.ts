import { appointmentRoutes } from '../../contract/appointments.contract.ts';
import { qb } from '../../db/sqlite.ts';
import {
  appointmentListQuery, bookAppointment, cancelAppointment, checkIn, getAppointmentRow, listSlots, rescheduleAppointment, toAppointmentDtos,
} from '../../use-cases/appointments.ts';
import { getBookingRule, getOpeningHours, setBookingRule, setOpeningHours } from '../../use-cases/booking-settings.ts';
import type { Handlers } from '../context.ts';
import { paginate } from '../pagination.ts';
import { callerOf } from './tickets.routes.ts';

export const appointmentHandlers: Handlers<typeof appointmentRoutes> = {
  appointmentSlots: (ctx) => listSlots(ctx.deps.db, ctx.tenant.id, ctx.query, ctx.now),
  listAppointments(ctx) {
    const query = appointmentListQuery(ctx.deps.db, ctx.tenant.id, ctx.query);
    return paginate(ctx.deps.db, query, ctx.query, ctx.origin, ctx.req, (rows) => toAppointmentDtos(ctx.deps.db, rows));
  },
  bookAppointment: (ctx) => bookAppointment(ctx.deps, callerOf(ctx), ctx.body),
  checkInAppointment(ctx) {
    const { principal } = ctx;
    // A kiosk checks in for its own site only; staff anywhere in the tenant.
    const kioskSiteId = principal.kind === 'device' && principal.kioskId
      ? ctx.deps.db.first(qb.selectFrom('kiosk').select('site_id').where('id', '=', principal.kioskId))?.site_id ?? null
      : null;
    return checkIn(ctx.deps, callerOf(ctx), ctx.body.code, { channel: principal.kind === 'device' ? 'kiosk' : 'web', kioskSiteId });
  },
  getAppointment: (ctx) => toAppointmentDtos(ctx.deps.db, [getAppointmentRow(ctx.deps.db, ctx.tenant.id, ctx.params.id)])[0]!,
  cancelAppointment: (ctx) => cancelAppointment(ctx.deps, callerOf(ctx), ctx.params.id, ctx.body.reason),
  rescheduleAppointment: (ctx) => rescheduleAppointment(ctx.deps, callerOf(ctx), ctx.params.id, ctx.body),
  getOpeningHours: (ctx) => getOpeningHours(ctx.deps.db, ctx.tenant.id, ctx.params.id),
  setOpeningHours: (ctx) => setOpeningHours(ctx.deps.db, callerOf(ctx), ctx.params.id, ctx.body),
  getBookingRule: (ctx) => getBookingRule(ctx.deps.db, ctx.tenant.id, ctx.params.id),
  setBookingRule: (ctx) => setBookingRule(ctx.deps.db, callerOf(ctx), ctx.params.id, ctx.body),
};
