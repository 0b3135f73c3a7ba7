import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../../branch-server/ids.ts';
import { RawDevice, enrollmentToken, seedCloudTenant, startTestCloud, type SeededCloudTenant, type TestCloud } from '../../helpers/cloud.ts';
import { HqClient } from '../../helpers/hq.ts';

let cloud: TestCloud;
let acme: SeededCloudTenant;
let globex: SeededCloudTenant;

type Row = Record<string, unknown> & { tenant_id: string };
/** Runs queries as the application role `sq_app` with `app.tenant_id` set (or not), the way the app's tenant work runs. */
type AppSession = (tenantId: string | null, queries: readonly string[]) => Promise<Row[][]>;

/**
 * On the PostgreSQL server: a real login as `sq_app` to this test's database. On PGlite (one
 * built-in user): the owner's connection switched to the role with SET ROLE, as the app does.
 */
function appSession(): AppSession {
  if (cloud.db.url) {
    const url = new URL(cloud.db.url);
    url.username = 'sq_app';
    url.password = '';
    return async (tenantId, queries) => {
      const client = new pg.Client({ connectionString: url.toString() });
      await client.connect();
      try {
        expect((await client.query('SELECT current_user AS u')).rows[0].u).toBe('sq_app');
        if (tenantId) await client.query("SELECT set_config('app.tenant_id', $1, false)", [tenantId]);
        const results: Row[][] = [];
        for (const text of queries) results.push((await client.query(text)).rows as Row[]);
        return results;
      } finally {
        await client.end();
      }
    };
  }
  return (tenantId, queries) => cloud.db.db.transaction().execute(async (trx) => {
    await sql`SET LOCAL ROLE sq_app`.execute(trx);
    if (tenantId) await sql`SELECT set_config('app.tenant_id', ${tenantId}, true)`.execute(trx);
    expect((await sql<{ u: string }>`SELECT current_user AS u`.execute(trx)).rows[0]!.u).toBe('sq_app');
    const results: Row[][] = [];
    for (const text of queries) results.push((await sql.raw<Row>(text).execute(trx)).rows);
    return results;
  });
}

async function seedBranchData(tenant: SeededCloudTenant, tickets: number): Promise<void> {
  const device = new RawDevice(cloud.url);
  await device.enroll(await enrollmentToken(cloud, tenant.tenantId, tenant.siteId));
  await device.signIn();
  const now = Date.now();
  const rows = Array.from({ length: tickets }, (_, i) => {
    const payload = {
      id: uuidv7(now), tenant_id: tenant.tenantId, site_id: tenant.siteId, queue_id: randomUUID(), number: `A${i}`, status: 'en_attente',
      channel: 'kiosk', priority: 0, created_at: now, updated_at: now, called_at: null, started_at: null, ended_at: null, agent_id: null, customer_id: null,
    };
    return { seq: i + 1, mutation_id: uuidv7(), entity: 'ticket', entity_id: payload.id, op: 'insert', payload, created_at: now };
  });
  const res = await device.call('POST', '/sync/v1/push', { stream_id: randomUUID(), rows, outbox_depth: 0, oldest_unsent_ms: null, clock_offset_ms: 0, app_version: 't' });
  expect(res.body.applied).toBe(tickets);
  const hq = await HqClient.signIn(cloud.url, tenant.adminEmail, tenant.adminPassword);
  for (let i = 0; i < 2; i += 1) {
    expect((await hq.post(`/api/v1/tenants/${tenant.slug}/customers/`, { first_name: `${tenant.slug}-${i}` })).status).toBe(201);
  }
}

beforeAll(async () => {
  cloud = await startTestCloud();
  acme = await seedCloudTenant(cloud, 'acme');
  globex = await seedCloudTenant(cloud, 'globex');
  await seedBranchData(acme, 3);
  await seedBranchData(globex, 4);
});
afterAll(async () => cloud?.stop());

const UNFILTERED = ['SELECT * FROM ticket', 'SELECT * FROM customer', 'SELECT * FROM site', 'SELECT * FROM change_feed', 'SELECT * FROM tenant'];

describe('row-level security', () => {
  it(`the application role ${process.env['DATABASE_URL'] ? '(a real sq_app login on the PostgreSQL server)' : '(SET ROLE sq_app on PGlite)'} cannot bypass it`, async () => {
    const [roles] = await appSession()(null, ["SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = 'sq_app'"]);
    expect(roles).toEqual([{ rolsuper: false, rolbypassrls: false }]);
  });

  it('a query without a tenant filter sees only the tenant set in app.tenant_id', async () => {
    const owner = cloud.deps.cloud.db;
    for (const tenant of [acme, globex]) {
      const [tickets, customers, sites, feed, tenants] = await appSession()(tenant.tenantId, UNFILTERED);
      const expected = await owner.selectFrom('ticket').select('id').where('tenant_id', '=', tenant.tenantId).execute();
      expect(tickets!.length).toBe(expected.length);
      expect(tickets!.length).toBeGreaterThan(0);
      for (const rows of [tickets!, customers!, sites!, feed!]) {
        expect(rows.length).toBeGreaterThan(0);
        expect(new Set(rows.map((r) => r.tenant_id))).toEqual(new Set([tenant.tenantId]));
      }
      expect(tenants!.map((t) => t['slug'])).toEqual([tenant.slug]);
    }
    // The owner sees both tenants' tickets: the filtering above is the policies' doing.
    const all = await owner.selectFrom('ticket').select('tenant_id').distinct().execute();
    expect(all).toHaveLength(2);
  });

  it('sees nothing at all when no tenant is set', async () => {
    const results = await appSession()(null, UNFILTERED);
    expect(results.map((rows) => rows.length)).toEqual([0, 0, 0, 0, 0]);
  });

  it("cannot write a row into another tenant, nor change another tenant's rows", async () => {
    const session = appSession();
    await expect(session(acme.tenantId, [
      `INSERT INTO site (id, tenant_id, name, slug, timezone, created_at, updated_at) VALUES ('${randomUUID()}', '${globex.tenantId}', 'Evil', 'evil', 'UTC', 0, 0)`,
    ])).rejects.toThrow(/row-level security/);
    const [updated] = await session(acme.tenantId, [`UPDATE site SET name = 'Hijacked' WHERE tenant_id = '${globex.tenantId}' RETURNING id`]);
    expect(updated).toEqual([]);
    const site = await cloud.deps.cloud.db.selectFrom('site').select('name').where('id', '=', globex.siteId).executeTakeFirstOrThrow();
    expect(site.name).toBe('globex main');
  });
});
