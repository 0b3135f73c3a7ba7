import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../../branch-server/db/repositories/audit.repository.ts';
import { qb } from '../../../branch-server/db/sqlite.ts';
import { deviceAlerts } from '../../../branch-server/use-cases/device-alerts.ts';
import { closeDay } from '../../../branch-server/use-cases/end-of-day.ts';
import { startFakePrinter } from '../../helpers/fake-printer.ts';
import { HqClient } from '../../helpers/hq.ts';
import { enrollmentToken, seedCloudTenant, startTestCloud, type SeededCloudTenant, type TestCloud } from '../../helpers/cloud.ts';
import { seedDemoTenant, startTestServer, type DemoTenant, type TestServer } from '../../helpers/server.ts';
import { pairNewDevice } from '../../helpers/pairing.ts';
import { cloudCount, localCounts, syncClient } from '../../helpers/sync.ts';

let cloud: TestCloud;
let acme: SeededCloudTenant;
let t: TestServer;
let demo: DemoTenant;

beforeAll(async () => {
  cloud = await startTestCloud();
  acme = await seedCloudTenant(cloud, 'acme');
  // The printer health job reads idle printers (a fake ESC/POS printer in the alerts case) several times a second.
  t = await startTestServer({ jobs: { health: { intervalMs: 200 }, printing: { timeouts: { connectMs: 500, statusMs: 200, writeMs: 2000 } } } });
  demo = await seedDemoTenant(t);
});
afterAll(async () => {
  await t?.close();
  await cloud?.stop();
});

/** A morning at the demo branch before it is enrolled: tickets, a call, a customer. */
async function localHistory(): Promise<void> {
  for (const queue of demo.demo.queues) {
    const res = await t.api('POST', `/api/v1/tenants/${demo.slug}/tickets/`, { token: demo.adminToken, body: { queue: queue.id } });
    expect(res.status).toBe(201);
  }
  await t.api('PATCH', `/api/v1/tenants/${demo.slug}/agents/me/status/`, { token: demo.agentTokens[0]!, body: { status: 'available' } });
  const called = await t.api('POST', `/api/v1/tenants/${demo.slug}/agents/call-next/`, { token: demo.agentTokens[0]!, body: {} });
  expect(called.status).toBe(200);
  const customer = await t.api('POST', `/api/v1/tenants/${demo.slug}/customers/`, { token: demo.adminToken, body: { first_name: 'Fatou', phone: '+221770009999' } });
  expect(customer.status).toBe(201);
}

