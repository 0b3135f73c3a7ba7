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

/** Runs the cloud's housekeeping on a timer; safe with several processes (the work is idempotent). */
export function startMaintenance(deps: CloudDeps, everyMs = 3_600_000): () => void {
  const timer = setInterval(() => {
    pruneFeeds(deps).catch((error: unknown) => console.error('feed pruning failed', error));
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
