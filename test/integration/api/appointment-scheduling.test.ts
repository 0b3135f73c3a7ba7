import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { qb } from '../../../branch-server/db/sqlite.ts';
import { pairNewDevice } from '../../helpers/pairing.ts';
import { seedDemoTenant, startTestServer, type DemoTenant, type TestServer } from '../../helpers/server.ts';

// Monday 4 March 2030, 07:00 in Dakar (UTC all year).
const NOW = Date.parse('2030-03-04T07:00:00Z');
const MINUTE = 60_000;
const at = (iso: string) => Date.parse(iso);

describe('appointment scheduling: hours, capacity, concurrency, check-in, reminders, remote join, end of day', () => {
  let clock = NOW;
  let t: TestServer;
  let d: DemoTenant;
  const base = () => `/api/v1/tenants/${d.slug}`;
  const appts = () => `${base()}/tickets/appointments/`;
  const service = (i: number) => d.demo.services[i]!.id;
  const queueOf = (i: number) => d.demo.queues[i]!.id;
  const db = () => t.server.deps.db;
  const book = (body: Record<string, unknown>, token = d.adminToken) =>
    t.api('POST', appts(), { token, body: { customer_name: 'Awa Diop', customer_phone: '+221 77 000 00 01', ...body } });
  const slots = (svc: string, date: string) => t.api('GET', `${appts()}slots/?service=${svc}&date=${date}`, { token: d.adminToken });
  const callNext = (agent = 0) => t.api('POST', `${base()}/agents/call-next/`, { token: d.agentTokens[agent], body: {} });
  const close = (id: string, agent = 0) => t.api('POST', `${base()}/tickets/${id}/close/`, { token: d.agentTokens[agent], body: {} });
  const checkIn = (code: string, auth: { token?: string; device?: string } = { token: d.adminToken }) =>
    t.api('POST', `${appts()}check_in/`, { ...auth, body: { code } });
  const setRule = (svc: string, body: Record<string, unknown>) => t.api('PUT', `${base()}/queues/services/${svc}/booking/`, { token: d.adminToken, body });
  const ticketRow = (id: string) => db().raw<{ status: string; remote: number; held_at: number | null; appointment_at: number | null }>(
    'SELECT status, remote, held_at, appointment_at FROM ticket WHERE id = ?', id)[0]!;
  const publicBase = () => `/api/v1/public/sites/${d.demo.siteId}/`;

  // The clock runs over two days: sessions outlive it; the day keeper ticks only when told; reminders
  // are recorded where they are handed to the notification system (whose own tests send them); the
  // public pages' per-address budget is out of the way (its own test is a unit test).
  const sent: { appointmentId: string; kind: string }[] = [];
  const serverOptions = () => ({
    now: () => clock,
    accessTokenTtlSeconds: 7 * 86_400,
    appointments: { clock: { intervalMs: 0 }, reminders: { send: (appointmentId: string, kind: string) => { sent.push({ appointmentId, kind }); } } },
    publicLimits: { read: { max: 10_000, windowMs: 60_000 }, write: { max: 10_000, windowMs: 60_000 } },
  });

  beforeAll(async () => {
    t = await startTestServer(serverOptions());
    d = await seedDemoTenant(t);
  });
  afterAll(() => t.close());

  it("follows the site's weekly hours and closed dates and the service's slot length, buffer and places", async () => {
    const weekly = [
      { open: '08:00', close: '12:00' }, { open: '08:00', close: '12:00' }, { open: '08:00', close: '12:00' },
      { open: '08:00', close: '12:00' }, { open: '14:00', close: '17:00' }, null, null,
    ];
    const hours = await t.api('PUT', `${base()}/sites/${d.demo.siteId}/opening-hours/`, { token: d.adminToken, body: { weekly, closed_dates: ['2030-03-06'] } });
    expect(hours.status, JSON.stringify(hours.body)).toBe(200);
    expect(hours.body).toEqual({ site: d.demo.siteId, weekly, closed_dates: ['2030-03-06'] });
    const rule = await setRule(service(0), { slot_minutes: 20, buffer_minutes: 10, capacity: 2, overbooking: 1 });
    expect(rule.status).toBe(200);
    expect(rule.body).toMatchObject({ service: service(0), slot_minutes: 20, buffer_minutes: 10, capacity: 2, overbooking: 1, grace_minutes: 10, end_of_day: 'expire' });

    const monday = await slots(service(0), '2030-03-04');
    expect(monday.body.map((s: { starts_at: string }) => s.starts_at.slice(11, 16))).toEqual(['08:00', '08:30', '09:00', '09:30', '10:00', '10:30', '11:00', '11:30']);
    expect(monday.body[0]).toEqual({ starts_at: '2030-03-04T08:00:00.000Z', ends_at: '2030-03-04T08:20:00.000Z', available: 3, capacity: 2 });
    expect((await slots(service(0), '2030-03-06')).body).toEqual([]); // closed date
    expect((await slots(service(0), '2030-03-09')).body).toEqual([]); // Saturday
    expect((await slots(service(0), '2030-03-08')).body[0].starts_at).toBe('2030-03-08T14:00:00.000Z');
    const between = await book({ service: service(0), starts_at: '2030-03-04T08:20:00Z' }); // in the buffer
    expect(between.status).toBe(400);
    expect(between.body.details).toEqual([{ field: 'starts_at', message: 'not the start of a slot' }]);
  });

  it('refuses bad settings with 400 and changes nothing; an agent may read them but not change them', async () => {
    const before = await t.api('GET', `${base()}/sites/${d.demo.siteId}/opening-hours/`, { token: d.agentTokens[0] });
    expect(before.status).toBe(200);
    for (const body of [
      { weekly: [null, null] },
      { weekly: Array.from({ length: 7 }, () => ({ open: '12:00', close: '08:00' })) },
      { weekly: Array.from({ length: 7 }, () => ({ open: '25:00', close: '26:00' })) },
      { weekly: Array.from({ length: 7 }, () => null), closed_dates: ['tomorrow'] },
    ]) {
      const res = await t.api('PUT', `${base()}/sites/${d.demo.siteId}/opening-hours/`, { token: d.adminToken, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    expect((await setRule(service(0), { slot_minutes: 2 })).status).toBe(400);
    expect((await setRule(service(0), { end_of_day: 'forever' })).status).toBe(400);
    expect((await t.api('PUT', `${base()}/queues/services/${service(0)}/booking/`, { token: d.agentTokens[0], body: { overbooking: 50 } })).status).toBe(403);
    expect((await t.api('GET', `${base()}/sites/${d.demo.siteId}/opening-hours/`, { token: d.adminToken })).body).toEqual(before.body);
    expect((await t.api('GET', `${base()}/queues/services/${service(0)}/booking/`, { token: d.adminToken })).body).toMatchObject({ slot_minutes: 20, overbooking: 1 });
  });

  it('never books a slot beyond capacity + overbooking, even with 30 bookings at once from staff and the public page', async () => {
    const slot = '2030-03-04T10:00:00Z';
    const requests = Array.from({ length: 30 }, (_, i) => i % 2 === 0
      ? book({ service: service(0), starts_at: slot, customer_name: `Staff ${i}` })
      : t.api('POST', `${publicBase()}appointments/`, { body: { service: service(0), starts_at: slot, customer_name: `Web ${i}`, customer_phone: `+22177000${String(i).padStart(4, '0')}` } }));
    const answers = await Promise.all(requests);
    const created = answers.filter((a) => a.status === 201);
    expect(created).toHaveLength(3);
    expect(answers.filter((a) => a.status === 400).every((a) => a.body.code === 'slot-unavailable')).toBe(true);
    expect(answers.filter((a) => a.status !== 201)).toHaveLength(27);
    expect(db().raw<{ n: number }>(`SELECT COUNT(*) AS n FROM appointment WHERE starts_at = ? AND status != 'cancelled'`, at(slot))[0]!.n).toBe(3);
    expect(new Set(created.map((a) => a.body.check_in_code)).size).toBe(3);
    expect((await slots(service(0), '2030-03-04')).body.find((s: { starts_at: string }) => s.starts_at === '2030-03-04T10:00:00.000Z').available).toBe(0);
  });

  it('reschedules to a free slot (same code, reminders start again) and refuses a full one', async () => {
    const a = await book({ service: service(0), starts_at: '2030-03-04T10:30:00Z' });
    const full = await t.api('POST', `${appts()}${a.body.id}/reschedule/`, { token: d.adminToken, body: { starts_at: '2030-03-04T10:00:00Z' } });
    expect(full.status).toBe(400);
    expect(full.body.code).toBe('slot-unavailable');
    const moved = await t.api('POST', `${appts()}${a.body.id}/reschedule/`, { token: d.adminToken, body: { starts_at: '2030-03-05T11:00:00Z', reason: 'asked by phone' } });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ id: a.body.id, starts_at: '2030-03-05T11:00:00.000Z', ends_at: '2030-03-05T11:20:00.000Z', check_in_code: a.body.check_in_code, status: 'scheduled' });
    const actions = db().raw<{ action: string }>('SELECT action FROM audit_log WHERE entity_id = ? ORDER BY seq', a.body.id).map((r) => r.action);
    expect(actions).toEqual(['appointment.created', 'appointment.rescheduled']);
    // The customer manages it from the public page with the code and the phone number.
    const wrongPhone = await t.api('POST', `${publicBase()}appointments/manage/`, { body: { code: a.body.check_in_code, customer_phone: '+221000000' } });
    expect(wrongPhone.status).toBe(400);
    const cancelled = await t.api('POST', `${publicBase()}appointments/manage/`, { body: { code: a.body.check_in_code, customer_phone: '+221770000001' } });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', rebook_url: expect.stringContaining(`/book/${d.demo.siteId}?service=${service(0)}`) });
  });

  it('checks in early (called at the slot, not before) and late beyond the grace (a walk-in)', async () => {
    const early = await book({ service: service(1), starts_at: '2030-03-04T09:00:00Z' });
    const late = await book({ service: service(1), starts_at: '2030-03-04T08:00:00Z' });
    clock = at('2030-03-04T08:11:00Z'); // 11 minutes after the 08:00 slot: past its 10 minutes of grace
    const lateTicket = await checkIn(late.body.check_in_code);
    expect(lateTicket.status).toBe(200);
    expect(ticketRow(lateTicket.body.id).appointment_at).toBeNull();
    const earlyTicket = await checkIn(early.body.check_in_code);
    expect(ticketRow(earlyTicket.body.id).appointment_at).toBe(at('2030-03-04T09:00:00Z'));
    const first = await callNext(1);
    expect(first.body.id).toBe(lateTicket.body.id);
    await close(first.body.id, 1);
    expect((await callNext(1)).body.code).toBe('no-ticket-waiting'); // the early one waits for its slot
    clock = at('2030-03-04T09:00:00Z');
    const second = await callNext(1);
    expect(second.body).toMatchObject({ id: earlyTicket.body.id, explanation: { appointment: true } });
    await close(second.body.id, 1);
  });

  it('sends the H-24 and H-1 reminders once each at their time, across a restart', async () => {
    clock = at('2030-03-04T09:05:00Z');
    const a = await book({ service: service(1), starts_at: '2030-03-05T11:00:00Z' });
    expect(a.status).toBe(201);
    const reminders = () => sent.filter((r) => r.appointmentId === a.body.id).map((r) => r.kind);
    clock = at('2030-03-04T10:59:00Z');
    await t.server.appointmentClock.tick();
    expect(reminders()).toEqual([]);
    clock = at('2030-03-04T11:00:00Z');
    const report = await t.server.appointmentClock.tick();
    expect(report.reminders).toContainEqual({ appointmentId: a.body.id, kind: 'h24' });
    expect(reminders()).toEqual(['h24']);
    clock = at('2030-03-05T09:00:00Z');
    await t.server.appointmentClock.tick();
    expect(reminders()).toHaveLength(1);

    // The server restarts on the same database; the H-1 reminder is still sent once, the H-24 not again.
    const dataDir = t.dataDir;
    await t.server.close();
    t = await startTestServer({ ...serverOptions(), dataDir });
    d = { ...d, adminToken: await t.login(d.adminEmail, 'admin-password-1'), agentTokens: await Promise.all(d.demo.agents.map((x) => t.login(x.email, x.password))) };
    clock = at('2030-03-05T10:00:00Z');
    await t.server.appointmentClock.tick();
    await t.server.appointmentClock.tick();
    expect(reminders()).toEqual(['h24', 'h1']);
  });

  it('marks an appointment nobody checked in a no-show after its grace, with a rebooking link', async () => {
    const a = await book({ service: service(1), starts_at: '2030-03-05T11:30:00Z' });
    expect(a.status).toBe(201);
    clock = at('2030-03-05T11:40:00Z');
    expect((await t.server.appointmentClock.tick()).noShows).not.toContain(a.body.id);
    clock = at('2030-03-05T11:40:01Z');
    expect((await t.server.appointmentClock.tick()).noShows).toContain(a.body.id);
    expect((await t.api('GET', `${appts()}${a.body.id}/`, { token: d.adminToken })).body.status).toBe('no_show');
    const sms = db().raw<{ body: string }>(`SELECT body FROM notification WHERE template_key = 'appointment.no_show' ORDER BY created_at DESC LIMIT 1`)[0]!;
    expect(sms.body).toContain(`/book/${d.demo.siteId}?service=${service(1)}`);
    expect((await checkIn(a.body.check_in_code)).status).toBe(400);
  });

  it('joins from a phone: a remote ticket keeps its place, is passed over and held while away, and is called after checking in at the kiosk', async () => {
    clock = at('2030-03-07T08:00:00Z');
    const site = await t.api('GET', publicBase());
    expect(site.status).toBe(200);
    expect(site.body.services.find((s: { id: string }) => s.id === service(2))).toMatchObject({ waiting: 0, remote_open: true });
    const joined = await t.api('POST', `${publicBase()}join/`, { body: { service: service(2), phone: '+221 77 111 11 11', name: 'Fatou' } });
    expect(joined.status, JSON.stringify(joined.body)).toBe(201);
    expect(joined.body).toMatchObject({ number: 'C001', status: 'en_attente', position: 1, hold_minutes: 5 });
    expect(joined.body.tracking_url).toContain(`/t/${joined.body.public_id}`);
    const tracked = await t.api('GET', `/api/v1/public/tickets/${joined.body.public_id}/`);
    expect(tracked.body).toMatchObject({ remote: true, position: 1 });

    // A walk-in behind it is called first: the remote holder is not here; its hold starts.
    clock += MINUTE;
    const walkIn = await t.api('POST', `${base()}/tickets/`, { token: d.adminToken, body: { queue: queueOf(2), channel: 'kiosk' } });
    expect(walkIn.body.position).toBe(2);
    const first = await callNext(2);
    expect(first.body.id).toBe(walkIn.body.id);
    const remoteId = db().raw<{ id: string }>('SELECT id FROM ticket WHERE public_id = ?', joined.body.public_id)[0]!.id;
    expect(ticketRow(remoteId)).toMatchObject({ remote: 1, held_at: clock });
    await close(first.body.id, 2);

    // Checked in at the kiosk within the hold: called next, at the place it kept.
    const kiosk = await t.api('POST', `${base()}/kiosks/`, { token: d.adminToken, body: { name: 'Entrée', queue_ids: d.demo.queues.map((q) => q.id) } });
    const device = await pairNewDevice(t, d, { type: 'kiosk', kiosk_id: kiosk.body.id });
    clock += 3 * MINUTE;
    const arrived = await checkIn(joined.body.check_in_code.toLowerCase(), { device: device.key });
    expect(arrived.status, JSON.stringify(arrived.body)).toBe(200);
    expect(arrived.body).toMatchObject({ id: remoteId, remote: false, status: 'en_attente' });
    expect((await checkIn(joined.body.check_in_code, { device: device.key })).status).toBe(400);
    const called = await callNext(2);
    expect(called.body.id).toBe(remoteId);
    await close(remoteId, 2);
    const types = db().raw<{ type: string }>('SELECT type FROM ticket_event WHERE ticket_id = ? ORDER BY created_at, id', remoteId).map((r) => r.type);
    expect(types).toEqual(['ticket.created', 'ticket.held', 'ticket.checked_in', 'ticket.called', 'ticket.closed']);
  });

  it('drops a remote ticket whose hold ran out before it checked in (no-show), and the line moves on', async () => {
    const joined = await t.api('POST', `${publicBase()}join/`, { body: { service: service(2), phone: '+221 77 222 22 22' } });
    expect((await callNext(2)).body.code).toBe('no-ticket-waiting'); // its turn: the hold starts
    clock += 5 * MINUTE;
    const walkIn = await t.api('POST', `${base()}/tickets/`, { token: d.adminToken, body: { queue: queueOf(2), channel: 'kiosk' } });
    const next = await callNext(2);
    expect(next.body.id).toBe(walkIn.body.id);
    await close(next.body.id, 2);
    const tracked = await t.api('GET', `/api/v1/public/tickets/${joined.body.public_id}/`);
    expect(tracked.body.status).toBe('no_show');
    const late = await checkIn(joined.body.check_in_code);
    expect(late.status).toBe(400);
    expect(late.body.error).toMatch(/no longer waiting/);
    // The drop is the state machine's move (waiting → no-show by `drop_remote`), journaled and audited as such.
    const droppedId = db().raw<{ id: string }>('SELECT id FROM ticket WHERE public_id = ?', joined.body.public_id)[0]!.id;
    expect(db().raw('SELECT type, from_status, to_status, data FROM ticket_event WHERE ticket_id = ? AND to_status = ?', droppedId, 'no_show'))
      .toEqual([{ type: 'ticket.no_show', from_status: 'en_attente', to_status: 'no_show', data: JSON.stringify({ action: 'drop_remote' }) }]);
    expect(db().raw<{ action: string }>('SELECT action FROM audit_log WHERE entity_id = ? ORDER BY rowid', droppedId).map((r) => r.action)).toContain('ticket.no_show');
  });

  it("refuses remote joins past the service's daily cap (book instead) and a phone number joining too often", async () => {
    expect((await setRule(service(1), { remote_daily_cap: 1 })).status).toBe(200);
    expect((await t.api('POST', `${publicBase()}join/`, { body: { service: service(1), phone: '+221 77 333 33 01' } })).status).toBe(201);
    const full = await t.api('POST', `${publicBase()}join/`, { body: { service: service(1), phone: '+221 77 333 33 02' } });
    expect(full.status).toBe(400);
    expect(full.body).toMatchObject({ code: 'queue-full', error: expect.stringMatching(/full today.*[Bb]ook an appointment/) });
    expect((await t.api('GET', publicBase())).body.services.find((s: { id: string }) => s.id === service(1))).toMatchObject({ remote_open: false, remote_full: true });

    const phone = '+221 77 444 44 44';
    expect((await t.api('POST', `${publicBase()}join/`, { body: { service: service(2), phone } })).status).toBe(201);
    const twice = await t.api('POST', `${publicBase()}join/`, { body: { service: service(2), phone: '+221774444444' } });
    expect(twice.status).toBe(409);
    expect((await t.api('POST', `${publicBase()}join/`, { body: { service: service(0), phone } })).status).toBe(201);
    const count = () => db().raw<{ n: number }>('SELECT COUNT(*) AS n FROM remote_join')[0]!.n;
    const before = count();
    // Third within the hour (the phone's earlier ticket closed, so no duplicate): refused.
    db().run(qb.updateTable('ticket').set({ status: 'clos' }).where('customer_phone', '=', phone));
    expect((await t.api('POST', `${publicBase()}join/`, { body: { service: service(2), phone } })).status).toBe(201);
    const tooMany = await t.api('POST', `${publicBase()}join/`, { body: { service: service(0), phone } });
    expect(tooMany.status).toBe(429);
    expect(count()).toBe(before + 1);
    expect((await t.api('POST', `${publicBase()}join/`, { body: { service: service(2), phone: 'not a phone' } })).status).toBe(400);
    expect((await t.api('GET', '/api/v1/public/sites/00000000-0000-4000-8000-000000000000/')).status).toBe(404);
  });

  it('ends the day at closing time: expires or carries over waiting tickets by service, drops remote ones, seals an audited, synced summary once', async () => {
    clock = at('2030-03-07T11:00:00Z'); // Thursday: open 08:00–12:00
    expect((await setRule(service(0), { end_of_day: 'carry_over' })).status).toBe(200);
    const carried = await t.api('POST', `${base()}/tickets/`, { token: d.adminToken, body: { queue: queueOf(0), channel: 'kiosk' } });
    const expired = await t.api('POST', `${base()}/tickets/`, { token: d.adminToken, body: { queue: queueOf(1), channel: 'kiosk' } });
    const remote = await t.api('POST', `${publicBase()}join/`, { body: { service: service(2), phone: '+221 77 555 55 55' } });
    const remoteId = db().raw<{ id: string }>('SELECT id FROM ticket WHERE public_id = ?', remote.body.public_id)[0]!.id;
    clock = at('2030-03-07T11:59:59Z');
    expect((await t.server.appointmentClock.tick()).sealed.filter((s) => s.businessDate === '2030-03-07')).toEqual([]);
    clock = at('2030-03-07T12:00:00Z');
    const { sealed } = await t.server.appointmentClock.tick();
    const today = sealed.find((s) => s.businessDate === '2030-03-07');
    expect(today).toBeDefined();
    expect(ticketRow(carried.body.id).status).toBe('en_attente');
    expect(ticketRow(expired.body.id).status).toBe('clos');
    expect(ticketRow(remoteId).status).toBe('no_show');
    // Both are the state machine's system moves, journaled with the action that made them.
    const ended = (id: string) => db().raw('SELECT type, from_status, to_status, data, actor_user_id FROM ticket_event WHERE ticket_id = ? ORDER BY created_at DESC, id DESC LIMIT 1', id)[0];
    expect(ended(expired.body.id)).toEqual({ type: 'ticket.closed', from_status: 'en_attente', to_status: 'clos', data: JSON.stringify({ action: 'expire' }), actor_user_id: null });
    expect(ended(remoteId)).toEqual({ type: 'ticket.no_show', from_status: 'en_attente', to_status: 'no_show', data: JSON.stringify({ action: 'drop_remote' }), actor_user_id: null });
    expect(today!.summary).toMatchObject({
      site_id: d.demo.siteId, tickets_carried_over: 1, tickets_expired: expect.any(Number), remote_no_show: expect.any(Number),
      appointments_no_show: expect.any(Number), sealed_at: clock,
    });
    // Earlier tests left remote tickets of this day waiting too: each counted once.
    const dropped = db().raw<{ n: number }>(`SELECT COUNT(*) AS n FROM ticket WHERE business_date = '2030-03-07' AND status = 'no_show' AND remote = 1`)[0]!.n;
    expect(today!.summary.remote_no_show).toBe(dropped - 1); // one was dropped earlier by its hold, not by the day's end
    expect(today!.summary.tickets_expired).toBeGreaterThanOrEqual(1);
    const row = db().raw<{ id: string }>(`SELECT id FROM day_summary WHERE site_id = ? AND business_date = '2030-03-07'`, d.demo.siteId);
    expect(row).toHaveLength(1);
    expect(db().raw<{ action: string }>('SELECT action FROM audit_log WHERE entity_id = ?', row[0]!.id).map((r) => r.action)).toEqual(['day.sealed']);
    expect(db().raw<{ op: string }>(`SELECT op FROM sync_outbox WHERE entity = 'day_summary' AND entity_id = ?`, row[0]!.id).map((r) => r.op)).toEqual(['insert']);
    clock += MINUTE;
    expect((await t.server.appointmentClock.tick()).sealed).toEqual([]);
  });
});
