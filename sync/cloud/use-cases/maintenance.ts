import type { CloudDeps } from '../http/context.ts';
import { pruneFeed } from './feed.ts';

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

/** Runs the cloud's housekeeping on a timer; safe with several processes (the work is idempotent). */
export function startMaintenance(deps: CloudDeps, everyMs = 3_600_000): () => void {
  const timer = setInterval(() => {
    pruneFeeds(deps).catch((error: unknown) => console.error('feed pruning failed', error));
    pruneRelayTickets(deps).catch((error: unknown) => console.error('relay ticket pruning failed', error));
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
