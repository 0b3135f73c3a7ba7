import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../../branch-server/ids.ts';
import { formatHlc } from '../../../sync/protocol/hlc.ts';
import { RawDevice, enrollmentToken, seedCloudTenant, startTestCloud, type SeededCloudTenant, type TestCloud } from '../../helpers/cloud.ts';
import { HqClient, feedAfter, feedHeadOf } from '../../helpers/hq.ts';

let cloud: TestCloud;
let acme: SeededCloudTenant;
let globex: SeededCloudTenant;
let admin: HqClient;
let device: RawDevice;
let seq = 0;
const stream = randomUUID();
const C = '/api/v1/tenants/acme/customers';

/** A branch's customer edit, as its outbox sends it: only the fields it changed, with its hybrid clock. */
async function branchEdit(id: string, values: Record<string, unknown>, hlcMs: number, deleted = false) {
  seq += 1;
  const payload = { id, tenant_id: acme.tenantId, created_at: hlcMs, values, hlc: formatHlc(hlcMs, 0), deleted };
  const res = await device.call('POST', '/sync/v1/push', {
    stream_id: stream, outbox_depth: 0, oldest_unsent_ms: null, clock_offset_ms: 0, app_version: 'test',
    rows: [{ seq, mutation_id: uuidv7(), entity: 'customer', entity_id: id, op: deleted ? 'delete' : 'update', payload, created_at: hlcMs }],
  });
  expect(res.status).toBe(200);
  expect(res.body.rejected).toEqual([]);
}

/** Branch rows naming a customer, uploaded like the outbox does (same stream as the customer edits). */
async function branchRows(entity: 'ticket' | 'feedback', payloads: Record<string, unknown>[]) {
  const rows = payloads.map((payload) => ({
    seq: ++seq, mutation_id: uuidv7(), entity, entity_id: payload['id'], op: 'insert', payload, created_at: Date.now(),
  }));
  const res = await device.call('POST', '/sync/v1/push', { stream_id: stream, outbox_depth: 0, oldest_unsent_ms: null, clock_offset_ms: 0, app_version: 'test', rows });
  expect(res.status).toBe(200);
  expect(res.body.rejected).toEqual([]);
}

function ticketOf(customerId: string | null, name: string, phone: string) {
  const at = Date.now();
  return {
    id: uuidv7(), tenant_id: acme.tenantId, site_id: acme.siteId, queue_id: randomUUID(), number: 'A001', status: 'clos', channel: 'kiosk',
    priority: 0, created_at: at, updated_at: at, called_at: at, started_at: at, ended_at: at, agent_id: null, customer_id: customerId,
    customer_name: name, customer_phone: phone,
  };
}

beforeAll(async () => {
  cloud = await startTestCloud();
  acme = await seedCloudTenant(cloud, 'acme');
  globex = await seedCloudTenant(cloud, 'globex');
  admin = await HqClient.signIn(cloud.url, acme.adminEmail, acme.adminPassword);
  device = new RawDevice(cloud.url);
  await device.enroll(await enrollmentToken(cloud, acme.tenantId, acme.siteId));
  await device.signIn();
});
afterAll(async () => cloud?.stop());

