import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../../branch-server/db/repositories/audit.repository.ts';
import { CustomerExportDto } from '../../../branch-server/contract/customer-data.contract.ts';
import { enrollmentToken, seedCloudTenant, startTestCloud, type SeededCloudTenant, type TestCloud } from '../../helpers/cloud.ts';
import { HqClient } from '../../helpers/hq.ts';
import { seedDemoTenant, startTestServer, type TestServer } from '../../helpers/server.ts';
import { hq } from '../../helpers/sync.ts';

/** A customer's rights across a branch and HQ: consents with date and channel, export, erasure both ways. */

let cloud: TestCloud;
let acme: SeededCloudTenant;
let t: TestServer;
let token: string;
let hqClient: HqClient;
let queueId: string;
const base = '/api/v1/tenants/acme';

async function sync(): Promise<void> {
  // The loop's own cycle may be running (syncOnce joins it): the second cycle sees every write.
  await t.server.deps.sync.client.syncOnce();
  await t.server.deps.sync.client.syncOnce();
}

beforeAll(async () => {
  cloud = await startTestCloud();
  acme = await seedCloudTenant(cloud, 'acme');
  queueId = await hq.queue(cloud, acme.tenantId, acme.siteId, await hq.service(cloud, acme.tenantId, 'Accounts'), 'A');
  t = await startTestServer({ sync: { loop: { intervalMs: 3_600_000, nudgeDelayMs: 3_600_000 } } });
  await seedDemoTenant(t);
  await t.server.deps.sync.enroll(cloud.url, await enrollmentToken(cloud, acme.tenantId, acme.siteId));
  await sync();
  token = await t.login(acme.adminEmail, acme.adminPassword);
  hqClient = await HqClient.signIn(cloud.url, acme.adminEmail, acme.adminPassword);
}, 60_000);
afterAll(async () => {
  await t?.close();
  await cloud?.stop();
});

async function customerWithTicket(phone: string): Promise<{ customer: string; ticket: string }> {
  const created = await t.api('POST', `${base}/customers/`, { token, body: { first_name: 'Khady', last_name: 'Sarr', phone } });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const ticket = await t.api('POST', `${base}/tickets/`, { token, body: { queue: queueId, channel: 'kiosk', customer: created.body.id, customer_name: 'Khady Sarr', customer_phone: phone } });
  expect(ticket.status, JSON.stringify(ticket.body)).toBe(201);
  return { customer: created.body.id, ticket: ticket.body.id };
}

describe('customer data rights', () => {
  it('records consents with date and channel and exports everything the branch holds as JSON', async () => {
    const { customer, ticket } = await customerWithTicket('+221 76 200 00 01');
    const consent = await t.api('POST', `${base}/customers/${customer}/consents/`, { token, body: { purpose: 'sms', granted: true, channel: 'kiosk' } });
    expect(consent.status, JSON.stringify(consent.body)).toBe(201);
    const withdrawn = await t.api('POST', `${base}/customers/${customer}/consents/`, { token, body: { purpose: 'marketing', granted: false, channel: 'counter' } });
    expect(withdrawn.status).toBe(201);
    expect((await t.api('POST', `${base}/customers/${customer}/consents/`, { token, body: { purpose: 'sms', granted: 'yes', channel: 'fax' } })).status).toBe(400);

    const record = (await t.api('GET', `${base}/customers/${customer}/`, { token })).body;
    expect(record.notify_sms).toBe(true);
    expect(record.consents.sms).toMatchObject({ granted: true, channel: 'kiosk' });

    const exported = await t.api('GET', `${base}/customers/${customer}/export/`, { token });
    expect(exported.status).toBe(200);
    const data = CustomerExportDto.parse(exported.body);
    expect(data.customer).toMatchObject({ id: customer, phone: '+221 76 200 00 01' });
    expect(data.consents.map((c) => [c.purpose, c.granted, c.channel])).toEqual([['sms', true, 'kiosk'], ['marketing', false, 'counter']]);
    expect(Date.parse(data.consents[0]!.recorded_at)).toBeGreaterThan(0);
    expect(data.tickets.map((r) => r['id'])).toEqual([ticket]);
    // Agents read customers but do not export them.
    const agent = await t.api('GET', `${base}/customers/${customer}/export/`, { token: await agentToken() });
    expect(agent.status).toBe(403);
  });

  it('an erasure made at HQ reaches the branch; one made at the branch reaches HQ', async () => {
    const fromHq = await customerWithTicket('+221 76 300 00 02');
    const fromBranch = await customerWithTicket('+221 76 400 00 03');
    await sync();
    expect((await hqClient.call('GET', `${base}/customers/${fromHq.customer}/`)).status).toBe(200);
    expect((await hqClient.call('GET', `${base}/customers/${fromBranch.customer}/`)).status).toBe(200);

    // HQ → branch.
    expect((await hqClient.call('DELETE', `${base}/customers/${fromHq.customer}/`)).status).toBe(204);
    await sync();
    expect((await t.api('GET', `${base}/customers/${fromHq.customer}/`, { token })).status).toBe(404);
    const ticket = (await t.api('GET', `${base}/tickets/${fromHq.ticket}/`, { token })).body;
    expect(ticket).toMatchObject({ customer: null, customer_name: '', customer_phone: '' });

    // Branch → HQ.
    expect((await t.api('DELETE', `${base}/customers/${fromBranch.customer}/`, { token })).status).toBe(204);
    await sync();
    expect((await hqClient.call('GET', `${base}/customers/${fromBranch.customer}/`)).status).toBe(404);
    const upload = await cloud.db.db.selectFrom('ticket').select(['customer_id', 'data']).where('id', '=', fromBranch.ticket).executeTakeFirstOrThrow();
    expect(upload.customer_id).toBeNull();
    expect(JSON.stringify(upload.data)).not.toContain('400 00 03');

    // Neither phone is left anywhere in the branch database's rows or audit history; the chain holds.
    const db = t.server.deps.db;
    const everything = db.sqlite.prepare(`SELECT
      (SELECT group_concat(customer_name || customer_phone) FROM ticket) || (SELECT coalesce(group_concat(coalesce(before, '') || coalesce(after, '')), '') FROM audit_log)`).pluck().get() as string;
    expect(everything).not.toContain('300 00 02');
    expect(everything).not.toContain('400 00 03');
    expect(verifyAuditChain(db)).toMatchObject({ ok: true });
  });
});

async function agentToken(): Promise<string> {
  await hq.member(cloud, acme.tenantId, 'desk@acme.test', 'desk-password-1', 'agent', [queueId]);
  await sync();
  return t.login('desk@acme.test', 'desk-password-1');
}
