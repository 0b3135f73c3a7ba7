import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { qb } from '../../../branch-server/db/sqlite.ts';
import { enqueueAppointmentReminder } from '../../../branch-server/use-cases/appointment-reminders.ts';
import { purgeExpiredNotifications } from '../../../branch-server/jobs/notification-retention.ts';
import { startFakeTwilio, type FakeTwilio } from '../../helpers/fake-twilio.ts';
import { pairNewDevice } from '../../helpers/pairing.ts';
import { seedDemoTenant, startTestServer, type DemoTenant, type TestServer } from '../../helpers/server.ts';

/**
 * Messages about tickets, end to end: the real branch server on loopback, a Twilio-shaped REST
 * server checking auth and form fields, and an injected clock (`offset`) for backoff, quiet hours
 * and staleness — nothing here sleeps for a retry.
 */
const SID = `AC${'0123456789abcdef'.repeat(2)}`;
const TOKEN = 'twilio-auth-token-0123456789';
const SENDER = '+221330000000';

let t: TestServer;
let twilio: FakeTwilio;
let offset = 0;
const now = () => Date.now() + offset;
const advance = (ms: number) => {
  offset += ms;
};

beforeAll(async () => {
  twilio = await startFakeTwilio(SID, TOKEN);
  t = await startTestServer({ now, accessTokenTtlSeconds: 86_400, notifications: { runner: { pollMs: 20 }, scanMs: 50 } });
});
afterAll(async () => {
  await t.close();
  await twilio.close();
});

const db = () => t.server.deps.db;

async function until(ok: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 15));
  }
}

/** The planner has read every ticket event (so "no message" really means none was queued). */
async function planned(): Promise<void> {
  const head = () => db().raw<{ n: number }>('SELECT COALESCE(MAX(rowid), 0) AS n FROM ticket_event')[0]!.n;
  const cursor = () => db().first(qb.selectFrom('event_cursor').select('position').where('name', '=', 'notifications:ticket_event'))?.position ?? -1;
  await until(() => cursor() >= head(), 'the planner to catch up');
}

const notificationsOf = (ticketId: string) => db().all(qb.selectFrom('notification').selectAll().where('ticket_id', '=', ticketId).orderBy('created_at').orderBy('id'));
const messagesTo = (phone: string) => twilio.messages.filter((m) => m.to === phone);

