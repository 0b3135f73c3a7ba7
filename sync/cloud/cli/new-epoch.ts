import { randomUUID } from 'node:crypto';
import { openCloudDb } from '../db/database.ts';
import { describeStore, loadCloudConfig } from './config.ts';

/**
 * `npm run cloud:new-epoch`: after restoring the cloud's database from a backup (or to a point in
 * time), before it serves branches again. Branches see the new epoch, take a fresh snapshot and
 * upload again what they still hold under a new stream (ARCHITECTURE §7).
 */
async function main(): Promise<void> {
  const config = loadCloudConfig();
  const cloud = await openCloudDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    const epoch = randomUUID();
    const updated = await cloud.db.updateTable('cloud_meta').set({ value: epoch }).where('key', '=', 'epoch').executeTakeFirst();
    if (Number(updated.numUpdatedRows) !== 1) throw new Error('This database has no epoch yet: start the cloud once, it makes one.');
    console.log(`New cloud epoch ${epoch} (${describeStore(config)}). Start the cloud: branches resynchronise on their next cycle.`);
  } finally {
    await cloud.close();
  }
}

main().catch((error: unknown) => {
  console.error((error as Error).message);
  process.exit(1);
});
