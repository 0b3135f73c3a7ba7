import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../../branch-server/ids.ts';
import { openCloudDb, type CloudDb } from '../../../sync/cloud/db/database.ts';
import { startCloud, type RunningCloud } from '../../../sync/cloud/start.ts';
import { RawDevice, enrollmentToken, seedCloudTenant, startTestCloud, type TestCloud } from '../../helpers/cloud.ts';

/**
 * The cloud keeps nothing in memory that a request needs: two instances, each with its own pool on
 * the same PostgreSQL database, serve one branch alternately. PGlite is one process's embedded
 * database, so this runs only against a PostgreSQL server (CI sets DATABASE_URL).
 */
const serverUrl = process.env['DATABASE_URL'];

describe.skipIf(!serverUrl)('two cloud instances on one PostgreSQL database', () => {
  let first: TestCloud;
  let secondDb: CloudDb;
  let second: RunningCloud;

  beforeAll(async () => {
    first = await startTestCloud();
    secondDb = await openCloudDb({ databaseUrl: first.db.url!, poolSize: 4 });
    second = await startCloud({ cloud: secondDb });
  });
  afterAll(async () => {
    await second?.close();
    await secondDb?.close();
    await first?.stop();
  });

  it('shares epoch and token secret, and applies a stream pushed to both exactly once', async () => {
    expect(second.deps.config.epoch).toBe(first.deps.config.epoch);
    const tenant = await seedCloudTenant(first, 'twin');
    const onFirst = new RawDevice(first.url);
    await onFirst.enroll(await enrollmentToken(first, tenant.tenantId, tenant.siteId));
    await onFirst.signIn();
    const onSecond = new RawDevice(second.url);
    Object.assign(onSecond, { deviceId: onFirst.deviceId, accessToken: onFirst.accessToken });

    const stream = randomUUID();
    const rows = Array.from({ length: 6 }, (_, i) => {
      const now = Date.now();
      const id = uuidv7(now);
      return {
        seq: i + 1, mutation_id: uuidv7(now), entity: 'ticket', entity_id: id, op: 'insert', created_at: now,
        payload: {
          id, tenant_id: tenant.tenantId, site_id: tenant.siteId, queue_id: randomUUID(), number: `A00${i}`, status: 'en_attente',
          channel: 'kiosk', priority: 0, created_at: now, updated_at: now, called_at: null, started_at: null, ended_at: null,
          agent_id: null, customer_id: null,
        },
      };
    });
    const body = (slice: typeof rows) => ({ stream_id: stream, rows: slice, outbox_depth: 0, oldest_unsent_ms: null, clock_offset_ms: 0, app_version: 't' });
    // The same batch sent to both at once (a retry through the load balancer), then the rest to the other.
    const [a, b] = await Promise.all([
      onFirst.call('POST', '/sync/v1/push', body(rows.slice(0, 4))),
      onSecond.call('POST', '/sync/v1/push', body(rows.slice(0, 4))),
    ]);
    expect(a.body.applied + b.body.applied).toBe(4);
    expect(a.body.duplicates + b.body.duplicates).toBe(4);
    const rest = await onSecond.call('POST', '/sync/v1/push', body(rows.slice(2)));
    expect(rest.body).toMatchObject({ applied: 2, duplicates: 2, last_applied_seq: 6 });

    const count = await secondDb.db.selectFrom('ticket').select((eb) => eb.fn.countAll<number>().as('n')).where('tenant_id', '=', tenant.tenantId).executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(6);
    const pulled = await onSecond.call('GET', '/sync/v1/pull?cursor=0');
    expect(pulled.status).toBe(200);
  });
});
