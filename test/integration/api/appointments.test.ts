import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { qb } from '../../../branch-server/db/sqlite.ts';
import { pairNewDevice } from '../../helpers/pairing.ts';
import { seedDemoTenant, startTestServer, type DemoTenant, type TestServer } from '../../helpers/server.ts';

// Monday 4 March 2030, 09:05 in Dakar (UTC, no summer time): slots before 09:15 have started.
const NOW = Date.parse('2030-03-04T09:05:00Z');

describe('appointments API', () => {
  let t: TestServer;
  let d: DemoTenant;
  let other: DemoTenant;
  let serviceA: string;
  let serviceB: string;
  const base = (slug = d.slug) => `/api/v1/tenants/${slug}/tickets/appointments/`;
  const slots = (service: string, date = '2030-03-04', token = d.adminToken) => t.api('GET', `${base()}slots/?service=${service}&date=${date}`, { token });
  const book = (body: Record<string, unknown>, token = d.adminToken) =>
    t.api('POST', base(), { token, body: { customer_name: 'Awa Diop', customer_phone: '+221770000001', ...body } });
  const checkIn = (code: string, auth: { token?: string; device?: string } = { token: d.adminToken }) =>
    t.api('POST', `${base()}check_in/`, { ...auth, body: { code } });

  beforeAll(async () => {
    t = await startTestServer({ now: () => NOW });
    [d, other] = await Promise.all([seedDemoTenant(t), seedDemoTenant(t, 'other-bank')]);
    serviceA = d.demo.services[0]!.id;
    serviceB = d.demo.services[1]!.id;
  });
  afterAll(() => t.close());

  it("offers 15-minute slots from 08:00 to 17:00 site time, one place per agent skilled for the service", async () => {
    const a = await slots(serviceA);
    expect(a.status).toBe(200);
    expect(a.body).toHaveLength(36);
    expect(a.body[0]).toEqual({ starts_at: '2030-03-04T08:00:00.000Z', ends_at: '2030-03-04T08:15:00.000Z', available: 0, capacity: 1 });
    expect(a.body.find((s: { starts_at: string }) => s.starts_at === '2030-03-04T09:15:00.000Z')).toMatchObject({ available: 1 });
    // Queue B is in the skills of agents 1 and 2.
    const b = await slots(serviceB, '2030-03-05');
    expect(b.body.every((s: { available: number }) => s.available === 2)).toBe(true);
  });

  it('books a slot and returns a check-in code; the slot fills up; outbox and audit rows are written', async () => {
    const res = await book({ service: serviceA, starts_at: '2030-03-04T10:00:00Z' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      service: serviceA, site: d.demo.siteId, status: 'scheduled', starts_at: '2030-03-04T10:00:00.000Z', ends_at: '2030-03-04T10:15:00.000Z',
      customer: null, customer_name: 'Awa Diop', customer_phone: '+221770000001', ticket: null,
    });
    expect(res.body.check_in_code).toMatch(/^[ABCDEFGHJKLMNPQRSTUVWXYZ23456789]{6}$/);
    const slot = (await slots(serviceA)).body.find((s: { starts_at: string }) => s.starts_at === '2030-03-04T10:00:00.000Z');
    expect(slot.available).toBe(0);

    const full = await book({ service: serviceA, starts_at: '2030-03-04T10:00:00Z' });
    expect(full.status).toBe(400);
    expect(full.body.code).toBe('slot-unavailable');
    const db = t.server.deps.db;
    expect(db.raw<{ op: string }>(`SELECT op FROM sync_outbox WHERE entity = 'appointment' AND entity_id = ?`, res.body.id).map((r) => r.op)).toEqual(['insert']);
    expect(db.raw<{ action: string }>('SELECT action FROM audit_log WHERE entity_id = ?', res.body.id).map((r) => r.action)).toEqual(['appointment.created']);
  });

  it('refuses a past slot, a time between slots, a time outside opening hours, and a missing customer', async () => {
    const count = () => t.server.deps.db.raw<{ n: number }>('SELECT COUNT(*) AS n FROM appointment')[0]!.n;
    const before = count();
    const past = await book({ service: serviceB, starts_at: '2030-03-04T09:00:00Z' });
    expect(past.status).toBe(400);
    expect(past.body.code).toBe('slot-unavailable');
    for (const startsAt of ['2030-03-04T11:10:00Z', '2030-03-04T17:00:00Z', '2030-03-04T07:45:00Z', '2030-03-04T11:00:30Z']) {
      const res = await book({ service: serviceB, starts_at: startsAt });
      expect(res.status, startsAt).toBe(400);
      expect(res.body.details, startsAt).toEqual([{ field: 'starts_at', message: 'not the start of a slot' }]);
    }
    const anonymous = await t.api('POST', base(), { token: d.adminToken, body: { service: serviceB, starts_at: '2030-03-04T11:00:00Z' } });
    expect(anonymous.status).toBe(400);
    expect(anonymous.body.details.map((x: { field: string }) => x.field)).toEqual(['customer_name', 'customer_phone']);
    const badDate = await slots(serviceB, '2030-02-30');
    expect(badDate.status).toBe(400);
    expect(count()).toBe(before);
  });

  it("books for a known customer, taking the customer's name and phone, but never another tenant's", async () => {
    const res = await t.api('POST', base(), { token: d.adminToken, body: { service: serviceB, starts_at: '2030-03-04T11:00:00Z', customer: d.demo.customers[1] } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ customer: d.demo.customers[1], customer_name: 'Moussa Ndiaye', customer_phone: '+221770000002' });
    const foreign = await t.api('POST', base(), { token: d.adminToken, body: { service: serviceB, starts_at: '2030-03-04T11:00:00Z', customer: other.demo.customers[0] } });
    expect(foreign.status).toBe(400);
    expect(foreign.body).toMatchObject({ code: 'invalid-reference', details: [{ field: 'customer', message: 'unknown customer' }] });
  });

  it('checks a customer in: the appointment becomes a ticket in its queue, once', async () => {
    const appt = await book({ service: serviceB, starts_at: '2030-03-04T09:30:00Z' });
    const ticket = await checkIn(appt.body.check_in_code.toLowerCase());
    expect(ticket.status).toBe(200);
    expect(ticket.body).toMatchObject({
      queue: d.demo.queues[1]!.id, appointment: appt.body.id, channel: 'web', status: 'en_attente', customer_name: 'Awa Diop', number: 'B001',
    });
    const after = await t.api('GET', `${base()}${appt.body.id}/`, { token: d.adminToken });
    expect(after.body).toMatchObject({ status: 'checked_in', ticket: ticket.body.id });

    const twice = await checkIn(appt.body.check_in_code);
    expect(twice.status).toBe(400);
    expect(twice.body.error).toMatch(/already been checked in/);
    const db = t.server.deps.db;
    expect(db.raw<{ n: number }>('SELECT COUNT(*) AS n FROM ticket WHERE appointment_id = ?', appt.body.id)[0]!.n).toBe(1);
    expect(db.raw<{ op: string }>(`SELECT op FROM sync_outbox WHERE entity = 'appointment' AND entity_id = ? ORDER BY seq`, appt.body.id).map((r) => r.op)).toEqual(['insert', 'update']);
  });

  it('lets a paired kiosk check in (kiosk channel) and refuses a display', async () => {
    const kiosk = await t.api('POST', `/api/v1/tenants/${d.slug}/kiosks/`, { token: d.adminToken, body: { name: 'Entrée', queue_ids: d.demo.queues.map((q) => q.id) } });
    const device = await pairNewDevice(t, d, { type: 'kiosk', kiosk_id: kiosk.body.id });
    const display = await t.api('POST', `/api/v1/tenants/${d.slug}/displays/`, { token: d.adminToken, body: { name: 'TV', type: 'main', queue_ids: [d.demo.queues[0]!.id] } });
    const tv = await pairNewDevice(t, d, { type: 'display', display_id: display.body.id });
    const appt = await book({ service: serviceB, starts_at: '2030-03-04T12:00:00Z' });

    expect((await checkIn(appt.body.check_in_code, { device: tv.key })).status).toBe(403);
    const ticket = await checkIn(appt.body.check_in_code, { device: device.key });
    expect(ticket.status).toBe(200);
    expect(ticket.body).toMatchObject({ channel: 'kiosk', appointment: appt.body.id });
    // A kiosk may see slots but not the list of appointments (names and phones).
    expect((await t.api('GET', `${base()}slots/?service=${serviceB}&date=2030-03-04`, { device: device.key })).status).toBe(200);
    expect((await t.api('GET', base(), { device: device.key })).status).toBe(403);
  });

  it('cancels a scheduled appointment, freeing its slot; a cancelled one cannot check in or be cancelled again', async () => {
    const appt = await book({ service: serviceA, starts_at: '2030-03-04T13:00:00Z' });
    const cancelled = await t.api('POST', `${base()}${appt.body.id}/cancel/`, { token: d.agentTokens[0], body: { reason: 'customer called' } });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    expect((await slots(serviceA)).body.find((s: { starts_at: string }) => s.starts_at === '2030-03-04T13:00:00.000Z').available).toBe(1);
    const late = await checkIn(appt.body.check_in_code);
    expect(late.status).toBe(400);
    expect(late.body.error).toMatch(/cancelled/);
    expect((await t.api('POST', `${base()}${appt.body.id}/cancel/`, { token: d.adminToken, body: {} })).status).toBe(400);
    const actions = t.server.deps.db.raw<{ action: string }>('SELECT action FROM audit_log WHERE entity_id = ? ORDER BY seq', appt.body.id).map((r) => r.action);
    expect(actions).toEqual(['appointment.created', 'appointment.cancelled']);
  });

  it("refuses to check in another day's appointment or an unknown code", async () => {
    const tomorrow = await book({ service: serviceB, starts_at: '2030-03-05T10:00:00Z' });
    const early = await checkIn(tomorrow.body.check_in_code);
    expect(early.status).toBe(400);
    expect(early.body.error).toContain('2030-03-05');
    expect((await t.api('GET', `${base()}${tomorrow.body.id}/`, { token: d.adminToken })).body.status).toBe('scheduled');
    const unknown = await checkIn('ZZZZZZ');
    expect(unknown.status).toBe(400);
    expect(unknown.body.code).toBe('invalid-reference');
  });

  it('lists appointments by start time, filtered by local date, status and service', async () => {
    const onDay = await t.api('GET', `${base()}?date=2030-03-05`, { token: d.adminToken });
    expect(onDay.status).toBe(200);
    expect(onDay.body.results.every((a: { starts_at: string }) => a.starts_at.startsWith('2030-03-05'))).toBe(true);
    expect(onDay.body.count).toBeGreaterThan(0);
    const today = await t.api('GET', `${base()}?date=2030-03-04&service=${serviceB}`, { token: d.agentTokens[0] });
    const starts = today.body.results.map((a: { starts_at: string }) => a.starts_at);
    expect(starts).toEqual([...starts].sort());
    expect(today.body.results.every((a: { service: string }) => a.service === serviceB)).toBe(true);
    const cancelled = await t.api('GET', `${base()}?status=cancelled`, { token: d.adminToken });
    expect(cancelled.body.results.map((a: { status: string }) => a.status)).toEqual(['cancelled']);
  });

  it('asks which site when a service is offered at several, and keeps a kiosk to its own site', async () => {
    const db = t.server.deps.db;
    const siteId = randomUUID();
    const queueId = randomUUID();
    db.run(qb.insertInto('site').values({ id: siteId, tenant_id: d.tenantId, name: 'Thiès', slug: 'thies', timezone: 'Africa/Dakar', created_at: NOW, updated_at: NOW }));
    db.run(qb.insertInto('queue').values({ id: queueId, tenant_id: d.tenantId, site_id: siteId, service_id: d.demo.services[2]!.id, name: 'Conseil Thiès', prefix: 'T', created_at: NOW, updated_at: NOW }));
    const serviceC = d.demo.services[2]!.id;
    const ambiguous = await slots(serviceC);
    expect(ambiguous.status).toBe(400);
    expect(ambiguous.body.details).toEqual([{ field: 'site', message: 'required for this service' }]);
    // Nobody at Thiès has the skill: one place per slot all the same.
    const thies = await t.api('GET', `${base()}slots/?service=${serviceC}&date=2030-03-05&site=${siteId}`, { token: d.adminToken });
    expect(thies.body[0]).toMatchObject({ capacity: 1, available: 1 });

    const kiosk = await t.api('POST', `/api/v1/tenants/${d.slug}/kiosks/`, { token: d.adminToken, body: { name: 'Thiès', queue_ids: [queueId] } });
    const device = await pairNewDevice(t, d, { type: 'kiosk', kiosk_id: kiosk.body.id });
    const plateau = await book({ service: serviceC, site: d.demo.siteId, starts_at: '2030-03-04T15:00:00Z' });
    const wrongSite = await checkIn(plateau.body.check_in_code, { device: device.key });
    expect(wrongSite.status).toBe(400);
    expect(wrongSite.body.details).toEqual([{ field: 'code', message: 'this appointment is at another site' }]);
    const atThies = await book({ service: serviceC, site: siteId, starts_at: '2030-03-04T15:00:00Z' });
    const ticket = await checkIn(atThies.body.check_in_code, { device: device.key });
    expect(ticket.status).toBe(200);
    expect(ticket.body).toMatchObject({ queue: queueId, number: 'T001' });
  });

  it("keeps tenants apart: foreign services, appointments and codes are unknown", async () => {
    const mine = await book({ service: serviceB, starts_at: '2030-03-04T16:00:00Z' });
    const foreignService = await slots(other.demo.services[0]!.id);
    expect(foreignService.status).toBe(400);
    expect(foreignService.body.details).toEqual([{ field: 'service', message: 'unknown service' }]);
    expect((await book({ service: other.demo.services[0]!.id, starts_at: '2030-03-04T16:00:00Z' })).status).toBe(400);
    expect((await t.api('GET', `${base(other.slug)}${mine.body.id}/`, { token: other.adminToken })).status).toBe(404);
    expect((await t.api('POST', `${base(other.slug)}${mine.body.id}/cancel/`, { token: other.adminToken, body: {} })).status).toBe(404);
    const theirCheckIn = await t.api('POST', `${base(other.slug)}check_in/`, { token: other.adminToken, body: { code: mine.body.check_in_code } });
    expect(theirCheckIn.status).toBe(400);
    expect((await t.api('GET', base(other.slug), { token: other.adminToken })).body.count).toBe(0);
    expect((await t.api('GET', base(), { token: other.adminToken })).status).toBe(403);
  });
});
