import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GENESIS_HASH, hashAuditRow } from '../../../branch-server/db/repositories/audit.repository.ts';
import { uuidv7 } from '../../../branch-server/ids.ts';
import { createCloudSite } from '../../../sync/cloud/use-cases/tenants.ts';
import { RawDevice, enrollmentToken, seedCloudTenant, startTestCloud, type SeededCloudTenant, type TestCloud } from '../../helpers/cloud.ts';
import { HqClient } from '../../helpers/hq.ts';

let cloud: TestCloud;
let acme: SeededCloudTenant;
let globex: SeededCloudTenant;
let admin: HqClient;
const T = '/api/v1/tenants/acme';
const DAY = Date.UTC(2026, 10, 2, 8, 0, 0);
const MIN = 60_000;

/** A branch pushing its outbox: one stream, consecutive seqs. */
class Branch {
  readonly device: RawDevice;
  readonly stream = randomUUID();
  seq = 0;
  lastAuditHash = GENESIS_HASH;

  constructor(readonly tenant: SeededCloudTenant, readonly siteId: string) {
    this.device = new RawDevice(cloud.url);
  }

  async start(): Promise<this> {
    await this.device.enroll(await enrollmentToken(cloud, this.tenant.tenantId, this.siteId));
    await this.device.signIn();
    return this;
  }

  async push(entity: string, payloads: ({ id: string } & Record<string, unknown>)[]): Promise<void> {
    const rows = payloads.map((payload) => ({
      seq: ++this.seq, mutation_id: uuidv7(), entity, entity_id: payload.id, op: 'insert', payload, created_at: DAY,
    }));
    const res = await this.device.call('POST', '/sync/v1/push', {
      stream_id: this.stream, rows, outbox_depth: 0, oldest_unsent_ms: null, clock_offset_ms: 250, app_version: 'test',
    });
    expect(res.status).toBe(200);
    expect(res.body.rejected).toEqual([]);
  }

  /** A ticket created at `created` (minutes after DAY), called `waitMin` minutes later (null: still waiting). */
  ticket(queueId: string, created: number, waitMin: number | null, extra: Record<string, unknown> = {}) {
    const createdAt = DAY + created * MIN;
    const calledAt = waitMin === null ? null : createdAt + waitMin * MIN;
    return {
      id: uuidv7(createdAt), tenant_id: this.tenant.tenantId, site_id: this.siteId, queue_id: queueId, number: `A${String(created).padStart(3, '0')}`,
      status: calledAt === null ? 'en_attente' : 'clos', channel: 'kiosk', priority: 0, created_at: createdAt, updated_at: calledAt ?? createdAt,
      called_at: calledAt, started_at: calledAt, ended_at: calledAt === null ? null : calledAt + 5 * MIN, agent_id: null, customer_id: null,
      public_id: `pub${randomUUID().replaceAll('-', '')}`, customer_name: '', customer_phone: '', counter_label: 'Guichet 1', recall_count: 0,
      ...extra,
    };
  }

  /** Audit rows chained exactly as the branch chains them. */
  audit(count: number) {
    return Array.from({ length: count }, (_, i) => {
      const row = {
        id: uuidv7(DAY + i), tenant_id: this.tenant.tenantId, actor_user_id: this.tenant.adminUserId, actor_device_id: null,
        action: 'ticket.called', entity: 'ticket', entity_id: randomUUID(), before: JSON.stringify({ status: 'en_attente' }),
        after: JSON.stringify({ status: 'appele', n: i }), ip: '10.0.0.7', user_agent: 'agent-desk', endpoint: 'POST /agents/call-next/',
        created_at: DAY + i * MIN, prev_hash: this.lastAuditHash,
      };
      const hash = hashAuditRow(row);
      this.lastAuditHash = hash;
      return { ...row, hash };
    });
  }
}

let plateau: Branch;
let thies: Branch;
let retrait: { service: string; queue: string };
let conseil: { service: string; queue: string };
let thiesRetrait: string;

