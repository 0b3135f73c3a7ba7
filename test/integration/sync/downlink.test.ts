import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../../branch-server/db/sqlite.ts';
import type { SyncClient } from '../../../sync/client/sync-client.ts';
import type { SyncTransport } from '../../../sync/client/transport.ts';
import { pruneFeed } from '../../../sync/cloud/use-cases/feed.ts';
import { createCloudSite } from '../../../sync/cloud/use-cases/tenants.ts';
import { MIGRATIONS } from '../../../branch-server/db/migrations/index.ts';
import { httpTransport } from '../../../sync/client/transport.ts';
import { enrollmentToken, seedCloudTenant, startTestCloud, type SeededCloudTenant, type TestCloud } from '../../helpers/cloud.ts';
import { seedDemoTenant, startTestServer, type DemoTenant, type TestServer } from '../../helpers/server.ts';
import { hq, syncClient } from '../../helpers/sync.ts';

let cloud: TestCloud;
let acme: SeededCloudTenant;
let t: TestServer;
let demo: DemoTenant;
let db: Db;
let client: SyncClient;

beforeAll(async () => {
  cloud = await startTestCloud();
  acme = await seedCloudTenant(cloud, 'acme');
  t = await startTestServer();
  demo = await seedDemoTenant(t);
  db = t.server.deps.db;
  client = syncClient(db, cloud);
  await client.enroll(await enrollmentToken(cloud, acme.tenantId, acme.siteId));
  await client.syncOnce();
});
afterAll(async () => {
  await t?.close();
  await cloud?.stop();
});

const one = <T>(sqlText: string, ...params: unknown[]) => db.sqlite.prepare(sqlText).get(...params) as T;
const outboxDepth = () => Number(db.sqlite.prepare('SELECT count(*) FROM sync_outbox').pluck().get());

