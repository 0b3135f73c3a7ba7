import type { Migration, MigrationProvider } from 'kysely';
import * as m0010 from './0010-create-tenancy.ts';
import * as m0020 from './0020-create-sync.ts';
import * as m0030 from './0030-row-level-security.ts';
import * as m0040 from './0040-rotate-refresh-tokens.ts';
import * as m0100 from './0100-create-hq-rollups.ts';
import * as m0200 from './0200-device-backups.ts';
import * as m0400 from './0400-create-day-summary.ts';
import * as m0410 from './0410-create-branch-relay.ts';
import * as m0420 from './0420-booking-settings.ts';
import * as m0450 from './0450-device-alerts.ts';
import * as m0500 from './0500-hq-site-rollups.ts';
import * as m0510 from './0510-hq-rollup-queue-indexes.ts';
import * as m0530 from './0530-retention-indexes.ts';

/** Static registry: no directory scan, so it works inside a bundle. */
export const CLOUD_MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0010-create-tenancy': m0010,
  '0020-create-sync': m0020,
  '0030-row-level-security': m0030,
  '0040-rotate-refresh-tokens': m0040,
  '0100-create-hq-rollups': m0100,
  '0200-device-backups': m0200,
  '0400-create-day-summary': m0400,
  '0410-create-branch-relay': m0410,
  '0420-booking-settings': m0420,
  '0450-device-alerts': m0450,
  '0500-hq-site-rollups': m0500,
  '0510-hq-rollup-queue-indexes': m0510,
  '0530-retention-indexes': m0530,
};

export const cloudMigrationProvider: MigrationProvider = {
  async getMigrations() {
    return { ...CLOUD_MIGRATIONS };
  },
};