beforeAll(async () => {
  cloud = await startTestCloud();
  acme = await seedCloudTenant(cloud, 'acme');
  globex = await seedCloudTenant(cloud, 'globex');
  admin = await HqClient.signIn(cloud.url, acme.adminEmail, acme.adminPassword);
  const thiesSite = await createCloudSite(cloud.deps, acme.tenantId, { name: 'Thiès', slug: 'thies' });
  const makeQueue = async (site: string, service: string, name: string, prefix: string) =>
    (await admin.post(`${T}/queues/`, { site, service, name, prefix })).body.id as string;
  const retraitService = (await admin.post(`${T}/queues/services/`, { name: 'Retrait' })).body.id;
  const conseilService = (await admin.post(`${T}/queues/services/`, { name: 'Conseil' })).body.id;
  retrait = { service: retraitService, queue: await makeQueue(acme.siteId, retraitService, 'Retrait', 'B') };
  conseil = { service: conseilService, queue: await makeQueue(acme.siteId, conseilService, 'Conseil', 'C') };
  thiesRetrait = await makeQueue(thiesSite, retraitService, 'Retrait Thiès', 'B');

  plateau = await new Branch(acme, acme.siteId).start();
  thies = await new Branch(acme, thiesSite).start();
  // Retrait at Plateau: waits 1, 2, 3, 4, 10 min and one still waiting; Conseil: 0.5 min; Thiès: 20 min; one ticket the day before.
  await plateau.push('ticket', [
    plateau.ticket(retrait.queue, 0, 1, { customer_name: 'Awa Diop' }), plateau.ticket(retrait.queue, 10, 2), plateau.ticket(retrait.queue, 20, 3),
    plateau.ticket(retrait.queue, 30, 4), plateau.ticket(retrait.queue, 40, 10), plateau.ticket(retrait.queue, 50, null),
    plateau.ticket(conseil.queue, 60, 0.5), plateau.ticket(retrait.queue, -24 * 60, 99),
  ]);
  await thies.push('ticket', [thies.ticket(thiesRetrait, 5, 20)]);
  const globexBranch = await new Branch(globex, globex.siteId).start();
  const globexService = (await (await HqClient.signIn(cloud.url, globex.adminEmail, globex.adminPassword))
    .post('/api/v1/tenants/globex/queues/services/', { name: 'Retrait' })).body.id;
  const globexQueue = (await (await HqClient.signIn(cloud.url, globex.adminEmail, globex.adminPassword))
    .post('/api/v1/tenants/globex/queues/', { site: globex.siteId, service: globexService, name: 'Retrait', prefix: 'B' })).body.id;
  await globexBranch.push('ticket', [globexBranch.ticket(globexQueue, 0, 300)]);
});
afterAll(async () => cloud?.stop());

