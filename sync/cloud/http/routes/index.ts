import { bindCloud, type CloudBound } from '../app.ts';
import { hqAnalyticsRoutes } from '../../../protocol/hq-analytics.contract.ts';
import { hqAuthRoutes } from '../../../protocol/hq-auth.contract.ts';
import { hqBookingRoutes } from '../../../protocol/hq-booking.contract.ts';
import { hqBranchRoutes } from '../../../protocol/hq-branches.contract.ts';
import { hqCustomerRoutes } from '../../../protocol/hq-customers.contract.ts';
import { hqDataRoutes } from '../../../protocol/hq-data.contract.ts';
import {
  hqMemberRoutes, hqQueueRoutes, hqServiceRoutes, hqSiteRoutes, hqTemplateRoutes,
} from '../../../protocol/hq-reference.contract.ts';
import { hqTenantRoutes } from '../../../protocol/hq-tenants.contract.ts';
import { syncRoutes } from '../../../protocol/sync.contract.ts';
import { hqAuthHandlers } from './auth.routes.ts';
import { hqBookingHandlers } from './booking.routes.ts';
import { healthHandlers, healthRoutes } from './health.routes.ts';
import { hqAnalyticsHandlers, hqBranchHandlers, hqCustomerHandlers, hqDataHandlers } from './hq-data.routes.ts';
import {
  hqMemberHandlers, hqQueueHandlers, hqServiceHandlers, hqSiteHandlers, hqTemplateHandlers,
} from './reference.routes.ts';
import { syncHandlers } from './sync.routes.ts';
import { hqTenantHandlers } from './tenants.routes.ts';

/** Every cloud route with its handler. */
export function cloudRoutes(): CloudBound[] {
  return [
    ...bindCloud(healthRoutes, healthHandlers),
    ...bindCloud(syncRoutes, syncHandlers),
    ...bindCloud(hqAuthRoutes, hqAuthHandlers),
    ...bindCloud(hqTenantRoutes, hqTenantHandlers),
    ...bindCloud(hqSiteRoutes, hqSiteHandlers),
    ...bindCloud(hqServiceRoutes, hqServiceHandlers),
    ...bindCloud(hqQueueRoutes, hqQueueHandlers),
    ...bindCloud(hqMemberRoutes, hqMemberHandlers),
    ...bindCloud(hqTemplateRoutes, hqTemplateHandlers),
    ...bindCloud(hqBookingRoutes, hqBookingHandlers),
    ...bindCloud(hqCustomerRoutes, hqCustomerHandlers),
    ...bindCloud(hqBranchRoutes, hqBranchHandlers),
    ...bindCloud(hqDataRoutes, hqDataHandlers),
    ...bindCloud(hqAnalyticsRoutes, hqAnalyticsHandlers),
  ];
}
