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
