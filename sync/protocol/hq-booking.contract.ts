import { TenantIdParams } from '../../branch-server/contract/common.ts';
import { BookingRuleBody, BookingRuleDto, OpeningHoursBody, OpeningHoursDto } from '../../branch-server/contract/appointments.contract.ts';
import { defineCloudRoutes, tenantNeeds } from './cloud-route.ts';

/**
 * HQ owns the booking settings of its branches: a site's opening hours and closed dates, a
 * service's booking rule (slots, capacity, grace, remote joining, end of day). Same paths, bodies
 * and shapes as the branch's routes, which refuse these changes while the branch is enrolled; they
 * reach the branches through the change feed with the site and service rows.
 */
export const hqBookingRoutes = defineCloudRoutes({
  getSiteOpeningHours: {
    method: 'get', path: '/api/v1/tenants/:slug/sites/:id/opening-hours/', tag: 'appointments', access: tenantNeeds('read'),
    summary: "A site's opening hours (HH:MM, site time) and closed dates", params: TenantIdParams, response: OpeningHoursDto,
  },
  setSiteOpeningHours: {
    method: 'put', path: '/api/v1/tenants/:slug/sites/:id/opening-hours/', tag: 'appointments', access: tenantNeeds('manage'),
    summary: "Set a site's opening hours and closed dates (its branch follows with the next sync)",
    params: TenantIdParams, body: OpeningHoursBody, response: OpeningHoursDto,
  },
  getServiceBookingRule: {
    method: 'get', path: '/api/v1/tenants/:slug/queues/services/:id/booking/', tag: 'appointments', access: tenantNeeds('read'),
    summary: 'How a service books, joins remotely and ends its day', params: TenantIdParams, response: BookingRuleDto,
  },
  setServiceBookingRule: {
    method: 'put', path: '/api/v1/tenants/:slug/queues/services/:id/booking/', tag: 'appointments', access: tenantNeeds('manage'),
    summary: "Change a service's booking rule (fields left out keep their value); branches follow with the next sync",
    params: TenantIdParams, body: BookingRuleBody, response: BookingRuleDto,
  },
});
