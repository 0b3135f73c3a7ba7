import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pruneFeed } from '../../../sync/cloud/use-cases/feed.ts';
import { createCloudSite } from '../../../sync/cloud/use-cases/tenants.ts';
import type { SyncClient } from '../../../sync/client/sync-client.ts';
import { enrollmentToken, seedCloudTenant, startTestCloud, type SeededCloudTenant, type TestCloud } from '../../helpers/cloud.ts';
import { seedDemoTenant, startTestServer, type DemoTenant, type TestServer } from '../../helpers/server.ts';
import { HqClient } from '../../helpers/hq.ts';
import { hq, syncClient } from '../../helpers/sync.ts';

type Branch = { t: TestServer; demo: DemoTenant; client: SyncClient; token: string };

let cloud: TestCloud;
let acme: SeededCloudTenant;
const branches: Branch[] = [];

async function branch(siteId: string): Promise<Branch> {
  const t = await startTestServer();
  const demo = await seedDemoTenant(t);
  const client = syncClient(t.server.deps.db, cloud);
  await client.enroll(await enrollmentToken(cloud, acme.tenantId, siteId));
  await client.syncOnce();
  // The demo admin is gone after the first sync: HQ's admin signs in at the branch.
  const token = await t.login(acme.adminEmail, acme.adminPassword);
  const b = { t, demo, client, token };
  branches.push(b);
  return b;
}

beforeAll(async () => {
  cloud = await startTestCloud();
  acme = await seedCloudTenant(cloud, 'acme');
});
afterAll(async () => {
  for (const b of branches) await b.t.close();
  await cloud?.stop();
});

