import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../../branch-server/db/repositories/audit.repository.ts';
import { uuidv7 } from '../../../branch-server/ids.ts';
import { runRetention } from '../../../branch-server/use-cases/retention.ts';
import { ADMIN_PASSWORD, seedDemoTenant, startTestServer, type DemoTenant, type TestServer } from '../../helpers/server.ts';

/**
 * The nightly retention with a fake clock: a year-old morning (customers with phones, tickets served
 * and closed, feedback with comments, notifications) and a morning today; retention 365 days.
 */

const DAY = 86_400_000;
const T0 = Date.UTC(2025, 2, 3, 9, 0);
const TODAY = T0 + 400 * DAY;
const OLD_PHONE = '+221 77 111 22 33';
const NEW_PHONE = '+221 78 444 55 66';

let clock = T0;
let t: TestServer;
let d: DemoTenant;
const base = () => `/api/v1/tenants/${d.slug}`;
const db = () => t.server.deps.db;

beforeAll(async () => {
  t = await startTestServer({ now: () => clock, accessTokenTtlSeconds: 86_400 });
  d = await seedDemoTenant(t);
});
afterAll(() => t.close());

async function serve(customerName: string, phone: string, customer?: string): Promise<string> {
  const queue = d.demo.queues[0]!.id;
  const created = await t.api('POST', `${base()}/tickets/`, {
    token: d.adminToken, body: { queue, channel: 'kiosk', customer_name: customerName, customer_phone: phone, ...(customer ? { customer } : {}) },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  await t.api('PATCH', `${base()}/agents/me/status/`, { token: d.agentTokens[0], body: { status: 'available' } });
  const called = await t.api('POST', `${base()}/agents/call-next/`, { token: d.agentTokens[0], body: { queue_id: queue } });
  expect(called.body.id).toBe(created.body.id);
  clock += 5 * 60_000;
  expect((await t.api('POST', `${base()}/tickets/${created.body.id}/start_service/`, { token: d.agentTokens[0], body: {} })).status).toBe(200);
  clock += 7 * 60_000;
  expect((await t.api('POST', `${base()}/tickets/${created.body.id}/close/`, { token: d.agentTokens[0], body: {} })).status).toBe(200);
  const feedback = await t.api('POST', `${base()}/feedback/`, {
    token: d.adminToken, body: { ticket: created.body.id, csat: 4, nps: 9, comment: `${customerName} says call me on ${phone}` },
  });
  expect(feedback.status, JSON.stringify(feedback.body)).toBe(201);
  db().sqlite.prepare(`INSERT INTO notification (id, tenant_id, ticket_id, customer_id, channel, recipient, body, status, created_at, updated_at)
    VALUES (?, ?, ?, ?, 'sms', ?, ?, 'sent', ?, ?)`).run(uuidv7(clock), d.tenantId, created.body.id, customer ?? null, phone, `Bonjour ${customerName}`, clock, clock);
  return created.body.id as string;
}

async function report(date: string): Promise<unknown> {
  const res = await t.api('GET', `${base()}/reports/daily/?date=${date}`, { token: d.adminToken });
  expect(res.status).toBe(200);
  return res.body;
}

const personalText = () => db().sqlite.prepare(`SELECT
    (SELECT group_concat(customer_name || customer_phone, '|') FROM ticket) || '#' ||
    (SELECT group_concat(comment, '|') FROM feedback) || '#' ||
    (SELECT group_concat(recipient || body, '|') FROM notification) || '#' ||
    (SELECT coalesce(group_concat(customer_name || customer_phone, '|'), '') FROM appointment) || '#' ||
    (SELECT group_concat(coalesce(before, '') || coalesce(after, ''), '|') FROM audit_log)`).pluck().get() as string;
const digits = (s: string) => s.replace(/\D/g, '');

describe('retention', () => {
  it('pseudonymises exactly the personal data older than the retention, keeps the statistics equal and the audit chain valid', async () => {
    const oldCustomer = await t.api('POST', `${base()}/customers/`, { token: d.adminToken, body: { first_name: 'Awa', last_name: 'Old', phone: OLD_PHONE } });
    const oldTickets = [await serve('Awa Old', OLD_PHONE, oldCustomer.body.id), await serve('Moussa Old', OLD_PHONE)];
    // An appointment: its audit rows hold the whole row, name and phone included.
    const booked = await t.api('POST', `${base()}/tickets/appointments/`, {
      token: d.adminToken, body: { service: d.demo.services[0]!.id, starts_at: '2025-03-03T10:00:00Z', customer_name: 'Awa Old', customer_phone: OLD_PHONE },
    });
    expect(booked.status, JSON.stringify(booked.body)).toBe(201);
    clock = TODAY;
    d = { ...d, adminToken: await t.login(d.adminEmail, ADMIN_PASSWORD), agentTokens: [await t.login(d.demo.agents[0]!.email, d.demo.agents[0]!.password)] };
    const newCustomer = await t.api('POST', `${base()}/customers/`, { token: d.adminToken, body: { first_name: 'Binta', last_name: 'New', phone: NEW_PHONE } });
    const newTicket = await serve('Binta New', NEW_PHONE, newCustomer.body.id);

    const oldDay = new Date(T0).toISOString().slice(0, 10);
    const newDay = new Date(TODAY).toISOString().slice(0, 10);
    const reportsBefore = [await report(oldDay), await report(newDay)];
    const feedbackBefore = (await t.api('GET', `${base()}/feedback/summary/`, { token: d.adminToken })).body;
    expect(digits(personalText())).toContain(digits(OLD_PHONE));

    // The notification system's own cleanup job may already have deleted the year-old messages (it
    // deletes, retention pseudonymises what is left): either way none keeps its recipient or text.
    const oldMessages = Number(db().sqlite.prepare(`SELECT count(*) FROM notification WHERE created_at < ?`).pluck().get(TODAY - 365 * 86_400_000));
    const [run] = await runRetention(db(), clock);
    expect(run!.counts).toMatchObject({ tickets: 2, appointments: 1, feedback: 2, notifications: oldMessages, customers: 1 });
    expect(run!.counts.audit).toBeGreaterThanOrEqual(1);

    // Old rows: no name, phone, comment, recipient or message left, in the rows or in their audit history.
    expect(digits(personalText())).not.toContain(digits(OLD_PHONE));
    expect(personalText()).not.toContain('Awa Old');
    expect(personalText()).not.toContain('Moussa');
    for (const id of oldTickets) {
      expect(db().sqlite.prepare('SELECT customer_name, customer_phone, customer_id, status FROM ticket WHERE id = ?').get(id))
        .toEqual({ customer_name: '', customer_phone: '', customer_id: null, status: 'clos' });
    }
    expect(db().sqlite.prepare('SELECT count(*) FROM customer WHERE id = ?').pluck().get(oldCustomer.body.id)).toBe(0);
    expect(db().sqlite.prepare(`SELECT op FROM sync_outbox WHERE entity = 'customer' AND entity_id = ? ORDER BY seq DESC LIMIT 1`).pluck().get(oldCustomer.body.id)).toBe('delete');
    // Today's rows are untouched.
    expect(db().sqlite.prepare('SELECT customer_name, customer_phone FROM ticket WHERE id = ?').get(newTicket)).toEqual({ customer_name: 'Binta New', customer_phone: NEW_PHONE });
    expect(db().sqlite.prepare('SELECT phone FROM customer WHERE id = ?').pluck().get(newCustomer.body.id)).toBe(NEW_PHONE);
    expect(digits(personalText())).toContain(digits(NEW_PHONE));

    // Same statistics, a valid chain, and redacted audit rows that still carry the digests of what they held.
    expect([await report(oldDay), await report(newDay)]).toEqual(reportsBefore);
    expect((await t.api('GET', `${base()}/feedback/summary/`, { token: d.adminToken })).body).toEqual(feedbackBefore);
    expect(verifyAuditChain(db())).toMatchObject({ ok: true });
    // Each pseudonymised audit row is uploaded again (HQ's copies lose the data too).
    expect(db().sqlite.prepare(`SELECT count(*) FROM sync_outbox WHERE entity = 'audit_log' AND op = 'update'`).pluck().get()).toBe(run!.counts.audit);

    // A second night finds nothing more; tampering with a redacted row is still detected.
    const [again] = await runRetention(db(), clock + DAY);
    expect(again!.counts).toEqual({ tickets: 0, appointments: 0, feedback: 0, notifications: 0, customers: 0, audit: 0 });
    const seq = db().sqlite.prepare(`SELECT seq FROM audit_log WHERE redacted_at IS NOT NULL AND entity = 'appointment' LIMIT 1`).pluck().get() as number;
    db().sqlite.exec('DROP TRIGGER audit_log_no_update');
    db().sqlite.prepare(`UPDATE audit_log SET after_digest = ? WHERE seq = ?`).run('0'.repeat(64), seq);
    expect(verifyAuditChain(db())).toMatchObject({ ok: false, brokenAtSeq: seq });
  });

  it('leaves erasing unseen customers to HQ once the branch is enrolled, and still pseudonymises its own rows', async () => {
    const customer = await t.api('POST', `${base()}/customers/`, { token: d.adminToken, body: { first_name: 'Codou', last_name: 'Elsewhere', phone: '+221 76 000 11 22' } });
    expect(customer.status).toBe(201);
    const ticket = await serve('Codou Elsewhere', '+221 76 000 11 22');
    clock += 400 * DAY;
    // Enrolled: this branch's tenant is the one HQ knows (the cloud's retention sees every branch's visits).
    db().sqlite.prepare(`INSERT INTO sync_state (key, value) VALUES ('tenant_id', ?)`).run(d.tenantId);
    try {
      const [run] = await runRetention(db(), clock);
      expect(run!.counts.customers).toBe(0);
      expect(db().sqlite.prepare('SELECT last_name FROM customer WHERE id = ?').pluck().get(customer.body.id)).toBe('Elsewhere');
      expect(db().sqlite.prepare('SELECT customer_name, customer_phone FROM ticket WHERE id = ?').get(ticket)).toEqual({ customer_name: '', customer_phone: '' });
    } finally {
      db().sqlite.prepare(`DELETE FROM sync_state WHERE key = 'tenant_id'`).run();
    }
    // The same night on a standalone branch erases them (and the first test's recent customer, 400 days on).
    const [standalone] = await runRetention(db(), clock);
    expect(standalone!.counts.customers).toBe(2);
    expect(db().sqlite.prepare('SELECT count(*) FROM customer WHERE id = ?').pluck().get(customer.body.id)).toBe(0);
  });
});
