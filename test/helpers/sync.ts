import { MIGRATIONS } from '../../branch-server/db/migrations/index.ts';
import type { Db } from '../../branch-server/db/sqlite.ts';
import { SyncClient, type SyncClientOptions } from '../../sync/client/sync-client.ts';
import { httpTransport, type SyncTransport } from '../../sync/client/transport.ts';
import type { TestCloud } from './cloud.ts';

/** A sync client for a branch database, talking HTTP to a test cloud. */
export function syncClient(db: Db, cloud: Pick<TestCloud, 'url'>, options: Partial<SyncClientOptions> = {}): SyncClient {
  const transport: SyncTransport = options.transport ?? httpTransport(cloud.url, { timeoutMs: 10_000, schemaVersion: Object.keys(MIGRATIONS).length });
  return new SyncClient({
    db, now: Date.now, appVersion: 'test', schemaVersion: Object.keys(MIGRATIONS).length, cloudUrl: cloud.url,
    ...options, transport,
  });
}

/** Rows of a cloud table uploaded by one device. */
export async function cloudCount(cloud: TestCloud, table: 'ticket' | 'ticket_event' | 'feedback' | 'audit_log' | 'appointment', deviceId: string): Promise<number> {
  const row = await cloud.db.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).where('device_id', '=', deviceId).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Row counts of the branch-owned tables in the branch database. */
export function localCounts(db: Db): Record<'ticket' | 'ticket_event' | 'feedback' | 'audit_log' | 'appointment', number> {
  const n = (table: string) => Number(db.sqlite.prepare(`SELECT count(*) FROM ${table}`).pluck().get());
  return { ticket: n('ticket'), ticket_event: n('ticket_event'), feedback: n('feedback'), audit_log: n('audit_log'), appointment: n('appointment') };
}
