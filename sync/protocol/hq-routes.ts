import { hqAnalyticsRoutes } from './hq-analytics.contract.ts';
import { hqAuthRoutes } from './hq-auth.contract.ts';
import { hqBookingRoutes } from './hq-booking.contract.ts';
import { hqBranchRoutes } from './hq-branches.contract.ts';
import { hqCustomerRoutes } from './hq-customers.contract.ts';
import { hqDataRoutes } from './hq-data.contract.ts';
import {
  hqMemberRoutes, hqQueueRoutes, hqServiceRoutes, hqSiteRoutes, hqTemplateRoutes,
} from './hq-reference.contract.ts';
import { hqTenantRoutes } from './hq-tenants.contract.ts';

/** Every HQ route by name: what the HQ dashboard's typed client calls (renderer/hq/api.ts). */
export const hqRoutes = {
  ...hqAuthRoutes, ...hqTenantRoutes, ...hqSiteRoutes, ...hqServiceRoutes, ...hqQueueRoutes, ...hqMemberRoutes,
  ...hqTemplateRoutes, ...hqCustomerRoutes, ...hqBranchRoutes, ...hqDataRoutes, ...hqAnalyticsRoutes, ...hqBookingRoutes,
} as const;
export type HqRoutes = typeof hqRoutes;
export type HqRouteName = keyof HqRoutes;
