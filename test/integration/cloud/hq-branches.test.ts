import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../../branch-server/ids.ts';
import { RawDevice, enrollmentToken, seedCloudTenant, startTestCloud, type SeededCloudTenant, type TestCloud } from '../../helpers/cloud.ts';
import { HqClient } from '../../helpers/hq.ts';

let cloud: TestCloud;
let acme: SeededCloudTenant;
let globex: SeededCloudTenant;
let admin: HqClient;
let clock = Date.now();
const B = '/api/v1/tenants/acme/branches';

beforeAll(async () => {
  cloud = await startTestCloud({ now: () => clock });
  acme = await seedCloudTenant(cloud, 'acme');
  globex = await seedCloudTenant(cloud, 'globex');
  admin = await HqClient.signIn(cloud.url, acme.adminEmail, acme.adminPassword);
});
afterAll(async () => cloud?.stop());

/** One outbox row carrying a new ticket, as a branch pushes it. */
function ticketRow(seq: number, now: number) {
  const payload = {
    id: uuidv7(now), tenant_id: acme.tenantId, site_id: acme.siteId, queue_id: randomUUID(), number: 'A001', status: 'en_attente',
    channel: 'kiosk', priority: 0, created_at: now, updated_at: now, called_at: null, started_at: null, ended_at: null, agent_id: null, customer_id: null,
  };
  return { seq, mutation_id: uuidv7(), entity: 'ticket', entity_id: payload.id, op: 'insert', payload, created_at: now };
}

describe('enrollment tokens', () => {
  it('shows a new token once; listing never includes it; it enrolls one branch, then reads as used', async () => {
    const created = await admin.post(`${B}/enroll-tokens/`, { site: acme.siteId, ttl_hours: 2 });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'active', site: acme.siteId, site_name: 'acme main', used_at: null });
    expect(created.body.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(Date.parse(created.body.expires_at) - clock).toBe(2 * 3600 * 1000);

    const listed = await admin.get(`${B}/enroll-tokens/`);
    expect(listed.body.results.map((t: { id: string }) => t.id)).toContain(created.body.id);
    const text = JSON.stringify(listed.body);
    expect(text).not.toContain(created.body.token);
    expect(text).not.toMatch(/"token(_hash)?"/);
    expect(listed.body.results.every((t: Record<string, unknown>) => !('token' in t) && !('token_hash' in t))).toBe(true);

    const device = new RawDevice(cloud.url);
    expect((await device.enroll(created.body.token)).status).toBe(201);
    const used = (await admin.get(`${B}/enroll-tokens/?status=used`)).body.results;
    expect(used).toEqual([expect.objectContaining({ id: created.body.id, status: 'used', used_by_device: device.deviceId })]);
  });

  it('revokes an unused token so it no longer enrolls, and refuses to revoke a used one', async () => {
    const created = (await admin.post(`${B}/enroll-tokens/`, { site: acme.siteId })).body;
    const revoked = await admin.post(`${B}/enroll-tokens/${created.id}/revoke/`);
    expect(revoked.status).toBe(200);
    expect(revoked.body.status).toBe('revoked');
    const enroll = await new RawDevice(cloud.url).enroll(created.token);
    expect(enroll.status).toBe(400);
    expect(enroll.body.code).toBe('enrollment-token-invalid');

    const usedId = (await admin.get(`${B}/enroll-tokens/?status=used`)).body.results[0].id;
    expect((await admin.post(`${B}/enroll-tokens/${usedId}/revoke/`)).status).toBe(409);
  });

  it("refuses a token for another tenant's site and a bad body, making none", async () => {
    const before = (await admin.get(`${B}/enroll-tokens/`)).body.count;
    const foreign = await admin.post(`${B}/enroll-tokens/`, { site: globex.siteId });
    expect(foreign.status).toBe(400);
    expect(foreign.body.code).toBe('invalid-reference');
    expect((await admin.post(`${B}/enroll-tokens/`, { site: acme.siteId, ttl_hours: 0 })).status).toBe(400);
    expect((await admin.get(`${B}/enroll-tokens/`)).body.count).toBe(before);
    const globexTokens = await cloud.deps.cloud.db.selectFrom('enrollment_token').select('id').where('tenant_id', '=', globex.tenantId).execute();
    expect(globexTokens).toEqual([]);
  });
});

