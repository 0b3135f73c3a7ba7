import type { CloudDeps } from '../http/context.ts';
import { pruneFeed } from './feed.ts';
import { runCloudRetentionIfDue } from './retention.ts';

/** Prunes every tenant's change feed past the retention; each tenant in its own short transaction. */
export async function pruneFeeds(deps: CloudDeps): Promise<number> {
  const olderThan = deps.now() - deps.config.feedRetentionMs;
  const tenants = await deps.cloud.db.selectFrom('tenant').select('id').execute();
  let pruned = 0;
  for (const { id } of tenants) pruned += await deps.cloud.withTenant(id, (trx) => pruneFeed(trx, id, olderThan));
  return pruned;
}

/** Tickets joined through the cloud are tracked there for a few days at most (a ticket lives one day). */
const RELAY_TICKET_DAYS = 7;

/** Forgets which branch holds the tickets joined through the cloud's public page, once they are long over. */
export async function pruneRelayTickets(deps: CloudDeps): Promise<number> {
  const result = await deps.cloud.db.deleteFrom('relay_ticket').where('created_at', '<', deps.now() - RELAY_TICKET_DAYS * 86_400_000).executeTakeFirst();
  return Number(result.numDeletedRows);
}

export type MaintenanceOptions = Readonly<{
  everyMs?: number;
  /** UTC hour of the nightly data retention; null: never. */
  retentionHour?: number | null;
  retentionCheckMs?: number;
}>;

/**
 * Runs the cloud's housekeeping on timers; safe with several processes (feed pruning is idempotent,
 * and the nightly retention is claimed by one process a day). Failures go to the process's log.
 */
export function startMaintenance(deps: CloudDeps, options: MaintenanceOptions = {}): () => void {
  const log = deps.logger?.child({ task: 'maintenance' });
  const failed = (what: string) => (error: unknown) => {
    if (log) log.error({ err: error }, what);
    else console.error(what, error);
  };
  const timers = [setInterval(() => {
    pruneFeeds(deps).catch(failed('feed pruning failed'));
    pruneRelayTickets(deps).catch(failed('relay ticket pruning failed'));
  }, options.everyMs ?? 3_600_000)];
  const hour = options.retentionHour ?? null;
  if (hour !== null) {
    let running = false;
    timers.push(setInterval(() => {
      if (running) return;
      running = true;
      runCloudRetentionIfDue(deps, hour).catch(failed('retention failed')).finally(() => {
        running = false;
      });
    }, options.retentionCheckMs ?? 10 * 60_000));
  }
  for (const timer of timers) timer.unref();
  return () => {
    for (const timer of timers) clearInterval(timer);
  };
}