describe('customers across branches', () => {
  it('merges the same person created offline at two branches into one survivor, and repoints the loser\'s tickets locally', async () => {
    const north = await createCloudSite(cloud.deps, acme.tenantId, { name: 'North', slug: 'north' });
    const service = await hq.service(cloud, acme.tenantId, 'Accounts');
    const queues = new Map([[acme.siteId, await hq.queue(cloud, acme.tenantId, acme.siteId, service, 'A')], [north, await hq.queue(cloud, acme.tenantId, north, service, 'N')]]);
    const a = await branch(acme.siteId);
    const b = await branch(north);
    // Offline at both: the same phone, different details.
    const atA = await a.t.api('POST', '/api/v1/tenants/acme/customers/', { token: a.token, body: { first_name: 'Ndeye', phone: '+221770001234', email: 'ndeye@example.sn' } });
    const atB = await b.t.api('POST', '/api/v1/tenants/acme/customers/', { token: b.token, body: { last_name: 'Sarr', phone: '+221770001234', language: 'en' } });
    expect([atA.status, atB.status]).toEqual([201, 201]);
    const [survivor, loser] = [atA.body.id, atB.body.id].sort() as [string, string];
    const loserBranch = loser === atA.body.id ? a : b;

    // A ticket at the loser's branch, in the HQ queue of its site, names the duplicate.
    const queue = queues.get(loser === atA.body.id ? acme.siteId : north)!;
    const ticket = await loserBranch.t.api('POST', '/api/v1/tenants/acme/tickets/', { token: loserBranch.token, body: { queue, customer: loser } });
    expect(ticket.status, JSON.stringify(ticket.body)).toBe(201);

    await a.client.syncOnce();
    await b.client.syncOnce();
    await a.client.syncOnce();

    const cloudLive = await cloud.db.db.selectFrom('customer').select(['id', 'first_name', 'last_name', 'email', 'phone', 'language'])
      .where('tenant_id', '=', acme.tenantId).where('merged_into', 'is', null).where('phone', '=', '+221770001234').execute();
    expect(cloudLive).toEqual([{ id: survivor, first_name: 'Ndeye', last_name: 'Sarr', email: 'ndeye@example.sn', phone: '+221770001234', language: 'en' }]);
    for (const x of [a, b]) {
      const db = x.t.server.deps.db;
      const local = db.sqlite.prepare(`SELECT id, first_name, last_name, email, phone, language FROM customer WHERE phone = '+221770001234'`).all();
      expect(local).toEqual(cloudLive);
      expect(db.sqlite.pragma('foreign_key_check')).toEqual([]);
      // The branch clock has seen the merged customer's stamp: its next edit sorts after it.
      const hlc = db.sqlite.prepare(`SELECT value FROM sync_state WHERE key = 'hlc'`).pluck().get() as string;
      const cloudHlc = await cloud.db.db.selectFrom('customer').select('hlc').where('id', '=', survivor).executeTakeFirstOrThrow();
      expect(hlc >= cloudHlc.hlc).toBe(true);
    }
    const localTicket = loserBranch.t.server.deps.db.sqlite.prepare('SELECT customer_id FROM ticket WHERE id = ?').pluck().get(ticket.body.id);
    expect(localTicket).toBe(survivor);
    const cloudTicket = await cloud.db.db.selectFrom('ticket').select('customer_id').where('id', '=', ticket.body.id).executeTakeFirstOrThrow();
    expect(cloudTicket.customer_id).toBe(survivor);
    // Applying the merge wrote nothing to upload.
    for (const x of [a, b]) expect(x.client.status().outbox_depth).toBe(0);
  });

  it('uploads only the fields an edit changed, so edits of different fields at two branches both survive', async () => {
    const [a, b] = branches as [Branch, Branch];
    const created = await a.t.api('POST', '/api/v1/tenants/acme/customers/', { token: a.token, body: { first_name: 'Omar', phone: '+221770005555' } });
    await a.client.syncOnce();
    await b.client.syncOnce();
    const id = created.body.id as string;
    expect(b.t.server.deps.db.sqlite.prepare('SELECT first_name FROM customer WHERE id = ?').pluck().get(id)).toBe('Omar');

    // Both offline: A changes the e-mail, B the language.
    await a.t.api('PATCH', `/api/v1/tenants/acme/customers/${id}/`, { token: a.token, body: { email: 'omar@example.sn' } });
    await b.t.api('PATCH', `/api/v1/tenants/acme/customers/${id}/`, { token: b.token, body: { language: 'ar' } });
    const payload = JSON.parse(a.t.server.deps.db.sqlite.prepare(`SELECT payload FROM sync_outbox WHERE entity = 'customer' AND entity_id = ? ORDER BY seq DESC LIMIT 1`).pluck().get(id) as string);
    expect(payload).toEqual({ id, tenant_id: acme.tenantId, created_at: expect.any(Number), values: { email: 'omar@example.sn' }, hlc: expect.stringMatching(/^\d{15}:\d{6}$/), deleted: false });

    await b.client.syncOnce();
    await a.client.syncOnce();
    await b.client.syncOnce();
    for (const x of [a, b]) {
      expect(x.t.server.deps.db.sqlite.prepare('SELECT first_name, email, language FROM customer WHERE id = ?').get(id))
        .toEqual({ first_name: 'Omar', email: 'omar@example.sn', language: 'ar' });
    }
  });

  it('erases a customer forgotten at HQ everywhere: the cloud scrubs its copies, and a branch whose cursor fell behind learns it from the snapshot', async () => {
    const [a, b] = branches as [Branch, Branch];
    const db = (x: Branch) => x.t.server.deps.db;
    const created = await a.t.api('POST', '/api/v1/tenants/acme/customers/', { token: a.token, body: { first_name: 'Fatou', last_name: 'Fall', phone: '+221770007777' } });
    const id = created.body.id as string;
    const queue = db(a).sqlite.prepare(`SELECT id FROM queue WHERE site_id = ? AND status = 'open' LIMIT 1`).pluck().get(acme.siteId) as string;
    const ticket = await a.t.api('POST', '/api/v1/tenants/acme/tickets/', { token: a.token, body: { queue, customer: id, customer_name: 'Fatou Fall', customer_phone: '+221770007777' } });
    expect(ticket.status, JSON.stringify(ticket.body)).toBe(201);
    await a.client.syncOnce();
    await b.client.syncOnce();
    expect(db(b).sqlite.prepare('SELECT count(*) FROM customer WHERE id = ?').pluck().get(id)).toBe(1);

    // Branch B is away while HQ erases her and the feed is pruned past B's cursor.
    const admin = await HqClient.signIn(cloud.url, acme.adminEmail, acme.adminPassword);
    expect((await admin.call('DELETE', `/api/v1/tenants/acme/customers/${id}/`)).status).toBe(204);
    await hq.service(cloud, acme.tenantId, 'Opened after the erasure');
    await cloud.deps.cloud.withTenant(acme.tenantId, (trx) => pruneFeed(trx, acme.tenantId, Date.now() + 60_000));

    // The cloud's copy of the ticket lost the link and the personal fields at once.
    const cloudTicket = await cloud.db.db.selectFrom('ticket').select(['customer_id', 'data']).where('id', '=', ticket.body.id).executeTakeFirstOrThrow();
    expect(cloudTicket.customer_id).toBeNull();
    expect(cloudTicket.data).toMatchObject({ customer_id: null, customer_name: '', customer_phone: '' });

    expect((await b.client.syncOnce()).snapshot).toBe(true);
    await a.client.syncOnce();
    for (const x of [a, b]) expect(db(x).sqlite.prepare('SELECT count(*) FROM customer WHERE id = ?').pluck().get(id), 'customer gone').toBe(0);
    const local = db(a).sqlite.prepare('SELECT customer_id, customer_name, customer_phone FROM ticket WHERE id = ?').get(ticket.body.id);
    expect(local).toEqual({ customer_id: null, customer_name: '', customer_phone: '' });
    for (const x of [a, b]) expect(x.client.status().outbox_depth).toBe(0);
  });
});