describe('change feed at the branch', () => {
  it('brings HQ changes to sites, services, queues, staff with skills and templates, writes no outbox rows, and lets HQ staff sign in offline', async () => {
    const siteId = await createCloudSite(cloud.deps, acme.tenantId, { name: 'Thiès', slug: 'thies' });
    const serviceId = await hq.service(cloud, acme.tenantId, 'Transfers');
    const queueId = await hq.queue(cloud, acme.tenantId, acme.siteId, serviceId, 'T');
    const agentId = await hq.member(cloud, acme.tenantId, 'awa@acme.test', 'agent-password-1', 'agent', [queueId]);
    // HQ hires someone whose e-mail the demo branch already used for one of its own agents.
    const clashId = await hq.member(cloud, acme.tenantId, demo.demo.agents[1]!.email, 'hq-password-22', 'manager');
    await hq.template(cloud, acme.tenantId, 'ticket_called', 'Ticket {{ticket_number}}: guichet {{counter}}');
    await hq.renameService(cloud, acme.tenantId, serviceId, 'Transfers & payments');

    const result = await client.syncOnce();
    expect(result.pulled).toBeGreaterThanOrEqual(7);
    expect(outboxDepth()).toBe(0);
    expect(one('SELECT name, tenant_id FROM site WHERE id = ?', siteId)).toEqual({ name: 'Thiès', tenant_id: acme.tenantId });
    expect(one('SELECT name, is_active FROM service WHERE id = ?', serviceId)).toEqual({ name: 'Transfers & payments', is_active: 1 });
    expect(one('SELECT prefix, status, site_id FROM queue WHERE id = ?', queueId)).toEqual({ prefix: 'T', status: 'open', site_id: acme.siteId });
    expect(db.sqlite.prepare('SELECT queue_id FROM agent_queue WHERE user_id = ?').pluck().all(agentId)).toEqual([queueId]);
    expect(one('SELECT role, is_active FROM tenant_membership WHERE user_id = ?', agentId)).toEqual({ role: 'agent', is_active: 1 });
    expect(one('SELECT count(*) AS n FROM agent_profile WHERE user_id = ?', agentId)).toEqual({ n: 1 });
    expect(one('SELECT body FROM notification_template WHERE key = ? AND is_active = 1', 'ticket_called'))
      .toEqual({ body: 'Ticket {{ticket_number}}: guichet {{counter}}' });

    // The local agent who had that e-mail stepped aside (renamed, inactive); the HQ one signs in.
    const local = one<{ email: string; is_active: number }>('SELECT email, is_active FROM user WHERE id = ?', demo.demo.agents[1]!.userId);
    expect(local.is_active).toBe(0);
    expect(local.email).not.toBe(demo.demo.agents[1]!.email);
    expect(one('SELECT id FROM user WHERE email = ?', demo.demo.agents[1]!.email)).toEqual({ id: clashId });
    const login = await t.api('POST', '/api/v1/auth/', { body: { email: 'awa@acme.test', password: 'agent-password-1' } });
    expect(login.status).toBe(200);
    const queues = await t.api('GET', `/api/v1/tenants/acme/queues/`, { token: login.body.token });
    expect(queues.status).toBe(200);
    expect(await t.api('POST', '/api/v1/auth/', { body: { email: demo.demo.agents[1]!.email, password: 'hq-password-22' } })).toMatchObject({ status: 200 });
  });

  it('takes a snapshot when its cursor falls behind the pruned feed, and deactivates what the cloud no longer has', async () => {
    const serviceId = await hq.service(cloud, acme.tenantId, 'Doomed');
    const templateId = await hq.template(cloud, acme.tenantId, 'farewell', 'Au revoir');
    await client.syncOnce();
    expect(one('SELECT is_active FROM notification_template WHERE id = ?', templateId)).toEqual({ is_active: 1 });

    // At HQ, while the branch is away: the template vanishes without a feed entry the branch will
    // ever see (the feed is pruned past the branch's cursor), and the service is renamed.
    await cloud.deps.cloud.withTenant(acme.tenantId, (trx) => trx.deleteFrom('notification_template').where('id', '=', templateId).execute());
    await hq.renameService(cloud, acme.tenantId, serviceId, 'Renamed while away');
    await hq.renameService(cloud, acme.tenantId, serviceId, 'Renamed twice while away');
    await cloud.deps.cloud.withTenant(acme.tenantId, (trx) => pruneFeed(trx, acme.tenantId, Date.now() + 60_000));

    const result = await client.syncOnce();
    expect(result.snapshot).toBe(true);
    expect(one('SELECT name FROM service WHERE id = ?', serviceId)).toEqual({ name: 'Renamed twice while away' });
    expect(one('SELECT is_active FROM notification_template WHERE id = ?', templateId)).toEqual({ is_active: 0 });
    const head = await cloud.db.db.selectFrom('tenant_feed_counter').select('value').where('tenant_id', '=', acme.tenantId).executeTakeFirstOrThrow();
    expect(Number(db.sqlite.prepare(`SELECT value FROM sync_state WHERE key = 'cursor'`).pluck().get())).toBe(Number(head.value));
    expect(outboxDepth()).toBe(0);
  });

  it('resumes an interrupted snapshot where it stopped instead of starting over', async () => {
    db.sqlite.prepare(`INSERT OR REPLACE INTO sync_state (key, value) VALUES ('cursor', '999999')`).run();
    const asked: string[] = [];
    const counting = (inner: SyncTransport): SyncTransport => async (req) => {
      if (req.path.startsWith('/sync/v1/snapshot')) asked.push(new URLSearchParams(req.path.split('?')[1]).get('entity')!);
      return inner(req);
    };
    const base = httpTransport(cloud.url, { timeoutMs: 10_000, schemaVersion: Object.keys(MIGRATIONS).length });
    let commits = 0;
    const crashing = syncClient(db, cloud, {
      transport: counting(base), pullLimit: 1,
      faults: { at: (point) => {
        if (point === 'client:after-apply-commit' && ++commits === 5) throw new Error('crash');
      } },
    });
    await expect(crashing.syncOnce()).rejects.toThrow('crash');
    const before = asked.length;
    expect(before).toBe(5);
    const reached = asked[before - 1]!;

    await syncClient(db, cloud, { transport: counting(base), pullLimit: 1 }).syncOnce();
    // The fresh client went on with the entity after the last committed page, not from 'tenant' again.
    expect(asked[before]).not.toBe('tenant');
    expect(asked.slice(before).every((entity) => entity !== 'tenant')).toBe(true);
    expect(['site', 'service', 'queue', 'user']).toContain(reached);
    expect(db.sqlite.prepare(`SELECT value FROM sync_state WHERE key = 'snapshot'`).get()).toBeUndefined();
    expect(db.sqlite.prepare('SELECT count(*) FROM sync_snapshot_seen').pluck().get()).toBe(0);
  });

  it('reports its pull lag, the HQ changes still to apply, page by page as a backlog comes down', async () => {
    for (let i = 0; i < 5; i += 1) await hq.service(cloud, acme.tenantId, `Backlog ${i}`);
    const real = httpTransport(cloud.url, { timeoutMs: 10_000, schemaVersion: Object.keys(MIGRATIONS).length });
    const lags: (number | null)[] = [];
    let paged: SyncClient | null = null;
    // Each request after the first pull shows what the status said once the previous page was applied.
    const transport: SyncTransport = async (req) => {
      if (req.path.startsWith('/sync/v1/pull')) lags.push(paged!.status().pull_lag);
      return real(req);
    };
    paged = syncClient(db, cloud, { transport, pullLimit: 2 });
    await paged.syncOnce();
    lags.push(paged.status().pull_lag);
    // Unknown before this client's first page; then 3, 1 and 0 changes to go.
    expect(lags).toEqual([null, 3, 1, 0]);
  });
});
