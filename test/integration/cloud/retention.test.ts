import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GENESIS_HASH, hashAuditRow } from '../../../branch-server/db/repositories/audit.repository.ts';
import { uuidv7 } from '../../../branch-server/ids.ts';
import { runCloudRetentionIfDue } from '../../../sync/cloud/use-cases/retention.ts';
import { RawDevice, enrollmentToken, seedCloudTenant, startTestCloud, type SeededCloudTenant, type TestCloud } from '../../helpers/cloud.ts';
import { HqClient, feedAfter, feedHeadOf } from '../../helpers/hq.ts';
import { parsePrometheus, sampleValue } from '../../helpers/prometheus.ts';

const DAY = 86_400_000;
const REAL = Date.now();
// The injected clock of the nightly run: 04:00 UTC, 40 days from now, with a 30-day retention.
const NIGHT = Math.floor((REAL + 40 * DAY) / DAY) * DAY + 4 * 3_600_000;
const OLD = REAL - DAY;
const RECENT = NIGHT - 5 * DAY;

let cloud: TestCloud;
let acme: SeededCloudTenant;
let globex: SeededCloudTenant;
let admin: HqClient;

/** A branch uploading its outbox (consecutive seqs, one stream). */
class Branch {
  readonly device: RawDevice;
  readonly stream = randomUUID();
  seq = 0;
  lastHash = GENESIS_HASH;
  constructor(readonly tenant: SeededCloudTenant) {
    this.device = new RawDevice(cloud.url);
  }
  async start(): Promise<this> {
    await this.device.enroll(await enrollmentToken(cloud, this.tenant.tenantId, this.tenant.siteId));
    await this.device.signIn();
    return this;
  }
  async push(entity: string, payloads: Record<string, unknown>[], op = 'insert') {
    const rows = payloads.map((payload) => ({ seq: ++this.seq, mutation_id: uuidv7(), entity, entity_id: payload['id'], op, payload, created_at: REAL }));
    const res = await this.device.call('POST', '/sync/v1/push', { stream_id: this.stream, rows, outbox_depth: 0, oldest_unsent_ms: null, clock_offset_ms: 0, app_version: 'test' });
    expect(res.status).toBe(200);
    expect(res.body.rejected).toEqual([]);
  }
  ticket(at: number, customerId: string | null, name: string, phone: string, queueId: string) {
    return {
      id: uuidv7(at), tenant_id: this.tenant.tenantId, site_id: this.tenant.siteId, queue_id: queueId, number: 'A001', status: 'clos', channel: 'kiosk',
      priority: 0, created_at: at, updated_at: at + 600_000, called_at: at + 300_000, started_at: at + 300_000, ended_at: at + 600_000,
      agent_id: null, customer_id: customerId, customer_name: name, customer_phone: phone, public_id: `pub${randomUUID()}`,
    };
  }
  audit(at: number, entity: string, before: unknown, after: unknown) {
    const row = {
      id: uuidv7(at), tenant_id: this.tenant.tenantId, actor_user_id: null, actor_device_id: null, action: `${entity}.updated`, entity,
      entity_id: randomUUID(), before: JSON.stringify(before), after: JSON.stringify(after), ip: '10.0.0.7', user_agent: 'desk', endpoint: 'PATCH /x/',
      created_at: at, prev_hash: this.lastHash,
    };
    this.lastHash = hashAuditRow(row);
    return { ...row, hash: this.lastHash, before_digest: null, after_digest: null, redacted_at: null };
  }
}

let acmeBranch: Branch;
let queueId: string;

beforeAll(async () => {
  cloud = await startTestCloud();
  acme = await seedCloudTenant(cloud, 'acme');
  globex = await seedCloudTenant(cloud, 'globex');
  admin = await HqClient.signIn(cloud.url, acme.adminEmail, acme.adminPassword);
  await cloud.deps.cloud.db.updateTable('tenant').set({ data_retention_days: 30 }).where('id', '=', acme.tenantId).execute();
  const service = (await admin.post('/api/v1/tenants/acme/queues/services/', { name: 'Retrait' })).body.id;
  queueId = (await admin.post('/api/v1/tenants/acme/queues/', { site: acme.siteId, service, name: 'Retrait', prefix: 'B' })).body.id;
  acmeBranch = await new Branch(acme).start();
});
afterAll(async () => cloud?.stop());

const dateOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

describe('cloud retention', () => {
  it("pseudonymises each tenant's copies past its retention, keeps the statistics and the audit chain, and runs once a night", async () => {
    const C = '/api/v1/tenants/acme/customers';
    const awa = (await admin.post(`${C}/`, { first_name: 'Awa', last_name: 'Diop', phone: '+221770000101' })).body.id as string;
    const binta = (await admin.post(`${C}/`, { first_name: 'Binta', last_name: 'Sy', phone: '+221770000102' })).body.id as string;
    const oldTicket = acmeBranch.ticket(OLD, awa, 'Awa Diop', '+221770000101', queueId);
    const recentTicket = acmeBranch.ticket(RECENT, binta, 'Binta Sy', '+221770000102', queueId);
    const walkIn = acmeBranch.ticket(OLD + 60_000, null, 'Moussa', '+221770000103', queueId);
    await acmeBranch.push('ticket', [oldTicket, recentTicket, walkIn]);
    const oldFeedback = { id: uuidv7(OLD), tenant_id: acme.tenantId, ticket_id: oldTicket.id, customer_id: awa, csat: 4, nps: 9, created_at: OLD, comment: 'Merci Awa' };
    const recentFeedback = { id: uuidv7(RECENT), tenant_id: acme.tenantId, ticket_id: recentTicket.id, customer_id: binta, csat: 2, nps: 3, created_at: RECENT, comment: 'Trop long' };
    await acmeBranch.push('feedback', [oldFeedback, recentFeedback]);
    const audits = [
      acmeBranch.audit(OLD, 'ticket', { status: 'en_attente', customer_name: 'Awa Diop' }, { status: 'clos', customer_phone: '+221770000101' }),
      acmeBranch.audit(OLD + 1000, 'queue', { name: 'Retrait' }, { name: 'Retraits' }),
      acmeBranch.audit(RECENT, 'ticket', { status: 'en_attente', customer_name: 'Binta Sy' }, { status: 'clos' }),
    ];
    await acmeBranch.push('audit_log', audits);
    // Another tenant keeps a year: its copies of the same age stay as they are.
    const globexBranch = await new Branch(globex).start();
    const globexTicket = globexBranch.ticket(OLD, null, 'Fatou Fall', '+221770000104', randomUUID());
    await globexBranch.push('ticket', [globexTicket]);

    const report = `/api/v1/tenants/acme/reports/analytics/?from=${dateOf(OLD)}&to=${dateOf(RECENT)}`;
    const statsBefore = (await admin.get(report)).body;
    // The comparison below is only worth something if the report counts the three tickets pushed above.
    expect(statsBefore.totals.arrivals).toBe(3);
    const feedbackBefore = (await admin.get('/api/v1/tenants/acme/feedback/')).body.results.map((f: { id: string; csat: number; nps: number }) => [f.id, f.csat, f.nps]);
    expect((await admin.get('/api/v1/tenants/acme/audit-logs/verify/')).body.ok).toBe(true);
    const head = await feedHeadOf(cloud, acme.tenantId);

    const clock = { ...cloud.deps, now: () => NIGHT };
    expect(await runCloudRetentionIfDue({ ...clock, now: () => NIGHT - 2 * 3_600_000 }, 3)).toBeNull(); // 02:00: not yet
    const runs = await runCloudRetentionIfDue(clock, 3);
    expect(runs?.find((r) => r.tenant_id === acme.tenantId)?.counts).toEqual({ tickets: 2, appointments: 0, feedback: 1, customers: 1, duplicates: 0, audit: 1 });
    expect(runs?.find((r) => r.tenant_id === globex.tenantId)?.counts).toEqual({ tickets: 0, appointments: 0, feedback: 0, customers: 0, duplicates: 0, audit: 0 });
    expect(await runCloudRetentionIfDue(clock, 3)).toBeNull(); // claimed for the night
    const scraped = parsePrometheus(await (await fetch(`${cloud.url}/metrics`)).text());
    expect(sampleValue(scraped, 'sq_cloud_retention_rows_total', { table: 'tickets' })).toBe(2);
    expect(sampleValue(scraped, 'sq_cloud_retention_rows_total', { table: 'customers' })).toBe(1);

    const db = cloud.deps.cloud.db;
    const ticketData = async (id: string) => (await db.selectFrom('ticket').select(['customer_id', 'data', 'status', 'called_at']).where('id', '=', id).executeTakeFirstOrThrow());
    expect(await ticketData(oldTicket.id)).toMatchObject({ customer_id: null, status: 'clos', called_at: oldTicket.called_at, data: { customer_name: '', customer_phone: '', customer_id: null, number: 'A001' } });
    expect((await ticketData(walkIn.id)).data).toMatchObject({ customer_name: '', customer_phone: '' });
    expect(await ticketData(recentTicket.id)).toMatchObject({ customer_id: binta, data: { customer_name: 'Binta Sy', customer_phone: '+221770000102' } });
    expect((await ticketData(globexTicket.id)).data).toMatchObject({ customer_name: 'Fatou Fall', customer_phone: '+221770000104' });
    const feedbackRow = async (id: string) => db.selectFrom('feedback').select(['customer_id', 'csat', 'data']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(await feedbackRow(oldFeedback.id)).toMatchObject({ customer_id: null, csat: 4, data: { comment: '', nps: 9 } });
    expect(await feedbackRow(recentFeedback.id)).toMatchObject({ customer_id: binta, data: { comment: 'Trop long' } });

    // Awa was last seen before the cutoff: erased everywhere (a tombstone for the branches); Binta came back since.
    expect((await admin.get(`${C}/${awa}/`)).status).toBe(404);
    expect(await db.selectFrom('customer').select(['first_name', 'phone']).where('id', '=', awa).executeTakeFirstOrThrow()).toEqual({ first_name: '', phone: '' });
    expect((await admin.get(`${C}/${binta}/`)).body.first_name).toBe('Binta');
    expect((await feedAfter(cloud, acme.tenantId, head)).filter((c) => c.entity === 'customer').map((c) => `${c.entity_id} ${c.op}`)).toEqual([`${awa} delete`]);

    const auditData = async (id: string) => (await db.selectFrom('audit_log').select(['data', 'hash']).where('id', '=', id).executeTakeFirstOrThrow());
    const redacted = await auditData(audits[0]!.id);
    expect(redacted.hash).toBe(audits[0]!.hash);
    expect(JSON.parse(redacted.data['before'] as string)).toEqual({ status: 'en_attente', customer_name: '' });
    expect(JSON.parse(redacted.data['after'] as string)).toEqual({ status: 'clos', customer_phone: '' });
    expect(redacted.data['redacted_at']).toBe(NIGHT);
    expect((await auditData(audits[1]!.id)).data['before']).toBe(audits[1]!.before);
    expect((await auditData(audits[2]!.id)).data['before']).toBe(audits[2]!.before);
    expect((await admin.get('/api/v1/tenants/acme/audit-logs/verify/')).body).toMatchObject({ ok: true, rows: 3 });

    // The anonymous statistics are the same figures; only the old free-text comment is gone.
    const statsAfter = (await admin.get(report)).body;
    const { comments: commentsBefore, ...feedbackStatsBefore } = statsBefore.feedback;
    const { comments: commentsAfter, ...feedbackStatsAfter } = statsAfter.feedback;
    expect({ ...statsAfter, feedback: feedbackStatsAfter }).toEqual({ ...statsBefore, feedback: feedbackStatsBefore });
    expect(feedbackStatsAfter.responses).toBe(2);
    expect(commentsBefore.map((c: { comment: string }) => c.comment)).toEqual(['Trop long', 'Merci Awa']);
    expect(commentsAfter.map((c: { comment: string }) => c.comment)).toEqual(['Trop long']);
    expect((await admin.get('/api/v1/tenants/acme/feedback/')).body.results.map((f: { id: string; csat: number; nps: number }) => [f.id, f.csat, f.nps])).toEqual(feedbackBefore);

    // The branch's own retention uploads the same rows cleaned: nothing changes, the chain still holds.
    await acmeBranch.push('ticket', [{ ...oldTicket, customer_id: null, customer_name: '', customer_phone: '' }], 'update');
    expect((await ticketData(oldTicket.id)).data).toMatchObject({ customer_name: '', customer_phone: '' });
    expect((await admin.get('/api/v1/tenants/acme/audit-logs/verify/')).body.ok).toBe(true);
  });
});
