import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../../branch-server/ids.ts';
import { RawDevice, enrollmentToken, seedCloudTenant, startTestCloud, type SeededCloudTenant, type TestCloud } from '../../helpers/cloud.ts';

let cloud: TestCloud;
let acme: SeededCloudTenant;

beforeAll(async () => {
  cloud = await startTestCloud();
  acme = await seedCloudTenant(cloud, 'acme');
});
afterAll(async () => cloud?.stop());

function ticketRow(tenantId: string, siteId: string, now = Date.now()) {
  const id = uuidv7(now);
  return {
    id, tenant_id: tenantId, site_id: siteId, queue_id: randomUUID(), number: 'A001', status: 'en_attente', channel: 'kiosk',
    priority: 0, created_at: now, updated_at: now, called_at: null, started_at: null, ended_at: null, agent_id: null, customer_id: null,
  };
}

function outbox(seq: number, entity: string, payload: { id: string }) {
  return { seq, mutation_id: uuidv7(), entity, entity_id: payload.id, op: 'insert', payload, created_at: Date.now() };
}

function pushBody(streamId: string, rows: unknown[]) {
  return { stream_id: streamId, rows, outbox_depth: 0, oldest_unsent_ms: null, clock_offset_ms: 0, app_version: 'test' };
}

describe('sync API', () => {
  it('enrolls with a single-use token, signs in by challenge, and a replayed token is refused', async () => {
    const token = await enrollmentToken(cloud, acme.tenantId, acme.siteId);
    const device = new RawDevice(cloud.url);
    const enrolled = await device.enroll(token);
    expect(enrolled.status).toBe(201);
    expect(enrolled.body.tenant.slug).toBe('acme');
    expect(enrolled.body.site.id).toBe(acme.siteId);
    expect((await device.signIn()).status).toBe(200);

    const replay = await new RawDevice(cloud.url).enroll(token);
    expect(replay.status).toBe(400);
    expect(replay.body.code).toBe('enrollment-token-invalid');
  });

  it('applies a batch once, skips a resent batch as duplicates and refuses a gap with the expected seq', async () => {
    const device = new RawDevice(cloud.url);
    await device.enroll(await enrollmentToken(cloud, acme.tenantId, acme.siteId));
    await device.signIn();
    const stream = randomUUID();
    const rows = [1, 2, 3].map((seq) => outbox(seq, 'ticket', ticketRow(acme.tenantId, acme.siteId)));
    const first = await device.call('POST', '/sync/v1/push', pushBody(stream, rows));
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ last_applied_seq: 3, applied: 3, duplicates: 0, rejected: [] });

    const again = await device.call('POST', '/sync/v1/push', pushBody(stream, rows));
    expect(again.body).toMatchObject({ last_applied_seq: 3, applied: 0, duplicates: 3 });

    const gap = await device.call('POST', '/sync/v1/push', pushBody(stream, [outbox(5, 'ticket', ticketRow(acme.tenantId, acme.siteId))]));
    expect(gap.status).toBe(409);
    expect(gap.body).toMatchObject({ code: 'sync-gap', details: { expected_seq: 4 } });

    const count = await cloud.db.db.selectFrom('ticket').select((eb) => eb.fn.countAll<number>().as('n')).where('device_id', '=', device.deviceId).executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(3);
  });

  it('dead-letters a row naming another tenant without blocking the rows after it', async () => {
    const other = await seedCloudTenant(cloud, 'other-bank');
    const device = new RawDevice(cloud.url);
    await device.enroll(await enrollmentToken(cloud, acme.tenantId, acme.siteId));
    await device.signIn();
    const foreign = ticketRow(other.tenantId, other.siteId);
    const good = ticketRow(acme.tenantId, acme.siteId);
    const res = await device.call('POST', '/sync/v1/push', pushBody(randomUUID(), [outbox(1, 'ticket', foreign), outbox(2, 'ticket', good)]));
    expect(res.status).toBe(200);
    expect(res.body.applied).toBe(1);
    expect(res.body.rejected).toEqual([expect.objectContaining({ seq: 1, error: expect.stringContaining('tenant') })]);
    const foreignRows = await cloud.db.db.selectFrom('ticket').select('id').where('tenant_id', '=', other.tenantId).execute();
    expect(foreignRows).toEqual([]);
  });

  it('pulls the change feed from a cursor, and answers 410 for a cursor beyond the head', async () => {
    const device = new RawDevice(cloud.url);
    await device.enroll(await enrollmentToken(cloud, acme.tenantId, acme.siteId));
    await device.signIn();
    const page = await device.call('GET', '/sync/v1/pull?cursor=0');
    expect(page.status).toBe(200);
    const entities = page.body.changes.map((c: { entity: string }) => c.entity);
    expect(entities).toEqual(expect.arrayContaining(['tenant', 'user', 'tenant_membership', 'site']));
    const user = page.body.changes.find((c: { entity: string }) => c.entity === 'user');
    expect(user.data.password_hash).toMatch(/^\$argon2id\$/);
    expect((await device.call('GET', `/sync/v1/pull?cursor=${page.body.cursor + 1000}`)).status).toBe(410);
  });

  it('refuses a request without the protocol header', async () => {
    const device = new RawDevice(cloud.url);
    const res = await device.call('POST', '/sync/v1/challenge', { device_id: randomUUID() }, { 'x-sync-protocol': '99' });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('protocol-unsupported');
  });
});