describe('HQ customers', () => {
  it('creates, finds and changes a customer; each change reaches the feed', async () => {
    const head = await feedHeadOf(cloud, acme.tenantId);
    const created = await admin.post(`${C}/`, { first_name: 'Awa', last_name: 'Diop', phone: '+221770000001', tags: ['vip'], consents: { sms: true }, notify_sms: true });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ first_name: 'Awa', phone: '+221770000001', tags: ['vip'], consents: { sms: true }, notify_sms: true, language: 'fr' });
    const id = created.body.id;

    expect((await admin.get(`${C}/?search=diop`)).body.results.map((c: { id: string }) => c.id)).toEqual([id]);
    expect((await admin.get(`${C}/?phone=%2B221770000001`)).body.count).toBe(1);
    expect((await admin.get(`${C}/?tags=vip`)).body.count).toBe(1);
    expect((await admin.get(`${C}/?tags=vip,gold`)).body.count).toBe(0);

    const patched = await admin.patch(`${C}/${id}/`, { email: 'AWA@example.sn', metadata: { segment: 'retail' } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ email: 'awa@example.sn', metadata: { segment: 'retail' }, first_name: 'Awa' });
    expect((await admin.get(`${C}/${id}/`)).body.email).toBe('awa@example.sn');

    const feed = await feedAfter(cloud, acme.tenantId, head);
    expect(feed.map((c) => `${c.entity} ${c.op}`)).toEqual(['customer upsert', 'customer upsert']);
    expect(feed[1]!.data).toMatchObject({ id, email: 'awa@example.sn', phone: '+221770000001', tags: '["vip"]', notify_sms: 1 });
  });

  it('keeps HQ\'s identity fields against a later branch edit, while the later branch phone wins', async () => {
    const id = (await admin.post(`${C}/`, { first_name: 'Moussa', last_name: 'Ndiaye', phone: '+221770000002' })).body.id;
    await admin.patch(`${C}/${id}/`, { last_name: 'Ndiaye-Sarr' });
    await branchEdit(id, { last_name: 'Wrong', phone: '+221770000099' }, Date.now() + 60_000);
    expect((await admin.get(`${C}/${id}/`)).body).toMatchObject({ last_name: 'Ndiaye-Sarr', phone: '+221770000099' });
  });

  it('merges a customer created at HQ with the same phone into the existing one, and the other id redirects', async () => {
    const existing = (await admin.post(`${C}/`, { first_name: 'Fatou', last_name: 'Fall', phone: '+221770000003', email: 'fatou@example.sn' })).body;
    const head = await feedHeadOf(cloud, acme.tenantId);
    const again = await admin.post(`${C}/`, { first_name: 'Fatoumata', phone: '+221 77 000 00 03' });
    expect(again.status).toBe(201);
    expect(again.body).toMatchObject({ id: existing.id, first_name: 'Fatoumata', last_name: 'Fall', email: 'fatou@example.sn' });
    const feed = await feedAfter(cloud, acme.tenantId, head);
    const loser = feed.find((c) => c.op === 'delete');
    expect(loser?.data).toEqual({ merged_into: existing.id });
    expect((await admin.get(`${C}/${loser!.entity_id}/`)).body.id).toBe(existing.id);
    expect((await admin.get(`${C}/?search=fatou`)).body.count).toBe(1);
  });

  it('forgets a customer: gone from reads, a tombstone in the feed, and a later branch edit does not bring it back', async () => {
    const id = (await admin.post(`${C}/`, { first_name: 'Ibrahima', phone: '+221770000004' })).body.id;
    const head = await feedHeadOf(cloud, acme.tenantId);
    expect((await admin.delete(`${C}/${id}/`)).status).toBe(204);
    expect((await admin.get(`${C}/${id}/`)).status).toBe(404);
    expect((await admin.get(`${C}/?search=ibrahima`)).body.count).toBe(0);
    expect(await feedAfter(cloud, acme.tenantId, head)).toEqual([expect.objectContaining({ entity: 'customer', entity_id: id, op: 'delete' })]);
    await branchEdit(id, { first_name: 'Ibou' }, Date.now() + 3_600_000);
    expect((await admin.get(`${C}/${id}/`)).status).toBe(404);
    expect((await admin.delete(`${C}/${id}/`)).status).toBe(404);
  });

  it("answers 404 for another tenant's customer, 403 to an analyst writing, 400 to a body that names nobody; nothing changes", async () => {
    const globexAdmin = await HqClient.signIn(cloud.url, globex.adminEmail, globex.adminPassword);
    const theirs = (await globexAdmin.post('/api/v1/tenants/globex/customers/', { first_name: 'Secret', phone: '+221770000005' })).body;
    await admin.post('/api/v1/tenants/acme/members/', { email: 'analyst@acme.test', password: 'analyst-password', role: 'analyst' });
    const analyst = await HqClient.signIn(cloud.url, 'analyst@acme.test', 'analyst-password');
    const head = await feedHeadOf(cloud, acme.tenantId);
    const globexHead = await feedHeadOf(cloud, globex.tenantId);

    expect((await admin.get(`${C}/${theirs.id}/`)).status).toBe(404);
    expect((await admin.patch(`${C}/${theirs.id}/`, { first_name: 'Leaked' })).status).toBe(404);
    expect((await admin.delete(`${C}/${theirs.id}/`)).status).toBe(404);
    expect((await admin.get(`${C}/?phone=%2B221770000005`)).body.count).toBe(0);
    expect((await analyst.post(`${C}/`, { first_name: 'No' })).status).toBe(403);
    expect((await analyst.get(`${C}/`)).status).toBe(200);
    const nobody = await admin.post(`${C}/`, { language: 'en' });
    expect(nobody.status).toBe(400);
    expect(nobody.body.error).toContain('at least a name');
    expect((await admin.post(`${C}/`, { first_name: 'X', phone: 'not a phone' })).status).toBe(400);

    expect(await feedHeadOf(cloud, acme.tenantId)).toBe(head);
    expect(await feedHeadOf(cloud, globex.tenantId)).toBe(globexHead);
    expect((await globexAdmin.get(`/api/v1/tenants/globex/customers/${theirs.id}/`)).body.first_name).toBe('Secret');
  });

  it('exports everything HQ holds on a customer, merged duplicate included, to managers of the tenant only', async () => {
    const kept = (await admin.post(`${C}/`, { first_name: 'Mariama', last_name: 'Ba', phone: '+221770000021', consents: { sms: { granted: true, channel: 'kiosk', at: '2026-11-01T09:00:00.000Z' } } })).body;
    // A branch created the same person under another id before it knew HQ's record: the cloud merges it.
    const duplicate = uuidv7();
    await branchEdit(duplicate, { first_name: 'Mariama', phone: '+221770000021' }, Date.now());
    const ticket = ticketOf(duplicate, 'Mariama Ba', '+221770000021');
    const stranger = ticketOf(null, 'Someone Else', '+221770000022');
    await branchRows('ticket', [ticket, stranger]);
    const feedback = { id: uuidv7(), tenant_id: acme.tenantId, ticket_id: ticket.id, customer_id: kept.id, csat: 4, nps: 9, created_at: Date.now(), comment: 'Rapide' };
    await branchRows('feedback', [feedback]);

    const res = await admin.get(`${C}/${kept.id}/export/`);
    expect(res.status).toBe(200);
    expect(res.body.customer).toMatchObject({ id: kept.id, first_name: 'Mariama', phone: '+221770000021' });
    expect(res.body.merged_ids).toEqual([duplicate]);
    expect(res.body.consents).toEqual({ sms: { granted: true, channel: 'kiosk', at: '2026-11-01T09:00:00.000Z' } });
    expect(res.body.tickets.map((r: { id: string }) => r.id)).toEqual([ticket.id]);
    expect(res.body.tickets[0]).toMatchObject({ customer_name: 'Mariama Ba', customer_phone: '+221770000021', site_id: acme.siteId });
    expect(res.body.feedback).toEqual([expect.objectContaining({ id: feedback.id, comment: 'Rapide', csat: 4 })]);
    expect(res.body.appointments).toEqual([]);
    expect(Date.parse(res.body.exported_at)).toBeGreaterThan(Date.now() - 60_000);
    // The merged-away id answers the survivor's export.
    expect((await admin.get(`${C}/${duplicate}/export/`)).body.customer.id).toBe(kept.id);

    const globexAdmin = await HqClient.signIn(cloud.url, globex.adminEmail, globex.adminPassword);
    expect((await globexAdmin.get(`/api/v1/tenants/globex/customers/${kept.id}/export/`)).status).toBe(404);
    expect((await globexAdmin.get(`${C}/${kept.id}/export/`)).status).toBe(403);
    await admin.post('/api/v1/tenants/acme/members/', { email: 'statistician@acme.test', password: 'analyst-password', role: 'analyst' });
    const analyst = await HqClient.signIn(cloud.url, 'statistician@acme.test', 'analyst-password');
    expect((await analyst.get(`${C}/${kept.id}/`)).status).toBe(200);
    expect((await analyst.get(`${C}/${kept.id}/export/`)).status).toBe(403);
    expect((await admin.get(`${C}/not-a-customer/export/`)).status).toBe(404);

    // Once erased, there is nothing left to export.
    expect((await admin.delete(`${C}/${kept.id}/`)).status).toBe(204);
    expect((await admin.get(`${C}/${kept.id}/export/`)).status).toBe(404);
  });
});