describe('tickets, events and feedback at HQ', () => {
  it('lists uploaded tickets newest first with filters from, to, site and status, paginated', async () => {
    const day = `from=2026-11-02&to=2026-11-03`;
    const all = await admin.get(`${T}/tickets/?${day}&page_size=5`);
    expect(all.status).toBe(200);
    expect(all.body.count).toBe(8);
    expect(all.body.results).toHaveLength(5);
    expect(all.body.next).toContain('page=2');
    const createdAt = all.body.results.map((t: { created_at: string }) => t.created_at);
    expect([...createdAt].sort().reverse()).toEqual(createdAt);

    expect((await admin.get(`${T}/tickets/?${day}&site=${acme.siteId}`)).body.count).toBe(7);
    const waiting = await admin.get(`${T}/tickets/?status=en_attente`);
    expect(waiting.body.results).toEqual([expect.objectContaining({ queue: retrait.queue, queue_name: 'Retrait', site_name: 'acme main', wait_seconds: null, called_at: null })]);
    const first = (await admin.get(`${T}/tickets/?from=2026-11-02T08:00:00Z&to=2026-11-02T08:00:01Z`)).body.results;
    expect(first).toEqual([expect.objectContaining({
      number: 'A000', customer_name: 'Awa Diop', counter: 'Guichet 1', wait_seconds: 60, clock_offset_ms: 250, branch: plateau.device.deviceId,
    })]);
    expect((await admin.get(`${T}/tickets/${first[0].id}/`)).body.id).toBe(first[0].id);
    expect((await admin.get(`${T}/tickets/?from=yesterday`)).status).toBe(400);
  });

  it('shows the events of a ticket and the feedback left on it', async () => {
    const ticket = (await admin.get(`${T}/tickets/?from=2026-11-02T08:10:00Z&to=2026-11-02T08:10:01Z`)).body.results[0];
    const event = (type: string, to: string, at: number) => ({
      id: uuidv7(at), tenant_id: acme.tenantId, ticket_id: ticket.id, type, from_status: null, to_status: to, created_at: at,
      actor_user_id: null, actor_device_id: null, reason: '', explanation: JSON.stringify({ policy: 'fifo' }),
    });
    await plateau.push('ticket_event', [event('ticket.created', 'en_attente', DAY + 10 * MIN), event('ticket.called', 'appele', DAY + 12 * MIN)]);
    await plateau.push('feedback', [{
      id: uuidv7(DAY), tenant_id: acme.tenantId, ticket_id: ticket.id, customer_id: null, csat: 4, nps: 9, nps_category: 'promoter',
      wait_rating: 5, service_rating: 4, comment: 'Rapide', tags: '["speed"]', channel: 'kiosk', created_at: DAY + 20 * MIN,
    }]);

    const events = await admin.get(`${T}/tickets/${ticket.id}/events/`);
    expect(events.body.map((e: { type: string }) => e.type)).toEqual(['ticket.created', 'ticket.called']);
    expect(events.body[1]).toMatchObject({ to_status: 'appele', explanation: { policy: 'fifo' }, site: acme.siteId });
    expect((await admin.get(`${T}/ticket-events/?ticket=${ticket.id}`)).body.count).toBe(2);
    const feedback = await admin.get(`${T}/feedback/?site=${acme.siteId}`);
    expect(feedback.body.results).toEqual([expect.objectContaining({
      ticket: ticket.id, ticket_number: 'A010', queue: retrait.queue, csat: 4, nps: 9, nps_category: 'promoter', tags: ['speed'], comment: 'Rapide',
    })]);
  });

  it("answers 404 for another tenant's ticket and never lists its rows", async () => {
    const theirs = await cloud.deps.cloud.db.selectFrom('ticket').select('id').where('tenant_id', '=', globex.tenantId).executeTakeFirstOrThrow();
    expect((await admin.get(`${T}/tickets/${theirs.id}/`)).status).toBe(404);
    expect((await admin.get(`${T}/tickets/${theirs.id}/events/`)).status).toBe(404);
    const ids = (await admin.get(`${T}/tickets/?page_size=100`)).body.results.map((t: { id: string }) => t.id);
    expect(ids).not.toContain(theirs.id);
  });
});

describe('reports/wait-times', () => {
  it('gives average, median and p90 wait per service and per queue across branches', async () => {
    const res = await admin.get(`${T}/reports/wait-times/?from=2026-11-02&to=2026-11-03`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ from: '2026-11-02T00:00:00.000Z', to: '2026-11-03T00:00:00.000Z', site: null, service: null });
    // Called waits (s): 60, 120, 180, 240, 600, 30 at Plateau, 1200 at Thiès.
    expect(res.body.totals).toEqual({ tickets: 8, called: 7, avg_wait_seconds: 347, median_wait_seconds: 180, p90_wait_seconds: 1200 });
    expect(res.body.services).toEqual([
      { service: conseil.service, service_name: 'Conseil', tickets: 1, called: 1, avg_wait_seconds: 30, median_wait_seconds: 30, p90_wait_seconds: 30 },
      { service: retrait.service, service_name: 'Retrait', tickets: 7, called: 6, avg_wait_seconds: 400, median_wait_seconds: 180, p90_wait_seconds: 1200 },
    ]);
    // Ordered by site name, whose collation differs between servers: compared as a set.
    expect(res.body.queues).toHaveLength(3);
    expect(res.body.queues).toEqual(expect.arrayContaining([
      expect.objectContaining({ queue: retrait.queue, site_name: 'acme main', tickets: 6, called: 5, avg_wait_seconds: 240, median_wait_seconds: 180, p90_wait_seconds: 600 }),
      expect.objectContaining({ queue: conseil.queue, tickets: 1, called: 1, avg_wait_seconds: 30 }),
      expect.objectContaining({ queue: thiesRetrait, site_name: 'Thiès', service_name: 'Retrait', tickets: 1, called: 1, avg_wait_seconds: 1200 }),
    ]));
  });

  it('filters by site and service, and refuses a bad period or a foreign site', async () => {
    const site = await admin.get(`${T}/reports/wait-times/?from=2026-11-02&to=2026-11-03&site=${acme.siteId}&service=${retrait.service}`);
    expect(site.body.totals).toEqual({ tickets: 6, called: 5, avg_wait_seconds: 240, median_wait_seconds: 180, p90_wait_seconds: 600 });
    expect(site.body.queues.map((q: { queue: string }) => q.queue)).toEqual([retrait.queue]);
    expect((await admin.get(`${T}/reports/wait-times/?from=2026-11-03&to=2026-11-02`)).status).toBe(400);
    const foreign = await admin.get(`${T}/reports/wait-times/?site=${globex.siteId}`);
    expect(foreign.status).toBe(400);
    expect(foreign.body.code).toBe('invalid-reference');
  });
});