describe('branches', () => {
  it('reports each branch\'s sync health: online, last sync, outbox depth, oldest unsent, version, clock offset, feed lag', async () => {
    const device = new RawDevice(cloud.url);
    await device.enroll(await enrollmentToken(cloud, acme.tenantId, acme.siteId));
    await device.signIn();
    const push = await device.call('POST', '/sync/v1/push', {
      stream_id: randomUUID(), outbox_depth: 41, oldest_unsent_ms: 90_000, clock_offset_ms: -1234, app_version: '1.4.2',
      rows: [ticketRow(1, clock)],
    });
    expect(push.status).toBe(200);
    await admin.post('/api/v1/tenants/acme/queues/services/', { name: 'A change the branch has not pulled' });

    const branch = (await admin.get(`${B}/${device.deviceId}/`)).body;
    expect(branch).toMatchObject({
      id: device.deviceId, site: acme.siteId, site_name: 'acme main', online: true, outbox_depth: 41, oldest_unsent_ms: 90_000,
      app_version: '1.4.2', clock_offset_ms: -1234, revoked: false, last_applied_seq: 1, rows_applied: 1,
      last_sync_at: new Date(clock).toISOString(), feed_cursor: 0,
    });
    expect(branch.feed_lag).toBeGreaterThan(0);
    expect((await admin.get(`${B}/?online=true`)).body.results.map((b: { id: string }) => b.id)).toContain(device.deviceId);

    clock += 3 * 60_000;
    expect((await admin.get(`${B}/${device.deviceId}/`)).body.online).toBe(false);
    expect((await admin.get(`${B}/?online=true`)).body.results.map((b: { id: string }) => b.id)).not.toContain(device.deviceId);
    expect((await device.call('POST', '/sync/v1/ack', { cursor: 3, outbox_depth: 0, oldest_unsent_ms: null, clock_offset_ms: 5, app_version: '1.4.2' })).status).toBe(200);
    expect((await admin.get(`${B}/${device.deviceId}/`)).body).toMatchObject({ online: true, outbox_depth: 0, oldest_unsent_ms: null, feed_cursor: 3 });
  });

  it('keeps the printer and display alerts a branch reports; a malformed report is refused and changes nothing; an older branch leaves them', async () => {
    const device = new RawDevice(cloud.url);
    await device.enroll(await enrollmentToken(cloud, acme.tenantId, acme.siteId));
    await device.signIn();
    const base = { cursor: 0, outbox_depth: 0, oldest_unsent_ms: null, clock_offset_ms: 0, app_version: '1.5.0' };
    const alerts = [
      { kind: 'printer', id: randomUUID(), name: 'Kiosk printer', condition: 'cover-open', detail: 'Kiosk printer: cover open.', since: clock - 60_000 },
      { kind: 'display', id: randomUUID(), name: 'Hall TV', condition: 'offline', detail: '', since: clock - 600_000 },
    ];
    const reportedAt = clock;
    expect((await device.call('POST', '/sync/v1/ack', { ...base, device_alerts: alerts })).status).toBe(200);
    expect((await admin.get(`${B}/${device.deviceId}/`)).body).toMatchObject({ device_alerts: alerts, device_alerts_at: new Date(reportedAt).toISOString() });

    clock += 1_000;
    const bad = await device.call('POST', '/sync/v1/ack', { ...base, device_alerts: [{ ...alerts[0], condition: 'on-fire' }] });
    expect(bad.status).toBe(400);
    const tooMany = await device.call('POST', '/sync/v1/ack', { ...base, device_alerts: Array.from({ length: 51 }, () => alerts[1]) });
    expect(tooMany.status).toBe(400);
    // A branch on an older version reports no alerts: what HQ knew stays, with its date.
    expect((await device.call('POST', '/sync/v1/ack', { ...base, app_version: '1.4.0' })).status).toBe(200);
    const listed = (await admin.get(`${B}/?page_size=100`)).body.results.find((b: { id: string }) => b.id === device.deviceId);
    expect(listed).toMatchObject({ app_version: '1.4.0', device_alerts: alerts, device_alerts_at: new Date(reportedAt).toISOString() });
    // Everything recovered: an empty report clears them.
    expect((await device.call('POST', '/sync/v1/ack', { ...base, device_alerts: [] })).status).toBe(200);
    expect((await admin.get(`${B}/${device.deviceId}/`)).body.device_alerts).toEqual([]);
  });

  it('revokes a branch: its next sync call answers 401 device-revoked, and it cannot sign in again', async () => {
    const device = new RawDevice(cloud.url);
    await device.enroll(await enrollmentToken(cloud, acme.tenantId, acme.siteId));
    await device.signIn();
    expect((await device.call('GET', '/sync/v1/pull?cursor=0')).status).toBe(200);

    const revoked = await admin.post(`${B}/${device.deviceId}/revoke/`);
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ revoked: true, online: false });

    const pull = await device.call('GET', '/sync/v1/pull?cursor=0');
    expect(pull.status).toBe(401);
    expect(pull.body.code).toBe('device-revoked');
    const push = await device.call('POST', '/sync/v1/push', {
      stream_id: randomUUID(), outbox_depth: 0, oldest_unsent_ms: null, clock_offset_ms: 0, app_version: 't',
      rows: [ticketRow(1, clock)],
    });
    expect(push.status).toBe(401);
    expect(push.body.code).toBe('device-revoked');
    expect((await device.signIn()).status).toBe(401);
    expect((await admin.get(`${B}/?revoked=true`)).body.results.map((b: { id: string }) => b.id)).toEqual([device.deviceId]);
  });

  it("answers 404 for another tenant's branch, lets an analyst read but not revoke, and changes nothing", async () => {
    const theirs = new RawDevice(cloud.url);
    await theirs.enroll(await enrollmentToken(cloud, globex.tenantId, globex.siteId));
    await theirs.signIn();
    expect((await admin.get(`${B}/${theirs.deviceId}/`)).status).toBe(404);
    expect((await admin.post(`${B}/${theirs.deviceId}/revoke/`)).status).toBe(404);
    expect((await theirs.call('GET', '/sync/v1/pull?cursor=0')).status).toBe(200);

    await admin.post('/api/v1/tenants/acme/members/', { email: 'analyst@acme.test', password: 'analyst-password', role: 'analyst' });
    const analyst = await HqClient.signIn(cloud.url, 'analyst@acme.test', 'analyst-password');
    const mine = (await analyst.get(`${B}/?revoked=false`)).body.results[0];
    expect(mine).toBeDefined();
    expect((await analyst.post(`${B}/${mine.id}/revoke/`)).status).toBe(403);
    expect((await analyst.get(`${B}/enroll-tokens/`)).status).toBe(403);
    expect((await admin.get(`${B}/${mine.id}/`)).body.revoked).toBe(false);
  });
});