describe('enrollment and upload', () => {
  it('re-keys the demo data to the cloud tenant and site, keeps the audit chain valid, and uploads the history exactly once', async () => {
    await localHistory();
    const kioskRow = await t.api('POST', `/api/v1/tenants/${demo.slug}/kiosks/`, { token: demo.adminToken, body: { name: 'Entrance', queue_ids: demo.demo.queues.map((q) => q.id) } });
    const kiosk = await pairNewDevice(t, demo, { type: 'kiosk', kiosk_id: kioskRow.body.id });
    const db = t.server.deps.db;
    const before = localCounts(db);
    const oldTenant = demo.tenantId;
    const oldHead = db.sqlite.prepare('SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1').pluck().get() as string;

    const client = syncClient(db, cloud);
    expect(client.status().state).toBe('not_enrolled');
    const enrolled = await client.enroll(await enrollmentToken(cloud, acme.tenantId, acme.siteId));
    expect(enrolled.tenant).toEqual({ id: acme.tenantId, slug: 'acme', name: 'acme' });
    expect(enrolled.site.id).toBe(acme.siteId);

    // Every row now names the cloud's tenant and site; only the enrollment's own audit row names the old ones.
    const tenants = db.sqlite.prepare('SELECT id, slug FROM tenant').all();
    expect(tenants).toEqual([{ id: acme.tenantId, slug: 'acme' }]);
    const leftovers = db.sqlite.prepare(`SELECT
      (SELECT count(*) FROM ticket WHERE tenant_id != @tenant OR site_id != @site) +
      (SELECT count(*) FROM audit_log WHERE tenant_id != @tenant) +
      (SELECT count(*) FROM sync_outbox WHERE tenant_id != @tenant OR (instr(payload, @old) > 0
        AND entity_id NOT IN (SELECT id FROM audit_log WHERE action = 'sync.enrolled')))`).pluck().get({ tenant: acme.tenantId, site: acme.siteId, old: oldTenant });
    expect(leftovers).toBe(0);
    expect(db.sqlite.pragma('foreign_key_check')).toEqual([]);
    expect(db.sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
    // The chain was recomputed under the new ids and still verifies; the enrollment row records the old head.
    expect(verifyAuditChain(db)).toMatchObject({ ok: true, rows: before.audit_log + 1 });
    const enrolledRow = db.sqlite.prepare(`SELECT after FROM audit_log WHERE action = 'sync.enrolled'`).pluck().get() as string;
    expect(JSON.parse(enrolledRow)).toMatchObject({ old_chain_head: oldHead, old_tenant_id: oldTenant, device_id: enrolled.device_id });
    // Append-only still holds.
    expect(() => db.sqlite.prepare(`UPDATE audit_log SET action = 'x'`).run()).toThrow(/append-only/);
    expect(() => db.sqlite.prepare(`UPDATE ticket_event SET reason = 'x'`).run()).toThrow(/append-only/);

    const first = await client.syncOnce();
    expect(first.pushed).toBeGreaterThan(0);
    expect(first.rejected).toBe(0);
    expect(first.snapshot).toBe(true);
    expect(client.status()).toMatchObject({ state: 'online', outbox_depth: 0, rejected_count: 0, last_error: null });
    // The snapshot brought the cloud's reference data; the demo's own is deactivated, not deleted.
    expect(db.sqlite.prepare(`SELECT is_active FROM user WHERE email = ?`).pluck().get(acme.adminEmail)).toBe(1);
    expect(db.sqlite.prepare(`SELECT is_active FROM user WHERE email = ?`).pluck().get(demo.adminEmail)).toBe(0);
    expect(db.sqlite.prepare(`SELECT DISTINCT status FROM queue`).pluck().all()).toEqual(['closed']);
    const fatou = await cloud.db.db.selectFrom('customer').select(['id', 'first_name', 'phone']).where('tenant_id', '=', acme.tenantId).where('first_name', '=', 'Fatou').execute();
    expect(fatou).toEqual([{ id: expect.any(String), first_name: 'Fatou', phone: '+221770009999' }]);
    expect(db.sqlite.prepare('SELECT count(*) FROM customer WHERE id = ?').pluck().get(fatou[0]!.id)).toBe(1);
    const after = localCounts(db);
    for (const table of ['ticket', 'ticket_event', 'feedback', 'audit_log', 'appointment'] as const) {
      expect(await cloudCount(cloud, table, enrolled.device_id), table).toBe(after[table]);
    }
    expect(after.ticket).toBe(before.ticket);

    // Again, and with the outbox re-sent from scratch by a fresh client: nothing more lands.
    const second = await syncClient(db, cloud).syncOnce();
    expect(second.pushed).toBe(0);
    for (const table of ['ticket', 'ticket_event', 'audit_log'] as const) {
      expect(await cloudCount(cloud, table, enrolled.device_id), table).toBe(after[table]);
    }
    // The cloud holds the same chain the branch does.
    // The kiosk paired before enrollment still names the tenant by its old slug: it keeps working
    // without re-pairing, and its key is still its tenant's only.
    const services = await t.api('GET', `/api/v1/tenants/${demo.slug}/queues/services/`, { device: kiosk.key });
    expect(services.status, JSON.stringify(services.body)).toBe(200);
    expect((await t.api('GET', '/api/v1/tenants/acme/queues/services/', { device: kiosk.key })).status).toBe(200);
    expect((await t.api('GET', '/api/v1/tenants/no-such-bank/queues/services/', { device: kiosk.key })).status).toBe(403);

    const cloudChain = await cloud.db.db.selectFrom('audit_log').select(['hash', 'prev_hash']).where('device_id', '=', enrolled.device_id).orderBy('branch_seq').execute();
    const localChain = db.sqlite.prepare('SELECT hash, prev_hash FROM audit_log ORDER BY seq').all();
    expect(cloudChain).toEqual(localChain);
  });

  it('uploads the sealed end-of-day summary once, under the enrolled site, with its audit row', async () => {
    const db = t.server.deps.db;
    const site = db.first(qb.selectFrom('site').selectAll().where('id', '=', acme.siteId))!;
    const sealed = closeDay({ db, events: t.server.events }, site, '2030-03-04', Date.now());
    expect((await syncClient(db, cloud).syncOnce()).rejected).toBe(0);
    const rows = await cloud.db.db.selectFrom('day_summary').selectAll().where('tenant_id', '=', acme.tenantId).execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id: sealed.summary.id, site_id: acme.siteId, business_date: '2030-03-04' });
    expect(rows[0]!.data).toMatchObject({ tickets_issued: sealed.summary.tickets_issued, appointments_no_show: sealed.summary.appointments_no_show });
    const audit = await cloud.db.db.selectFrom('audit_log').select('action').where('entity_id', '=', sealed.summary.id).execute();
    expect(audit.map((a) => a.action)).toEqual(['day.sealed']);
    expect((await syncClient(db, cloud).syncOnce()).pushed).toBe(0);
  });

  it("reports its printers' and displays' alerts and its last good backup to HQ with each ack; a device that recovers drops out", async () => {
    const db = t.server.deps.db;
    const adminToken = (await t.api('POST', '/api/v1/auth/', { body: { email: acme.adminEmail, password: acme.adminPassword } })).body.token as string;
    const fake = await startFakePrinter('cover-open');
    const printer = await t.api('POST', '/api/v1/tenants/acme/printers/', { token: adminToken, body: { name: 'Kiosk printer', transport: 'network', host: fake.host, port: fake.port } });
    expect(printer.status).toBe(201);
    const queue = db.first(qb.selectFrom('queue').select('id').where('site_id', '=', acme.siteId))!;
    const display = await t.api('POST', '/api/v1/tenants/acme/displays/', { token: adminToken, body: { name: 'Hall TV', type: 'main', queue_ids: [queue.id] } });
    expect(display.status).toBe(201);
    const now = Date.now();
    // The TV was on its ws channel five minutes ago and has not been seen since.
    db.run(qb.updateTable('display').set({ last_seen_at: now - 5 * 60_000 }).where('id', '=', display.body.id));
    const printerRow = () => db.first(qb.selectFrom('printer').selectAll().where('id', '=', printer.body.id))!;
    await expect.poll(() => printerRow().status, { timeout: 8_000 }).toBe('cover-open');
    const backup = await t.server.deps.backups.take('manual');
    expect(backup.ok).toBe(true);

    const client = syncClient(db, cloud, {
      deviceAlerts: () => deviceAlerts(db, Date.now()),
      backupStatus: () => ({ last_backup_at: t.server.deps.backups.lastGood()?.started_at ?? null, last_backup_ok: true }),
    });
    await client.syncOnce();
    const admin = await HqClient.signIn(cloud.url, acme.adminEmail, acme.adminPassword);
    const branch = (await admin.get(`/api/v1/tenants/acme/branches/${client.status().device_id}/`)).body;
    expect(branch.device_alerts).toEqual([
      { kind: 'printer', id: printer.body.id, name: 'Kiosk printer', condition: 'cover-open', detail: 'Kiosk printer: cover open.', since: expect.any(Number) },
      { kind: 'display', id: display.body.id, name: 'Hall TV', condition: 'offline', detail: '', since: now - 5 * 60_000 },
    ]);
    // The printer last answered (with its cover open) at the health job's latest read.
    expect(branch.device_alerts[0].since).toBeGreaterThanOrEqual(now);
    expect(Date.parse(branch.device_alerts_at)).toBeGreaterThanOrEqual(now);
    expect(branch).toMatchObject({ last_backup_at: new Date(backup.started_at).toISOString(), last_backup_ok: true });

    // Cover closed, the TV back on: the next ack clears both.
    fake.setState('ok');
    await expect.poll(() => printerRow().status, { timeout: 8_000 }).toBe('ok');
    db.run(qb.updateTable('display').set({ last_seen_at: Date.now() }).where('id', '=', display.body.id));
    await client.syncOnce();
    expect((await admin.get(`/api/v1/tenants/acme/branches/${client.status().device_id}/`)).body.device_alerts).toEqual([]);
    await fake.close();
  });
});
