import { appointmentRoutes } from './appointments.contract.ts';
import { auditRoutes } from './audit.contract.ts';
import { authRoutes } from './auth.contract.ts';
import { customerRoutes } from './customers.contract.ts';
import { deviceRoutes } from './devices.contract.ts';
import { deviceInputRoutes } from './device-inputs.contract.ts';
import { ticketLogoRoutes } from './ticket-logo.contract.ts';
import { displayAckRoutes } from './display-acks.contract.ts';
import { displayRoutes } from './displays.contract.ts';
import { feedbackRoutes } from './feedback.contract.ts';
import { healthRoutes } from './health.contract.ts';
import { kioskRoutes } from './kiosks.contract.ts';
import { agentRoutes, memberRoutes } from './members.contract.ts';
import { notificationRoutes } from './notifications.contract.ts';
import { printerRoutes } from './printers.contract.ts';
import { printingRoutes } from './printing.contract.ts';
import { publicBookingRoutes } from './public-booking.contract.ts';
import { queueRoutes } from './queues.contract.ts';
import { reportRoutes } from './reports.contract.ts';
import { serviceRoutes } from './services.contract.ts';
import { siteRoutes } from './sites.contract.ts';
import { syncRoutes } from './sync.contract.ts';
import { ticketRoutes } from './tickets.contract.ts';
import { integrationRoutes } from './integrations.contract.ts';
import { backupRoutes } from './backups.contract.ts';
import { customerDataRoutes } from './customer-data.contract.ts';

/** Every HTTP route by name: what the UIs' typed client calls (`api.call('createTicket', …)`). */
export const routes = {
  ...authRoutes, ...healthRoutes, ...ticketRoutes, ...appointmentRoutes, ...siteRoutes, ...serviceRoutes,
  ...queueRoutes, ...memberRoutes, ...agentRoutes, ...customerRoutes, ...feedbackRoutes, ...auditRoutes,
  ...reportRoutes, ...displayRoutes, ...displayAckRoutes, ...kioskRoutes, ...printerRoutes, ...printingRoutes, ...deviceRoutes,
  ...deviceInputRoutes, ...ticketLogoRoutes, ...notificationRoutes, ...syncRoutes, ...integrationRoutes, ...publicBookingRoutes,
  ...backupRoutes, ...customerDataRoutes,
};

export type Routes = typeof routes;
export type RouteName = keyof Routes;
