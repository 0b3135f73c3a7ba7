import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { qb } from '../../../branch-server/db/sqlite.ts';
import { closeDay } from '../../../branch-server/use-cases/end-of-day.ts';
import { enrollmentToken, seedCloudTenant, startTestCloud, type SeededCloudTenant, type TestCloud } from '../../helpers/cloud.ts';
import { seedDemoTenant, startTestServer, type TestServer } from '../../helpers/server.ts';
import { syncClient } from '../../helpers/sync.ts';

let cloud: TestCloud;
let acme: SeededCloudTenant;
let t: TestServer;

beforeAll(async () => {
  cloud = await startTestCloud();
  acme = await seedCloudTenant(cloud, 'acme');
  t = await startTestServer({ appointments: { clock: { intervalMs: 0 } } });
  await seedDemoTenant(t);
});
afterAll(async () => {
  await t?.close();
  await cloud?.stop();
});

describe('end-of-day summary uplink', () => {
  it('uploads the sealed day to the cloud once, under the enrolled site', async () => {
    const db = t.server.deps.db;
    const client = syncClient(db, cloud);
    await client.enroll(await enrollmentToken(cloud, acme.tenantId, acme.siteId));
    expect((await client.syncOnce()).rejected).toBe(0);

    const site = db.first(qb.selectFrom('site').selectAll().where('id', '=', acme.siteId))!;
    const sealed = closeDay({ db, events: t.server.events }, site, '2030-03-04', Date.now());
    const pushed = await client.syncOnce();
    expect(pushed.rejected).toBe(0);
    const rows = await cloud.db.db.selectFrom('day_summary').selectAll().where('tenant_id', '=', acme.tenantId).execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id: sealed.summary.id, site_id: acme.siteId, business_date: '2030-03-04' });
    expect(rows[0]!.data).toMatchObject({ tickets_issued: sealed.summary.tickets_issued, appointments_no_show: sealed.summary.appointments_no_show });
    // The audit row of the seal travels too.
    const audit = await cloud.db.db.selectFrom('audit_log').select('action').where('entity_id', '=', sealed.summary.id).execute();
    expect(audit.map((a) => a.action)).toEqual(['day.sealed']);
  });
});
