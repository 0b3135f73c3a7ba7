import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordChange } from '../../sync/cloud/use-cases/feed.ts';
import { pullChanges } from '../../sync/cloud/use-cases/pull.ts';
import type { CloudDevice } from '../../sync/cloud/http/context.ts';
import { RawDevice, enrollmentToken, seedCloudTenant, startTestCloud, type SeededCloudTenant, type TestCloud } from '../helpers/cloud.ts';
import { uuidv7 } from '../../branch-server/ids.ts';

let cloud: TestCloud;
let tenant: SeededCloudTenant;
let device: CloudDevice;

beforeAll(async () => {
  cloud = await startTestCloud();
  tenant = await seedCloudTenant(cloud, 'feed-order');
  const raw = new RawDevice(cloud.url);
  await raw.enroll(await enrollmentToken(cloud, tenant.tenantId, tenant.siteId));
  device = { kind: 'device', deviceId: raw.deviceId, tenantId: tenant.tenantId, siteId: tenant.siteId };
});
afterAll(async () => cloud?.stop());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A change feed numbered by a plain sequence loses changes: a transaction that took number 7 and
 * commits after number 8 is visible is skipped by a reader already past 8. The feed's counter row is
 * locked until commit, so numbers become visible in order; this drives many long, overlapping
 * transactions (on the PostgreSQL server in CI: real concurrency) while a branch pulls all along.
 */
describe('change feed under concurrent long transactions', () => {
  it('never lets a pulling branch skip a change', async () => {
    const { value: start } = await cloud.db.db.selectFrom('tenant_feed_counter').select('value').where('tenant_id', '=', tenant.tenantId).executeTakeFirstOrThrow();
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const WRITERS = 6;
    const TXS_PER_WRITER = 8;
    let written = 0;
    let writing = true;

    const writers = Array.from({ length: WRITERS }, async (_, w) => {
      for (let t = 0; t < TXS_PER_WRITER; t += 1) {
        await sleep(random() * 10);
        await cloud.db.withTenant(tenant.tenantId, async (trx) => {
          const changes = 1 + Math.floor(random() * 3);
          for (let c = 0; c < changes; c += 1) {
            await recordChange(trx, tenant.tenantId, { entity: 'site', entityId: uuidv7(), op: 'delete', data: { writer: w } }, Date.now());
            await sleep(random() * 25); // a long transaction: others must wait, not overtake it
          }
          written += changes;
        });
      }
    });

    const seen: number[] = [];
    let cursor = start;
    const puller = (async () => {
      while (writing || seen.length < written) {
        const page = await pullChanges(cloud.deps, device, { cursor, limit: 7 });
        for (const change of page.changes) seen.push(change.seq);
        cursor = page.cursor;
        if (page.changes.length === 0) await sleep(2);
      }
    })();

    await Promise.all(writers);
    writing = false;
    await puller;

    expect(written).toBeGreaterThanOrEqual(WRITERS * TXS_PER_WRITER);
    expect(seen).toEqual(Array.from({ length: written }, (_, i) => start + i + 1));
  });
});
