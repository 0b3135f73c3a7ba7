import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { qb } from '../../../branch-server/db/sqlite.ts';
import type { DomainEvent } from '../../../branch-server/use-cases/events.ts';
import { pairNewDevice } from '../../helpers/pairing.ts';
import { seedDemoTenant, startTestServer, type DemoTenant, type TestServer } from '../../helpers/server.ts';

describe('displays API', () => {
  let t: TestServer;
  let d: DemoTenant;
  let other: DemoTenant;
  const base = (slug = d.slug) => `/api/v1/tenants/${slug}/displays/`;
  const count = () => t.server.deps.db.raw<{ n: number }>('SELECT COUNT(*) AS n FROM display WHERE tenant_id = ?', d.tenantId)[0]!.n;
  const auditActions = (id: string) => t.server.deps.db.raw<{ action: string }>('SELECT action FROM audit_log WHERE entity_id = ? ORDER BY seq', id).map((r) => r.action);
  const create = async (body: Record<string, unknown> = {}) => {
    const res = await t.api('POST', base(), { token: d.adminToken, body: { name: 'Hall', type: 'main', queue_ids: [d.demo.queues[0]!.id], ...body } });
    expect(res.status).toBe(201);
    return res.body as { id: string };
  };

  beforeAll(async () => {
    t = await startTestServer();
    [d, other] = await Promise.all([seedDemoTenant(t), seedDemoTenant(t, 'other-bank')]);
  });
  afterAll(() => t.close());

  it('creates, lists, reads, updates and deletes a display, auditing each change', async () => {
    const [qa, qbee] = d.demo.queues;
    const created = await t.api('POST', base(), {
      token: d.adminToken,
      body: { name: 'Écran principal', type: 'main', queue_ids: [qa!.id, qbee!.id], languages: ['fr', 'ar'], layout: { columns: 2 }, theme: { primary: '#0a4' } },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: 'Écran principal', type: 'main', site: d.demo.siteId, queue_ids: [qa!.id, qbee!.id], languages: ['fr', 'ar'],
      layout: { columns: 2 }, theme: { primary: '#0a4' }, last_seen_at: null, is_online: false,
    });
    expect(created.body.queues.map((q: { prefix: string }) => q.prefix)).toEqual(['A', 'B']);
    const id = created.body.id as string;

    const list = await t.api('GET', base(), { token: d.adminToken });
    expect(list.body).toMatchObject({ count: 1, next: null, previous: null });
    expect(list.body.results[0].id).toBe(id);

    const patched = await t.api('PATCH', `${base()}${id}/`, { token: d.adminToken, body: { type: 'waiting_room', queue_ids: [qbee!.id] } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ type: 'waiting_room', queue_ids: [qbee!.id], languages: ['fr', 'ar'], name: 'Écran principal' });
    expect((await t.api('GET', `${base()}${id}/`, { token: d.adminToken })).body.type).toBe('waiting_room');

    expect((await t.api('DELETE', `${base()}${id}/`, { token: d.adminToken })).status).toBe(204);
    expect((await t.api('GET', `${base()}${id}/`, { token: d.adminToken })).status).toBe(404);
    expect(auditActions(id)).toEqual(['display.created', 'display.updated', 'display.deleted']);
  });

  it('tells the TV to reload after a change is committed', async () => {
    const { id } = await create();
    const seen: DomainEvent[] = [];
    const stop = t.server.events.subscribe((e) => {
      if (e.kind === 'display-refresh') {
        // Published after commit: the new configuration is already readable.
        expect(t.server.deps.db.raw<{ name: string }>('SELECT name FROM display WHERE id = ?', id)[0]!.name).toBe('Hall 2');
        seen.push(e);
      }
    });
    try {
      await t.api('PATCH', `${base()}${id}/`, { token: d.adminToken, body: { name: 'Hall 2' } });
      const refused = await t.api('PATCH', `${base()}${id}/`, { token: d.adminToken, body: { type: 'billboard' } });
      expect(refused.status).toBe(400);
    } finally {
      stop();
    }
    expect(seen).toEqual([{ kind: 'display-refresh', tenantId: d.tenantId, tenantSlug: d.slug, displayId: id }]);
  });

  it("refuses another tenant's queue with 400 invalid-reference, creating nothing", async () => {
    const before = count();
    const res = await t.api('POST', base(), {
      token: d.adminToken, body: { name: 'X', type: 'counter', queue_ids: [d.demo.queues[0]!.id, other.demo.queues[0]!.id] },
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('invalid-reference');
    expect(res.body.details).toEqual([{ field: 'queue_ids.1', message: 'unknown queue' }]);
    expect(count()).toBe(before);
  });

  it('refuses a queue of another site than the one given', async () => {
    const now = Date.now();
    const siteId = crypto.randomUUID();
    t.server.deps.db.run(qb.insertInto('site').values({ id: siteId, tenant_id: d.tenantId, name: 'Thiès', slug: 'thies', timezone: 'Africa/Dakar', created_at: now, updated_at: now }));
    const res = await t.api('POST', base(), { token: d.adminToken, body: { name: 'X', type: 'main', queue_ids: [d.demo.queues[0]!.id], site: siteId } });
    expect(res.status).toBe(400);
    expect(res.body.details).toEqual([{ field: 'queue_ids.0', message: 'queue of another site' }]);
    const foreignSite = await t.api('POST', base(), { token: d.adminToken, body: { name: 'X', type: 'main', queue_ids: [d.demo.queues[0]!.id], site: other.demo.siteId } });
    expect(foreignSite.status).toBe(400);
    expect(foreignSite.body.details).toEqual([{ field: 'site', message: 'unknown site' }]);
  });

  it('refuses bad input with details: unknown type, no queues, repeated language, unknown field', async () => {
    const before = count();
    const cases: [Record<string, unknown>, string][] = [
      [{ name: 'X', type: 'billboard', queue_ids: [d.demo.queues[0]!.id] }, 'type'],
      [{ name: 'X', type: 'main', queue_ids: [] }, 'queue_ids'],
      [{ name: 'X', type: 'main', queue_ids: [d.demo.queues[0]!.id], languages: ['fr', 'fr'] }, 'languages'],
      [{ name: ' ', type: 'main', queue_ids: [d.demo.queues[0]!.id] }, 'name'],
      [{ name: 'X', type: 'main', queue_ids: [d.demo.queues[0]!.id], colour: 'red' }, '(body)'],
    ];
    for (const [body, field] of cases) {
      const res = await t.api('POST', base(), { token: d.adminToken, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.details.map((x: { field: string }) => x.field)).toContain(field);
    }
    expect(count()).toBe(before);
  });

  it('lets an agent read displays but not change them', async () => {
    const { id } = await create();
    const agent = d.agentTokens[1]!;
    expect((await t.api('GET', base(), { token: agent })).status).toBe(200);
    expect((await t.api('GET', `${base()}${id}/`, { token: agent })).status).toBe(200);
    const refusals = await Promise.all([
      t.api('POST', base(), { token: agent, body: { name: 'X', type: 'main', queue_ids: [d.demo.queues[0]!.id] } }),
      t.api('PATCH', `${base()}${id}/`, { token: agent, body: { name: 'Mine' } }),
      t.api('DELETE', `${base()}${id}/`, { token: agent }),
    ]);
    for (const res of refusals) {
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('missing-scope');
    }
    expect((await t.api('GET', `${base()}${id}/`, { token: d.adminToken })).body.name).toBe('Hall');
  });

  it("keeps another tenant's displays invisible", async () => {
    const { id } = await create();
    expect((await t.api('GET', `${base(other.slug)}${id}/`, { token: other.adminToken })).status).toBe(404);
    expect((await t.api('PATCH', `${base(other.slug)}${id}/`, { token: other.adminToken, body: { name: 'Mine' } })).status).toBe(404);
    expect((await t.api('DELETE', `${base(other.slug)}${id}/`, { token: other.adminToken })).status).toBe(404);
    expect((await t.api('GET', base(other.slug), { token: other.adminToken })).body.count).toBe(0);
    expect((await t.api('GET', base(), { token: other.adminToken })).status).toBe(403);
  });

  it('shows a paired display its own configuration only, read-only', async () => {
    const mine = await create({ name: 'Counter 1', type: 'counter' });
    const theirs = await create({ name: 'Counter 2', type: 'counter' });
    const device = await pairNewDevice(t, d, { type: 'display', display_id: mine.id });

    const own = await t.api('GET', `${base()}${mine.id}/`, { device: device.key });
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ id: mine.id, is_online: true });
    expect(own.body.queues[0]).toMatchObject({ name: d.demo.queues[0]!.name, prefix: 'A' });
    const list = await t.api('GET', base(), { device: device.key });
    expect(list.body.results.map((r: { id: string }) => r.id)).toEqual([mine.id]);
    expect((await t.api('GET', `${base()}${theirs.id}/`, { device: device.key })).status).toBe(404);
    expect((await t.api('PATCH', `${base()}${mine.id}/`, { device: device.key, body: { name: 'Hacked' } })).status).toBe(403);
    expect((await t.api('GET', base(other.slug), { device: device.key })).status).toBe(403);
  });

  it('refuses to delete a display a live device uses, and allows it once the device is revoked', async () => {
    const { id } = await create();
    const device = await pairNewDevice(t, d, { type: 'display', display_id: id });
    const refused = await t.api('DELETE', `${base()}${id}/`, { token: d.adminToken });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatch(/Revoke/);
    expect((await t.api('DELETE', `/api/v1/tenants/${d.slug}/devices/${device.id}/`, { token: d.adminToken })).status).toBe(204);
    expect((await t.api('DELETE', `${base()}${id}/`, { token: d.adminToken })).status).toBe(204);
    expect((await t.api('GET', `/api/v1/tenants/${d.slug}/devices/${device.id}/`, { token: d.adminToken })).body).toMatchObject({ status: 'revoked', display_id: null });
  });
});
