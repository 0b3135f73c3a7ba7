import { authRoutes } from '../../contract/auth.contract.ts';
import { healthRoutes } from '../../contract/health.contract.ts';
import { ticketRoutes } from '../../contract/tickets.contract.ts';
import { bind, type Bound } from '../app.ts';
import { auditRoutes } from '../../contract/audit.contract.ts';
import { customerRoutes } from '../../contract/customers.contract.ts';
import { feedbackRoutes } from '../../contract/feedback.contract.ts';
import { agentRoutes, memberRoutes } from '../../contract/members.contract.ts';
import { queueRoutes } from '../../contract/queues.contract.ts';
import { reportRoutes } from '../../contract/reports.contract.ts';
import { serviceRoutes } from '../../contract/services.contract.ts';
import { siteRoutes } from '../../contract/sites.contract.ts';
import { agentHandlers } from './agents.routes.ts';
import { auditHandlers } from './audit.routes.ts';
import { customerHandlers } from './customers.routes.ts';
import { feedbackHandlers } from './feedback.routes.ts';
import { memberHandlers } from './members.routes.ts';
import { queueHandlers } from './queues.routes.ts';
import { reportHandlers } from './reports.routes.ts';
import { serviceHandlers } from './services.routes.ts';
import { siteHandlers } from './sites.routes.ts';
import { authHandlers } from './auth.routes.ts';
import { healthHandlers } from './health.routes.ts';
import { ticketHandlers } from './tickets.routes.ts';
import { appointmentRoutes } from '../../contract/appointments.contract.ts';
import { deviceRoutes } from '../../contract/devices.contract.ts';
import { displayRoutes } from '../../contract/displays.contract.ts';
import { kioskRoutes } from '../../contract/kiosks.contract.ts';
import { notificationRoutes } from '../../contract/notifications.contract.ts';
import { printerRoutes } from '../../contract/printers.contract.ts';
import { appointmentHandlers } from './appointments.routes.ts';
import { deviceHandlers } from './devices.routes.ts';
import { displayHandlers } from './displays.routes.ts';
import { kioskHandlers } from './kiosks.routes.ts';
import { notificationHandlers } from './notifications.routes.ts';
import { printerHandlers } from './printers.routes.ts';
import { printingRoutes } from '../../contract/printing.contract.ts';
import { printingHandlers } from './printing.routes.ts';
import { displayAckRoutes } from '../../contract/display-acks.contract.ts';
import { displayAckHandlers } from './display-acks.routes.ts';
import { deviceInputRoutes } from '../../contract/device-inputs.contract.ts';
import { deviceInputHandlers } from './device-inputs.routes.ts';
import { ticketLogoRoutes } from '../../contract/ticket-logo.contract.ts';
import { ticketLogoHandlers } from './ticket-logo.routes.ts';
import { syncRoutes } from '../../contract/sync.contract.ts';
import { syncHandlers } from './sync.routes.ts';
import { integrationRoutes } from '../../contract/integrations.contract.ts';
import { integrationHandlers } from './integrations.routes.ts';
import { publicBookingRoutes } from '../../contract/public-booking.contract.ts';
import { publicBookingHandlers } from './public-booking.routes.ts';
import { backupRoutes } from '../../contract/backups.contract.ts';
import { backupHandlers } from './backups.routes.ts';
import { customerDataRoutes } from '../../contract/customer-data.contract.ts';
import { customerDataHandlers } from './customer-data.routes.ts';

/** Every API route of the branch server: contract definition bound to its handlers. */
export function allRoutes(): Bound[] {
  return [
    ...bind(authRoutes, authHandlers),
    ...bind(healthRoutes, healthHandlers),
    // tickets/appointments/… before tickets/:id/ (Express matches in order; a non-UUID :id would answer 404).
    ...bind(appointmentRoutes, appointmentHandlers),
    ...bind(ticketRoutes, ticketHandlers),
    ...bind(siteRoutes, siteHandlers),
    // queues/services/… before queues/:id/ (Express matches in order; a non-UUID :id would answer 404).
    ...bind(serviceRoutes, serviceHandlers),
    ...bind(queueRoutes, queueHandlers),
    ...bind(memberRoutes, memberHandlers),
    ...bind(agentRoutes, agentHandlers),
    ...bind(customerRoutes, customerHandlers),
    ...bind(customerDataRoutes, customerDataHandlers),
    ...bind(feedbackRoutes, feedbackHandlers),
    ...bind(auditRoutes, auditHandlers),
    ...bind(reportRoutes, reportHandlers),
    ...bind(displayRoutes, displayHandlers),
    ...bind(displayAckRoutes, displayAckHandlers),
    ...bind(kioskRoutes, kioskHandlers),
    ...bind(printerRoutes, printerHandlers),
    ...bind(printingRoutes, printingHandlers),
    ...bind(ticketLogoRoutes, ticketLogoHandlers),
    // A factory: each app gets its own pairing-attempt throttle.
    ...bind(deviceRoutes, deviceHandlers()),
    ...bind(deviceInputRoutes, deviceInputHandlers),
    ...bind(notificationRoutes, notificationHandlers),
    ...bind(syncRoutes, syncHandlers),
    ...bind(integrationRoutes, integrationHandlers),
    ...bind(publicBookingRoutes, publicBookingHandlers),
    ...bind(backupRoutes, backupHandlers),
  ];
}
