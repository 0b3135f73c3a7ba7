import type { Migration } from 'kysely';
import * as m0010 from './0010-create-tenancy.ts';
import * as m0020 from './0020-create-queues.ts';
import * as m0030 from './0030-create-customers.ts';
import * as m0040 from './0040-create-tickets.ts';
import * as m0050 from './0050-create-devices.ts';
import * as m0060 from './0060-create-notifications.ts';
import * as m0070 from './0070-create-audit-log.ts';
import * as m0080 from './0080-create-jobs-and-sync.ts';
import * as m0090 from './0090-create-auth-sessions.ts';
import * as m0100 from './0100-index-ticket-customer.ts';
import * as m0110 from './0110-printing-health-and-jobs.ts';
import * as m0120 from './0120-create-display-acks.ts';
import * as m0130 from './0130-create-sync-snapshot.ts';
import * as m0140 from './0140-create-device-agent-hardware.ts';
import * as m0150 from './0150-create-ticket-logo.ts';
import * as m0160 from './0160-cover-ticket-waiting-line.ts';
import * as m0200 from './0200-notification-delivery.ts';
import * as m0300 from './0300-data-protection.ts';
import * as m0400 from './0400-appointment-scheduling.ts';
import * as m0410 from './0410-cover-remote-waiting-line.ts';
import * as m0420 from './0420-count-waiting-walk-ins.ts';

/** The static registry: no directory scan (it breaks inside a packaged app). Append only. */
export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0010-create-tenancy': m0010,
  '0020-create-queues': m0020,
  '0030-create-customers': m0030,
  '0040-create-tickets': m0040,
  '0050-create-devices': m0050,
  '0060-create-notifications': m0060,
  '0070-create-audit-log': m0070,
  '0080-create-jobs-and-sync': m0080,
  '0090-create-auth-sessions': m0090,
  '0100-index-ticket-customer': m0100,
  '0110-printing-health-and-jobs': m0110,
  '0120-create-display-acks': m0120,
  '0130-create-sync-snapshot': m0130,
  '0140-create-device-agent-hardware': m0140,
  '0150-create-ticket-logo': m0150,
  '0160-cover-ticket-waiting-line': m0160,
  '0200-notification-delivery': m0200,
  '0300-data-protection': m0300,
  '0400-appointment-scheduling': m0400,
  '0410-cover-remote-waiting-line': m0410,
  '0420-count-waiting-walk-ins': m0420,
};