async function tenantWithTwilio(slug: string): Promise<DemoTenant> {
  const d = await seedDemoTenant(t, slug);
  const res = await t.api('POST', `/api/v1/tenants/${slug}/notifications/providers/`, {
    token: d.adminToken, body: { provider: 'twilio', channel: 'sms', account_sid: SID, auth_token: TOKEN, from: SENDER, base_url: twilio.url },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return d;
}

async function issue(d: DemoTenant, body: Record<string, unknown>) {
  const res = await t.api('POST', `/api/v1/tenants/${d.slug}/tickets/`, { token: d.adminToken, body: { queue: d.demo.queues[0]!.id, channel: 'kiosk', ...body } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; number: string; public_id: string };
}

async function callNext(d: DemoTenant) {
  const res = await t.api('POST', `/api/v1/tenants/${d.slug}/agents/call-next/`, { token: d.agentTokens[0], body: { queue_id: d.demo.queues[0]!.id } });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as { id: string; number: string; counter: string };
}

describe('SMS notifications through a Twilio-shaped provider', () => {
  it('texts a kiosk customer the confirmation with a tracking link, then "your turn" with the counter, and records delivery', async () => {
    const d = await tenantWithTwilio('sms-journey');
    // The API never hands the credentials back, and the database holds them sealed.
    const listed = await t.api('GET', `/api/v1/tenants/${d.slug}/notifications/providers/`, { token: d.adminToken });
    expect(listed.body.results).toEqual([expect.objectContaining({ provider: 'twilio', channel: 'sms', secrets_set: ['auth_token'], settings: { account_sid: SID, from: SENDER } })]);
    expect(JSON.stringify(listed.body)).not.toContain(TOKEN);
    const stored = db().first(qb.selectFrom('notification_provider').selectAll().where('tenant_id', '=', d.tenantId))!;
    expect(Buffer.from(stored.secrets!).includes(Buffer.from(TOKEN))).toBe(false);

    const kiosk = await t.api('POST', `/api/v1/tenants/${d.slug}/kiosks/`, { token: d.adminToken, body: { name: 'Entrée', queue_ids: [d.demo.queues[0]!.id] } });
    const device = await pairNewDevice(t, d, { type: 'kiosk', kiosk_id: kiosk.body.id });
    const phone = '+221771234567';
    const taken = await t.api('POST', `/api/v1/tenants/${d.slug}/tickets/`, { device: device.key, body: { queue: d.demo.queues[0]!.id, channel: 'kiosk', customer_phone: phone } });
    expect(taken.status).toBe(201);

    await until(() => messagesTo(phone).length === 1, 'the confirmation SMS');
    const [confirmation] = messagesTo(phone);
    expect(confirmation).toMatchObject({ from: SENDER });
    expect(confirmation!.body).toContain(`votre ticket ${taken.body.number}`);
    expect(confirmation!.body).toContain(`${t.url}/t/${taken.body.public_id}`);
    expect(confirmation!.statusCallback).toMatch(/\/api\/v1\/notifications\/callbacks\/twilio\/[0-9a-f-]{36}\/$/);

    const call = await callNext(d);
    expect(call.id).toBe(taken.body.id);
    await until(() => messagesTo(phone).length === 2, '"your turn"');
    const yourTurn = messagesTo(phone)[1]!;
    expect(yourTurn.body).toBe(`SmartQueue: le ticket ${taken.body.number} est appelé au Guichet 1. Merci de vous présenter.`);

    await until(() => notificationsOf(taken.body.id).every((n) => n.status === 'sent'), 'both rows sent');
    expect(notificationsOf(taken.body.id).map((n) => [n.template_key, n.provider, n.provider_id, n.attempts])).toEqual([
      ['ticket_created', 'twilio', confirmation!.sid, 1], ['ticket_called', 'twilio', yourTurn.sid, 1],
    ]);

    // Twilio reports delivery; a forged report (wrong key) is refused and changes nothing.
    expect(await twilio.report(confirmation!.sid, 'delivered', { signWith: 'not-the-token' })).toBe(403);
    expect(await twilio.report(yourTurn.sid, 'delivered')).toBe(204);
    expect(await twilio.report(confirmation!.sid, 'undelivered')).toBe(204);
    const listedMessages = await t.api('GET', `/api/v1/tenants/${d.slug}/notifications/?ticket=${taken.body.id}`, { token: d.adminToken });
    expect(listedMessages.body.results.map((n: any) => [n.template_key, n.status, n.last_error])).toEqual([
      ['ticket_called', 'delivered', ''], ['ticket_created', 'failed', 'Twilio: undelivered (error 30003)'],
    ]);
    expect(twilio.refused).toEqual([]);

    // Served and closed: the feedback link follows.
    await t.api('POST', `/api/v1/tenants/${d.slug}/notifications/templates/`, {
      token: d.adminToken, body: { key: 'feedback_request', channel: 'sms', language: 'fr', body: 'Merci ! Votre avis : {{feedback_url}}' },
    });
    for (const action of ['start_service', 'close']) {
      expect((await t.api('POST', `/api/v1/tenants/${d.slug}/tickets/${taken.body.id}/${action}/`, { token: d.agentTokens[0], body: {} })).status).toBe(200);
    }
    await until(() => messagesTo(phone).length === 3, 'the feedback link');
    expect(messagesTo(phone)[2]!.body).toBe(`Merci ! Votre avis : ${t.url}/t/${taken.body.public_id}#feedback`);
  });

  it('retries with backoff while the provider answers 503, and sends once it recovers', async () => {
    const d = await tenantWithTwilio('sms-retry');
    const phone = '+221771000002';
    twilio.failNext(2, 503);
    const ticket = await issue(d, { customer_phone: phone });
    await until(() => notificationsOf(ticket.id)[0]?.attempts === 1, 'the first attempt');
    expect(notificationsOf(ticket.id)[0]).toMatchObject({ status: 'pending', last_error: expect.stringContaining('Twilio answered 503') });
    expect(messagesTo(phone)).toEqual([]);

    advance(5_000);
    await until(() => notificationsOf(ticket.id)[0]?.attempts === 2, 'the second attempt (after 5 s)');
    expect(notificationsOf(ticket.id)[0]!.status).toBe('pending');
    advance(10_000);
    await until(() => notificationsOf(ticket.id)[0]?.status === 'sent', 'the third attempt (after 10 more s)');
    expect(notificationsOf(ticket.id)[0]).toMatchObject({ attempts: 3, last_error: '' });
    expect(messagesTo(phone)).toHaveLength(1);
  });

  it('gives up on a message the provider refuses for good (bad number), without retrying', async () => {
    const d = await tenantWithTwilio('sms-refused');
    twilio.failNext(1, 400);
    const ticket = await issue(d, { customer_phone: '+221771000009' });
    await until(() => notificationsOf(ticket.id)[0]?.status === 'failed', 'the failure');
    expect(notificationsOf(ticket.id)[0]).toMatchObject({ attempts: 1, last_error: expect.stringContaining('Twilio answered 400') });
  });

  it('drops messages that went stale while the provider was down instead of sending them late', async () => {
    const d = await tenantWithTwilio('sms-stale');
    const phone = '+221771000003';
    twilio.failNext(1000, 503);
    const ticket = await issue(d, { customer_phone: phone });
    await until(() => notificationsOf(ticket.id)[0]?.attempts === 1, 'the confirmation to fail once');
    await callNext(d);
    await until(() => notificationsOf(ticket.id)[1]?.attempts === 1, '"your turn" to fail once');
    // The customer came to the counter anyway; the ticket is served and closed.
    for (const action of ['start_service', 'close']) {
      const res = await t.api('POST', `/api/v1/tenants/${d.slug}/tickets/${ticket.id}/${action}/`, { token: d.agentTokens[0], body: {} });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    }
    twilio.failNext(0);
    advance(5_000);
    await until(() => notificationsOf(ticket.id).every((n) => n.status === 'dropped'), 'both to be dropped');
    expect(notificationsOf(ticket.id).map((n) => [n.template_key, n.last_error])).toEqual([
      ['ticket_created', 'stale: the ticket is no longer waiting (clos)'],
      ['ticket_called', 'stale: the call is over (ticket clos)'],
    ]);
    expect(messagesTo(phone)).toEqual([]);
  });

  it('writes only to customers who consented to SMS', async () => {
    const d = await tenantWithTwilio('sms-consent');
    const [awa, moussa] = d.demo.customers as [string, string];
    const toAwa = await issue(d, { customer: awa });
    const toMoussa = await issue(d, { customer: moussa });
    const nobody = await issue(d, {});
    await until(() => messagesTo('+221770000001').length === 1, 'the SMS to the consenting customer');
    // Awa withdraws her SMS consent: her next ticket gets nothing.
    const patched = await t.api('PATCH', `/api/v1/tenants/${d.slug}/customers/${awa}/`, { token: d.adminToken, body: { consents: { sms: false } } });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    const withdrawn = await issue(d, { customer: awa });
    await planned();
    expect(notificationsOf(toAwa.id).map((n) => n.recipient)).toEqual(['+221770000001']);
    expect(notificationsOf(toMoussa.id)).toEqual([]);
    expect(notificationsOf(nobody.id)).toEqual([]);
    expect(notificationsOf(withdrawn.id)).toEqual([]);
    expect(messagesTo('+221770000002')).toEqual([]);
  });

  it('holds messages during the site\'s quiet hours and caps the messages per ticket', async () => {
    const d = await tenantWithTwilio('sms-quiet');
    const minute = Math.floor((now() % 86_400_000) / 60_000); // Dakar is UTC+0
    const clockOf = (m: number) => `${String(Math.floor(((m + 1440) % 1440) / 60)).padStart(2, '0')}:${String((m + 1440) % 60).padStart(2, '0')}`;
    const settings = await t.api('PATCH', `/api/v1/tenants/${d.slug}/notifications/settings/`, {
      token: d.adminToken, body: { max_per_ticket: 1, quiet_hours: [{ site: d.demo.siteId, start: clockOf(minute - 5), end: clockOf(minute + 10) }] },
    });
    expect(settings.status, JSON.stringify(settings.body)).toBe(200);
    expect(settings.body).toMatchObject({ max_per_ticket: 1, ahead_position: 3, quiet_hours: [{ site: d.demo.siteId }] });
    const phone = '+221771000004';
    const ticket = await issue(d, { customer_phone: phone });
    await until(() => notificationsOf(ticket.id)[0]?.last_error === 'held: quiet hours', 'the message to be held');
    expect(notificationsOf(ticket.id)[0]).toMatchObject({ status: 'pending', attempts: 0 });
    expect(messagesTo(phone)).toEqual([]);

    advance(11 * 60_000);
    await until(() => notificationsOf(ticket.id)[0]?.status === 'sent', 'the message once quiet hours end');
    await callNext(d);
    await until(() => notificationsOf(ticket.id).length === 2, 'the second message');
    expect(notificationsOf(ticket.id)[1]).toMatchObject({ status: 'dropped', last_error: 'anti-spam: at most 1 messages per ticket on sms' });
    expect(messagesTo(phone)).toHaveLength(1);
  });

  it('tells a waiting customer when only N people are ahead, once', async () => {
    const d = await tenantWithTwilio('sms-ahead');
    const created = await t.api('POST', `/api/v1/tenants/${d.slug}/notifications/templates/`, {
      token: d.adminToken, body: { key: 'ticket_ahead', channel: 'sms', language: 'fr', body: '{{ticket_number}}: plus que {{position}} avant vous ({{eta_minutes}} min).' },
    });
    expect(created.status).toBe(201);
    await t.api('PATCH', `/api/v1/tenants/${d.slug}/notifications/settings/`, { token: d.adminToken, body: { ahead_position: 2 } });
    await issue(d, {});
    await issue(d, {});
    const third = await issue(d, { customer_phone: '+221771000005' });
    await until(() => messagesTo('+221771000005').length === 1, 'the confirmation');
    await callNext(d); // the third ticket is now second in line
    await until(() => messagesTo('+221771000005').length === 2, 'the "N ahead" message');
    expect(messagesTo('+221771000005')[1]!.body).toMatch(new RegExp(`^${third.number}: plus que 2 avant vous \\(\\d+ min\\)\\.$`));
    // Closing the called ticket moves nobody up: no second "ahead" message.
    await planned();
    expect(notificationsOf(third.id).filter((n) => n.template_key === 'ticket_ahead')).toHaveLength(1);
  });

  it('writes on WhatsApp through Twilio to a customer who chose it, again on a recall', async () => {
    const d = await tenantWithTwilio('wa-recall');
    const wa = await t.api('POST', `/api/v1/tenants/${d.slug}/notifications/providers/`, {
      token: d.adminToken, body: { provider: 'twilio', channel: 'whatsapp', account_sid: SID, auth_token: TOKEN, from: SENDER, base_url: twilio.url },
    });
    expect(wa.status).toBe(201);
    await t.api('POST', `/api/v1/tenants/${d.slug}/notifications/templates/`, {
      token: d.adminToken, body: { key: 'ticket_called', channel: 'whatsapp', language: 'fr', body: '*{{ticket_number}}* : {{counter}}' },
    });
    const customer = await t.api('POST', `/api/v1/tenants/${d.slug}/customers/`, {
      token: d.adminToken, body: { first_name: 'Ndeye', last_name: 'Sarr', phone: '+221771000010', notify_whatsapp: true },
    });
    const ticket = await issue(d, { customer: customer.body.id });
    await callNext(d);
    const onWhatsApp = () => twilio.messages.filter((m) => m.to === 'whatsapp:+221771000010');
    // The agent recalls once the customer was told (a call message still queued when a recall comes
    // is stale and dropped: the recall's own message supersedes it).
    await until(() => onWhatsApp().length === 1, 'the call on WhatsApp');
    const recall = await t.api('POST', `/api/v1/tenants/${d.slug}/tickets/${ticket.id}/recall/`, { token: d.agentTokens[0], body: {} });
    expect(recall.status, JSON.stringify(recall.body)).toBe(200);
    await until(() => onWhatsApp().length === 2, 'the call and the recall on WhatsApp');
    expect(onWhatsApp().map((m) => [m.from, m.body])).toEqual([
      [`whatsapp:${SENDER}`, `*${ticket.number}* : Guichet 1`], [`whatsapp:${SENDER}`, `*${ticket.number}* : Guichet 1`],
    ]);
    expect(notificationsOf(ticket.id).map((n) => [n.channel, n.template_key])).toEqual([['whatsapp', 'ticket_called'], ['whatsapp', 'ticket_recalled']]);
    expect(messagesTo('+221771000010')).toEqual([]); // no SMS consent
  });

  it('queues appointment reminders for the appointments code, once each, and drops one whose appointment was cancelled', async () => {
    const d = await tenantWithTwilio('sms-reminders');
    await t.api('POST', `/api/v1/tenants/${d.slug}/notifications/templates/`, {
      token: d.adminToken, body: { key: 'appointment_reminder', channel: 'sms', language: 'fr', body: 'Rappel : rendez-vous {{service_name}} le {{appointment_time}}, code {{ticket_number}}.' },
    });
    const service = d.demo.services[0]!.id;
    const slots = await t.api('GET', `/api/v1/tenants/${d.slug}/tickets/appointments/slots/?service=${service}&date=${new Date(now() + 2 * 86_400_000).toISOString().slice(0, 10)}`, { token: d.adminToken });
    const [first, second] = (slots.body as { starts_at: string; available: number }[]).filter((s) => s.available > 0);
    const book = async (startsAt: string, phone: string) => {
      const res = await t.api('POST', `/api/v1/tenants/${d.slug}/tickets/appointments/`, { token: d.adminToken, body: { service, starts_at: startsAt, customer_name: 'Fatou', customer_phone: phone } });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return res.body as { id: string; check_in_code: string };
    };
    const kept = await book(first!.starts_at, '+221771000006');
    const cancelled = await book(second!.starts_at, '+221771000007');
    const deps = { db: db(), now };
    expect(enqueueAppointmentReminder(deps, kept.id, 'h24')).toEqual([expect.objectContaining({ channel: 'sms', status: 'pending' })]);
    expect(enqueueAppointmentReminder(deps, kept.id, 'h24')).toEqual([]);
    await until(() => messagesTo('+221771000006').length === 1, 'the reminder');
    expect(messagesTo('+221771000006')[0]!.body).toContain(`code ${kept.check_in_code}`);
    twilio.failNext(1, 503);
    expect(enqueueAppointmentReminder(deps, cancelled.id, 'h1')).toHaveLength(1);
    const reminderOf = (id: string) => db().first(qb.selectFrom('notification').selectAll().where('appointment_id', '=', id));
    await until(() => reminderOf(cancelled.id)?.attempts === 1, 'the second reminder to fail once');
    const res = await t.api('POST', `/api/v1/tenants/${d.slug}/tickets/appointments/${cancelled.id}/cancel/`, { token: d.adminToken, body: {} });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    advance(5_000);
    await until(() => reminderOf(cancelled.id)?.status === 'dropped', 'the cancelled appointment\'s reminder to be dropped');
    expect(reminderOf(cancelled.id)!.last_error).toBe('stale: the appointment is cancelled');
    expect(messagesTo('+221771000007')).toEqual([]);
  });

  it('deletes notifications older than the tenant\'s retention period', async () => {
    const d = await tenantWithTwilio('sms-retention');
    db().run(qb.updateTable('tenant').set({ data_retention_days: 30 }).where('id', '=', d.tenantId));
    const old = now() - 31 * 86_400_000;
    const row = (id: string, createdAt: number, status: 'sent' | 'pending') => ({
      id, tenant_id: d.tenantId, ticket_id: null, customer_id: null, appointment_id: null, channel: 'sms' as const, recipient: '+221770000000',
      body: 'x', status, provider_id: null, dedupe_key: null, created_at: createdAt, sent_at: null, delivered_at: null, updated_at: createdAt,
    });
    db().run(qb.insertInto('notification').values([
      row('00000000-0000-7000-8000-000000000001', old, 'sent'), row('00000000-0000-7000-8000-000000000002', now() - 29 * 86_400_000, 'sent'),
      row('00000000-0000-7000-8000-000000000003', old, 'pending'),
    ]));
    expect(purgeExpiredNotifications(db(), now()).notifications).toBeGreaterThanOrEqual(1);
    const left = db().all(qb.selectFrom('notification').select('id').where('tenant_id', '=', d.tenantId).orderBy('id')).map((r) => r.id);
    expect(left).toEqual(['00000000-0000-7000-8000-000000000002', '00000000-0000-7000-8000-000000000003']);
  });
});

describe('durability', () => {
  it('sends after a restart a message that was still waiting for its retry when the server stopped', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sq-notify-restart-'));
    const options = { now, dataDir, accessTokenTtlSeconds: 86_400, notifications: { runner: { pollMs: 20 }, scanMs: 50 } };
    let first: TestServer | null = await startTestServer(options);
    try {
      const d = await seedDemoTenant(first, 'sms-restart');
      await first.api('POST', `/api/v1/tenants/${d.slug}/notifications/providers/`, {
        token: d.adminToken, body: { provider: 'twilio', channel: 'sms', account_sid: SID, auth_token: TOKEN, from: SENDER, base_url: twilio.url },
      });
      twilio.failNext(1000, 503);
      const ticket = (await first.api('POST', `/api/v1/tenants/${d.slug}/tickets/`, { token: d.adminToken, body: { queue: d.demo.queues[0]!.id, channel: 'kiosk', customer_phone: '+221771000020' } })).body;
      const row = (server: TestServer) => server.server.deps.db.first(qb.selectFrom('notification').selectAll().where('ticket_id', '=', ticket.id));
      await until(() => row(first!)?.attempts === 1, 'the first failed attempt');
      await first.close();
      first = null;
      twilio.failNext(0);
      advance(5_000);
      const second = await startTestServer(options);
      try {
        await until(() => row(second)?.status === 'sent', 'the message after the restart');
        expect(row(second)).toMatchObject({ attempts: 2, provider: 'twilio' });
        expect(messagesTo('+221771000020')).toHaveLength(1);
      } finally {
        await second.close();
      }
    } finally {
      await first?.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
