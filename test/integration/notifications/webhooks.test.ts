import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { qb } from '../../../branch-server/db/sqlite.ts';
import { seedDemoTenant, startTestServer, type DemoTenant, type TestServer } from '../../helpers/server.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../../helpers/webhook-receiver.ts';

/**
 * Outgoing webhooks against a receiver that verifies the HMAC-SHA256 signature as an integrator
 * would, with an injected clock for the retry backoff; and the incoming, idempotent appointment
 * endpoint an external scheduler calls.
 */
let t: TestServer;
let receiver: WebhookReceiver;
let d: DemoTenant;
let secret: string;
let webhookId: string;
let offset = 0;
const now = () => Date.now() + offset;

async function until(ok: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 15));
  }
}

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  t = await startTestServer({ now, accessTokenTtlSeconds: 86_400, notifications: { runner: { pollMs: 20 }, scanMs: 50 } });
  d = await seedDemoTenant(t, 'hooks');
  const created = await t.api('POST', `/api/v1/tenants/${d.slug}/webhooks/`, {
    token: d.adminToken, body: { url: receiver.url, events: ['ticket.created', 'ticket.status_changed', 'appointment.created', 'feedback.created'], description: 'CRM' },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  secret = created.body.secret;
  webhookId = created.body.id;
  receiver.setSecret(secret);
});
afterAll(async () => {
  await t.close();
  await receiver.close();
});

const base = () => `/api/v1/tenants/${d.slug}`;
const deliveries = () => t.server.deps.db.all(qb.selectFrom('webhook_delivery').selectAll().orderBy('created_at').orderBy('id'));

describe('outgoing webhooks', () => {
  it('shows the signing secret once, never in the list, and keeps it encrypted', async () => {
    expect(secret).toMatch(/^whsec_/);
    const list = await t.api('GET', `${base()}/webhooks/`, { token: d.adminToken });
    expect(list.body.results).toEqual([expect.objectContaining({ id: webhookId, url: receiver.url, description: 'CRM', is_active: true })]);
    expect(JSON.stringify(list.body)).not.toContain(secret);
    const row = t.server.deps.db.first(qb.selectFrom('webhook_subscription').select('secret').where('id', '=', webhookId))!;
    expect(Buffer.from(row.secret).includes(Buffer.from(secret))).toBe(false);
    // Managers read the delivery log but do not configure subscriptions; agents do neither.
    expect((await t.api('GET', `${base()}/webhooks/deliveries/`, { token: d.agentTokens[0] })).status).toBe(403);
  });

  it('posts signed ticket events the receiver verifies, retries with backoff while it fails, and redelivers on demand', async () => {
    const created = await t.api('POST', `${base()}/tickets/`, { token: d.adminToken, body: { queue: d.demo.queues[0]!.id, channel: 'kiosk' } });
    expect(created.status).toBe(201);
    await until(() => receiver.received.length === 2, 'ticket.created and ticket.status_changed');
    const byEvent = Object.fromEntries(receiver.received.map((r) => [r.event, r]));
    expect(byEvent['ticket.created']!.body).toMatchObject({
      type: 'ticket.created', tenant: d.slug,
      data: { ticket: { id: created.body.id, number: created.body.number, status: 'en_attente' }, from_status: null, to_status: 'en_attente' },
    });
    expect(byEvent['ticket.status_changed']!.body.data).toMatchObject({ from_status: null, to_status: 'en_attente' });
    expect(Math.abs(byEvent['ticket.created']!.timestamp - Math.floor(now() / 1000))).toBeLessThanOrEqual(5);

    // The receiver is down for the next event: 500, 500, then it takes it.
    receiver.failNext(2);
    const called = await t.api('POST', `${base()}/agents/call-next/`, { token: d.agentTokens[0], body: { queue_id: d.demo.queues[0]!.id } });
    expect(called.status).toBe(200);
    const callDelivery = () => deliveries().find((r) => r.event === 'ticket.status_changed' && JSON.parse(r.payload).data.to_status === 'appele');
    await until(() => callDelivery()?.attempts === 1, 'the first failed attempt');
    expect(callDelivery()).toMatchObject({ status: 'pending', response_status: 500, last_error: 'HTTP 500: try later' });
    offset += 10_000;
    await until(() => callDelivery()?.attempts === 2, 'the second attempt (after 10 s)');
    offset += 20_000;
    await until(() => callDelivery()?.status === 'delivered', 'the third attempt (after 20 more s)');
    expect(callDelivery()).toMatchObject({ attempts: 3, response_status: 200, last_error: '' });
    const eventId = JSON.parse(callDelivery()!.payload).id as string;
    expect(receiver.received.filter((r) => r.body.id === eventId)).toHaveLength(1);

    // The log, as the manager console shows it; a manual redelivery sends the same event again, freshly signed.
    const log = await t.api('GET', `${base()}/webhooks/deliveries/?status=delivered&event=ticket.status_changed`, { token: d.adminToken });
    expect(log.body.results[0]).toMatchObject({ id: callDelivery()!.id, webhook: webhookId, url: receiver.url, attempts: 3, status: 'delivered' });
    const redelivered = await t.api('POST', `${base()}/webhooks/deliveries/${callDelivery()!.id}/redeliver/`, { token: d.adminToken });
    expect(redelivered.status, JSON.stringify(redelivered.body)).toBe(200);
    await until(() => receiver.received.filter((r) => r.body.id === eventId).length === 2, 'the redelivery');
    await until(() => callDelivery()?.status === 'delivered', 'the redelivery to be logged');
    expect(callDelivery()!.attempts).toBe(4);
  });

  it('books an external scheduler\'s appointment once per external id, and announces it once', async () => {
    const service = d.demo.services[0]!.id;
    const date = new Date(now() + 3 * 86_400_000).toISOString().slice(0, 10);
    const slots = await t.api('GET', `${base()}/tickets/appointments/slots/?service=${service}&date=${date}`, { token: d.adminToken });
    const slot = (slots.body as { starts_at: string; available: number }[]).find((s) => s.available > 0)!;
    const body = { external_id: 'crm-4711', service, starts_at: slot.starts_at, customer_name: 'Khady Ba', customer_phone: '+221771112233' };
    const first = await t.api('POST', `${base()}/integrations/appointments/`, { token: d.adminToken, body });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body).toMatchObject({ external_id: 'crm-4711', created: true, status: 'scheduled', customer_phone: '+221771112233' });
    const again = await t.api('POST', `${base()}/integrations/appointments/`, { token: d.adminToken, body });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ id: first.body.id, check_in_code: first.body.check_in_code, created: false });
    const moved = await t.api('POST', `${base()}/integrations/appointments/`, { token: d.adminToken, body: { ...body, starts_at: new Date(Date.parse(slot.starts_at) + 15 * 60_000).toISOString() } });
    expect(moved.status).toBe(409);
    expect(t.server.deps.db.raw<{ n: number }>('SELECT COUNT(*) AS n FROM appointment WHERE tenant_id = ?', d.tenantId)[0]!.n).toBe(1);
    const anonymous = await t.api('POST', `${base()}/integrations/appointments/`, { body: { ...body, external_id: 'crm-4712' } });
    expect(anonymous.status).toBe(401);

    await until(() => receiver.received.some((r) => r.event === 'appointment.created'), 'appointment.created');
    const announced = receiver.received.filter((r) => r.event === 'appointment.created');
    expect(announced).toHaveLength(1);
    expect(announced[0]!.body.data.appointment).toMatchObject({ id: first.body.id, service, status: 'scheduled' });
  });
});