describe('sync API security', () => {
  async function enrolledDevice(tenant: SeededCloudTenant, siteId = tenant.siteId): Promise<RawDevice> {
    const device = new RawDevice(cloud.url);
    await device.enroll(await enrollmentToken(cloud, tenant.tenantId, siteId));
    await device.signIn();
    return device;
  }

  it("refuses rows naming another branch's site or rewriting another branch's ticket, and writes nothing for them", async () => {
    const { createCloudSite } = await import('../../../sync/cloud/use-cases/tenants.ts');
    const secondSite = await createCloudSite(cloud.deps, acme.tenantId, { name: 'Second', slug: `second-${Date.now()}` });
    const here = await enrolledDevice(acme);
    const there = await enrolledDevice(acme, secondSite);
    const theirs = ticketRow(acme.tenantId, secondSite);
    expect((await there.call('POST', '/sync/v1/push', pushBody(randomUUID(), [outbox(1, 'ticket', theirs)]))).body.applied).toBe(1);

    const hijack = { ...theirs, site_id: acme.siteId, status: 'clos' };
    const wrongSite = ticketRow(acme.tenantId, secondSite);
    const res = await here.call('POST', '/sync/v1/push', pushBody(randomUUID(), [outbox(1, 'ticket', hijack), outbox(2, 'ticket', wrongSite)]));
    expect(res.body.applied).toBe(0);
    expect(res.body.rejected.map((r: { error: string }) => r.error)).toEqual([
      expect.stringContaining('another branch'),
      expect.stringContaining("not this branch's site"),
    ]);
    const stored = await cloud.db.db.selectFrom('ticket').select(['status', 'device_id']).where('id', '=', theirs.id).executeTakeFirstOrThrow();
    expect(stored).toEqual({ status: 'en_attente', device_id: there.deviceId });
    const dead = await cloud.db.db.selectFrom('sync_dead_letter').select('seq').where('device_id', '=', here.deviceId).orderBy('seq').execute();
    expect(dead.map((d) => d.seq)).toEqual([1, 2]);
  });

  it("refuses an event whose id another tenant already holds, without touching that tenant's row", async () => {
    const bank = await seedCloudTenant(cloud, `bank-${Date.now()}`);
    const mine = await enrolledDevice(acme);
    const theirs = await enrolledDevice(bank);
    const ticket = ticketRow(bank.tenantId, bank.siteId);
    const event = { id: uuidv7(), tenant_id: bank.tenantId, ticket_id: ticket.id, type: 'created', to_status: 'en_attente', created_at: Date.now() };
    await theirs.call('POST', '/sync/v1/push', pushBody(randomUUID(), [outbox(1, 'ticket', ticket), outbox(2, 'ticket_event', event)]));

    const copy = { ...event, tenant_id: acme.tenantId, type: 'forged' };
    const res = await mine.call('POST', '/sync/v1/push', pushBody(randomUUID(), [outbox(1, 'ticket_event', copy)]));
    expect(res.body.rejected).toEqual([expect.objectContaining({ seq: 1, error: expect.stringContaining('another tenant') })]);
    const stored = await cloud.db.db.selectFrom('ticket_event').select(['tenant_id', 'type']).where('id', '=', event.id).executeTakeFirstOrThrow();
    expect(stored).toEqual({ tenant_id: bank.tenantId, type: 'created' });
  });

  it('locks out a revoked branch at its next request, and its device token cannot be refreshed', async () => {
    const { revokeDevice } = await import('../../../sync/cloud/use-cases/enrollment.ts');
    const device = await enrolledDevice(acme);
    expect(await revokeDevice(cloud.deps, acme.tenantId, device.deviceId)).toBe(true);
    const push = await device.call('POST', '/sync/v1/push', pushBody(randomUUID(), [outbox(1, 'ticket', ticketRow(acme.tenantId, acme.siteId))]));
    expect(push.status).toBe(401);
    expect(push.body.code).toBe('device-revoked');
    const again = await device.signIn();
    expect(again.status).toBe(401);
    const rows = await cloud.db.db.selectFrom('ticket').select('id').where('device_id', '=', device.deviceId).execute();
    expect(rows).toEqual([]);
  });

  it('refuses a challenge signed by another key', async () => {
    const device = await enrolledDevice(acme);
    const impostor = new RawDevice(cloud.url);
    impostor.deviceId = device.deviceId;
    const res = await impostor.signIn();
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('token-invalid');
  });
});

describe('change feed retention', () => {
  it('sends a branch whose cursor fell behind the pruned feed to a snapshot, which has every live row', async () => {
    const { pruneFeeds } = await import('../../../sync/cloud/use-cases/maintenance.ts');
    const { createCloudSite } = await import('../../../sync/cloud/use-cases/tenants.ts');
    const tenant = await seedCloudTenant(cloud, `pruned-${Date.now()}`);
    const device = new RawDevice(cloud.url);
    await device.enroll(await enrollmentToken(cloud, tenant.tenantId, tenant.siteId));
    await device.signIn();
    const siteB = await createCloudSite(cloud.deps, tenant.tenantId, { name: 'B', slug: 'b' });

    await pruneFeeds({ ...cloud.deps, now: () => Date.now() + cloud.deps.config.feedRetentionMs + 60_000 });
    const stale = await device.call('GET', '/sync/v1/pull?cursor=0');
    expect(stale.status).toBe(410);
    expect(stale.body.code).toBe('snapshot-required');

    const sites = await device.call('GET', '/sync/v1/snapshot?entity=site');
    expect(sites.status).toBe(200);
    expect(sites.body.rows.map((r: { id: string }) => r.id).sort()).toEqual([tenant.siteId, siteB].sort());
    const head = await device.call('GET', `/sync/v1/pull?cursor=${sites.body.as_of}`);
    expect(head.status).toBe(200);
    expect(head.body.changes).toEqual([]);
  });
});