describe('audit logs', () => {
  it("lists each branch's audit rows and verifies every chain", async () => {
    await plateau.push('audit_log', plateau.audit(5));
    await thies.push('audit_log', thies.audit(3));
    const list = await admin.get(`${T}/audit-logs/?branch=${plateau.device.deviceId}`);
    expect(list.body.count).toBe(5);
    expect(list.body.results[0]).toMatchObject({
      action: 'ticket.called', actor_email: acme.adminEmail, after: { status: 'appele', n: 4 }, ip: '10.0.0.7', site: acme.siteId,
    });
    const verify = await admin.get(`${T}/audit-logs/verify/`);
    expect(verify.body).toMatchObject({ ok: true, rows: 8, broken_at_seq: null });
    expect(verify.body.branches.map((b: { ok: boolean; rows: number }) => [b.ok, b.rows])).toEqual([[true, 5], [true, 3]]);
  });

  it('detects a tampered row and a missing row, branch by branch', async () => {
    const rows = await cloud.deps.cloud.db.selectFrom('audit_log').select(['id', 'branch_seq'])
      .where('device_id', '=', plateau.device.deviceId).orderBy('branch_seq').execute();
    const victim = rows[2]!;
    await sql`UPDATE audit_log SET data = jsonb_set(data, '{after}', '"{\\"status\\":\\"clos\\"}"') WHERE id = ${victim.id}::uuid`.execute(cloud.deps.cloud.db);
    const tampered = await admin.get(`${T}/audit-logs/verify/`);
    expect(tampered.body).toMatchObject({ ok: false, broken_at_seq: victim.branch_seq });
    expect(tampered.body.branches[0]).toMatchObject({ branch: plateau.device.deviceId, ok: false, broken_id: victim.id, reason: expect.stringContaining('hash') });
    expect(tampered.body.branches[1]).toMatchObject({ ok: true, rows: 3 });
    expect((await admin.get(`${T}/audit-logs/verify/?site=${thies.siteId}`)).body).toMatchObject({ ok: true, rows: 3 });

    const thiesRows = await cloud.deps.cloud.db.selectFrom('audit_log').select(['id', 'branch_seq'])
      .where('device_id', '=', thies.device.deviceId).orderBy('branch_seq').execute();
    await cloud.deps.cloud.db.deleteFrom('audit_log').where('id', '=', thiesRows[1]!.id).execute();
    const gap = await admin.get(`${T}/audit-logs/verify/?site=${thies.siteId}`);
    expect(gap.body.branches[0]).toMatchObject({ ok: false, broken_at_seq: thiesRows[2]!.branch_seq, reason: expect.stringContaining('prev_hash') });
  });

  it('is for tenant admins: an analyst gets 403', async () => {
    await admin.post(`${T}/members/`, { email: 'analyst@acme.test', password: 'analyst-password', role: 'analyst' });
    const analyst = await HqClient.signIn(cloud.url, 'analyst@acme.test', 'analyst-password');
    expect((await analyst.get(`${T}/audit-logs/`)).status).toBe(403);
    expect((await analyst.get(`${T}/audit-logs/verify/`)).status).toBe(403);
    expect((await analyst.get(`${T}/tickets/`)).status).toBe(200);
    expect((await analyst.get(`${T}/reports/wait-times/`)).status).toBe(200);
  });
});

describe('reports/days (sealed days)', () => {
  const day = (branch: Branch, date: string, issued: number, extra: Record<string, unknown> = {}) => ({
    id: uuidv7(Date.parse(`${date}T20:00:00Z`)), tenant_id: branch.tenant.tenantId, site_id: branch.siteId, business_date: date,
    sealed_at: Date.parse(`${date}T19:00:00Z`), tickets_issued: issued, tickets_served: issued - 2, tickets_no_show: 1, tickets_expired: 1,
    tickets_carried_over: 0, remote_joined: 3, remote_no_show: 1, appointments_booked: 4, appointments_checked_in: 3, appointments_no_show: 1,
    appointments_cancelled: 0, avg_wait_seconds: 300, max_wait_seconds: 1200, ...extra,
  });

  it("lists the branches' sealed days newest first, by site and period, as each branch uploaded them", async () => {
    await plateau.push('day_summary', [day(plateau, '2026-11-01', 40), day(plateau, '2026-11-02', 52)]);
    // An older branch's summary without the newer counts reads them as 0 / null.
    await thies.push('day_summary', [{
      id: uuidv7(), tenant_id: acme.tenantId, site_id: thies.siteId, business_date: '2026-11-02', sealed_at: Date.parse('2026-11-02T19:00:00Z'),
      tickets_issued: 9, tickets_served: 8, tickets_no_show: 1, appointments_no_show: 0,
    }]);
    const all = await admin.get(`${T}/reports/days/`);
    expect(all.status).toBe(200);
    type Day = { business_date: string; site: string; site_name: string; tickets_issued: number };
    const results = all.body.results as Day[];
    // Newest date first; within a date, by site name (in the database's collation).
    expect(results.map((d) => d.business_date)).toEqual(['2026-11-02', '2026-11-02', '2026-11-01']);
    expect(new Set(results.slice(0, 2).map((d) => `${d.site_name}:${d.tickets_issued}`))).toEqual(new Set(['acme main:52', 'Thiès:9']));
    expect(results[2]).toMatchObject({ site_name: 'acme main', tickets_issued: 40 });
    expect(results.find((d) => d.site === acme.siteId && d.business_date === '2026-11-02')).toMatchObject({
      branch: plateau.device.deviceId, tickets_served: 50, tickets_expired: 1, appointments_checked_in: 3,
      avg_wait_seconds: 300, max_wait_seconds: 1200, sealed_at: '2026-11-02T19:00:00.000Z',
    });
    expect(results.find((d) => d.site === thies.siteId)).toMatchObject({ tickets_expired: 0, remote_joined: 0, avg_wait_seconds: null, max_wait_seconds: null });
    const plateauOnly = await admin.get(`${T}/reports/days/?site=${acme.siteId}&from=2026-11-02&to=2026-11-02`);
    expect(plateauOnly.body.results.map((d: { tickets_issued: number }) => d.tickets_issued)).toEqual([52]);
    expect((await admin.get(`${T}/reports/days/?page_size=1&page=3`)).body).toMatchObject({ count: 3, results: [{ business_date: '2026-11-01' }] });
  });

  it('reads for analysts, never across tenants, and refuses a bad date', async () => {
    // Made by the audit case above when it ran first; a second try answers 4xx and changes nothing.
    await admin.post(`${T}/members/`, { email: 'analyst@acme.test', password: 'analyst-password', role: 'analyst' });
    const analyst = await HqClient.signIn(cloud.url, 'analyst@acme.test', 'analyst-password');
    expect((await analyst.get(`${T}/reports/days/`)).body.count).toBe(3);
    const other = await HqClient.signIn(cloud.url, globex.adminEmail, globex.adminPassword);
    expect((await other.get(`${T}/reports/days/`)).status).toBe(403);
    expect((await other.get('/api/v1/tenants/globex/reports/days/')).body.count).toBe(0);
    const bad = await admin.get(`${T}/reports/days/?from=02-11-2026`);
    expect(bad.status).toBe(400);
    expect(bad.body.details[0].field).toBe('from');
  });
});
