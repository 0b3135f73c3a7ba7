import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startFakeTwilio } from '../../helpers/fake-twilio.ts';
import { pairNewDevice } from '../../helpers/pairing.ts';
import { parsePrometheus, sampleValue, type MetricFamily } from '../../helpers/prometheus.ts';
import { ADMIN_PASSWORD, seedDemoTenant, startTestServer, type DemoTenant, type TestServer } from '../../helpers/server.ts';

/**
 * Logs and metrics of a real branch server on loopback: the actions of a small day go through the
 * API, then /metrics is read with an independent Prometheus text parser and the log files the
 * server wrote under DATA_DIR/logs are scanned for anything secret or personal.
 */

const PHONE = '+221 77 654 32 10';
const PHONE_DIGITS = '776543210';
const CUSTOMER_EMAIL = 'awa.ndiaye@example.sn';
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
const UUID_IN_ROUTE = /route="[^"]*[0-9a-f]{8}-[0-9a-f]{4}-/;

let t: TestServer;
let d: DemoTenant;
const secrets: string[] = [];

let lastText = '';
async function metrics(): Promise<Map<string, MetricFamily>> {
  const res = await fetch(`${t.url}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain');
  lastText = await res.text();
  return parsePrometheus(lastText);
}

/**
 * `_count` of one labelled histogram series, read from the text (the parser flattens labelled
 * histograms and loses their labels).
 */
function histogramCount(text: string, name: string, labels: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}_count{`) && l.includes(labels));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

beforeAll(async () => {
  t = await startTestServer({ dataDir: undefined });
  d = await seedDemoTenant(t);
  secrets.push(ADMIN_PASSWORD, d.adminToken, ...d.agentTokens, ...d.demo.agents.map((a) => a.password));
});
afterAll(() => t.close());

describe('/metrics', () => {
  it('parses as Prometheus text and its counters move with the tickets issued, called and closed', async () => {
    const before = await metrics();
    const base = `/api/v1/tenants/${d.slug}`;
    const queue = d.demo.queues[0]!.id;
    const issued: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const res = await t.api('POST', `${base}/tickets/`, { token: d.adminToken, body: { queue, channel: 'kiosk', customer_phone: PHONE, customer_name: 'Awa Ndiaye' } });
      expect(res.status).toBe(201);
      issued.push(res.body.id);
    }
    const waiting = await metrics();
    const call = await t.api('POST', `${base}/agents/call-next/`, { token: d.agentTokens[0], body: { queue_id: queue } });
    expect(call.status, JSON.stringify(call.body)).toBe(200);
    expect((await t.api('POST', `${base}/tickets/${call.body.id}/start_service/`, { token: d.agentTokens[0], body: {} })).status).toBe(200);
    expect((await t.api('POST', `${base}/tickets/${call.body.id}/close/`, { token: d.agentTokens[0], body: {} })).status).toBe(200);
    // Counters are fed by the domain events, delivered on the next turn of the event loop.
    await new Promise((resolve) => setImmediate(resolve));
    const after = await metrics();

    expect(sampleValue(after, 'sq_tickets_issued_total') - sampleValue(before, 'sq_tickets_issued_total')).toBe(3);
    expect(sampleValue(after, 'sq_tickets_called_total') - sampleValue(before, 'sq_tickets_called_total')).toBe(1);
    expect(sampleValue(after, 'sq_tickets_closed_total') - sampleValue(before, 'sq_tickets_closed_total')).toBe(1);
    expect(sampleValue(waiting, 'sq_queue_waiting', { queue_id: queue }) - sampleValue(before, 'sq_queue_waiting', { queue_id: queue })).toBe(3);
    expect(sampleValue(after, 'sq_queue_waiting', { queue_id: queue }) - sampleValue(before, 'sq_queue_waiting', { queue_id: queue })).toBe(2);

    // Latency by route template: one series for every ticket created, none per id.
    expect(after.get('sq_http_request_duration_seconds')?.type).toBe('HISTOGRAM');
    const latency = 'sq_http_request_duration_seconds';
    expect(histogramCount(lastText, latency, 'method="POST",route="/api/v1/tenants/:slug/tickets/"')).toBeGreaterThanOrEqual(3);
    expect(histogramCount(lastText, latency, 'method="POST",route="/api/v1/tenants/:slug/tickets/:id/close/"')).toBe(1);
    expect(lastText).not.toMatch(UUID_IN_ROUTE);
    expect(sampleValue(after, 'sq_http_requests_total', { route: '/api/v1/tenants/:slug/tickets/', status: '201' })).toBeGreaterThanOrEqual(3);

    for (const name of ['sq_ws_clients', 'sq_sync_outbox_depth', 'sq_sync_oldest_unsent_age_seconds', 'sq_job_queue_depth', 'sq_print_failures_total',
      'sq_notification_failures_total', 'sq_backup_last_good_timestamp_seconds', 'sq_process_resident_memory_bytes']) {
      expect(after.has(name), name).toBe(true);
    }
    expect(sampleValue(after, 'sq_sync_outbox_depth')).toBeGreaterThan(0);
    // The server checkpoints its WAL on a worker thread (ready a moment after start), not inside its commits.
    await vi.waitFor(() => expect(t.server.deps.db.sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(0), { timeout: 10_000 });
    expect(sampleValue(await metrics(), 'sq_wal_checkpoint_worker_up')).toBe(1);
  });

  it('counts each message that ends failed, by its channel', async () => {
    // Twilio refuses the provider's credentials (401): a failure no retry fixes, so each message ends failed at once.
    const sid = `AC${'0123456789abcdef'.repeat(2)}`;
    const twilio = await startFakeTwilio(sid, 'twilio-right-token-0123456789');
    try {
      const base = `/api/v1/tenants/${d.slug}`;
      const provider = await t.api('POST', `${base}/notifications/providers/`, {
        token: d.adminToken, body: { provider: 'twilio', channel: 'sms', account_sid: sid, auth_token: 'twilio-wrong-token-0123456789', from: '+221330000000', base_url: twilio.url },
      });
      expect(provider.status, JSON.stringify(provider.body)).toBe(201);
      secrets.push('twilio-wrong-token-0123456789');
      expect(sampleValue(await metrics(), 'sq_notification_failures_total', { channel: 'sms' })).toBe(0);
      const ticket = await t.api('POST', `${base}/tickets/`, { token: d.adminToken, body: { queue: d.demo.queues[0]!.id, channel: 'kiosk', customer_phone: PHONE } });
      expect(ticket.status).toBe(201);
      const failedSms = async () => (await t.api('GET', `${base}/notifications/?status=failed&channel=sms`, { token: d.adminToken })).body.count as number;
      await expect.poll(async () => {
        const failed = await failedSms();
        return failed >= 1 && sampleValue(await metrics(), 'sq_notification_failures_total', { channel: 'sms' }) === failed;
      }, { timeout: 20_000 }).toBe(true);
      expect(sampleValue(await metrics(), 'sq_notification_failures_total', { channel: 'email' })).toBe(0);
    } finally {
      await twilio.close();
    }
  });
});

describe('/metrics protection', () => {
  it('asks for the token when METRICS_TOKEN is set, and serves it with the right one', async () => {
    const token = 'metrics-token-0123456789';
    const guarded = await startTestServer({ metricsToken: token });
    try {
      const none = await fetch(`${guarded.url}/metrics`);
      expect(none.status).toBe(401);
      expect(await none.json()).toMatchObject({ code: 'not-authenticated' });
      expect((await fetch(`${guarded.url}/metrics`, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status).toBe(401);
      const ok = await fetch(`${guarded.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
      expect(ok.status).toBe(200);
      expect(parsePrometheus(await ok.text()).has('sq_http_requests_total')).toBe(true);
    } finally {
      await guarded.close();
    }
  });
});

describe('logs', () => {
  it('carry a request id on every request line, answer it in X-Request-Id, and hold no secret, key or phone number', async () => {
    const base = `/api/v1/tenants/${d.slug}`;
    const kiosk = await t.api('POST', `${base}/kiosks/`, { token: d.adminToken, body: { name: 'Hall', queue_ids: [d.demo.queues[0]!.id] } });
    const device = await pairNewDevice(t, d, { type: 'kiosk', kiosk_id: kiosk.body.id });
    secrets.push(device.key);
    const customer = await t.api('POST', `${base}/customers/`, { token: d.adminToken, body: { first_name: 'Awa', last_name: 'Ndiaye', phone: PHONE, email: CUSTOMER_EMAIL } });
    expect(customer.status).toBe(201);
    // Background work that fails (here an event listener, after the commit) reports to the same log, scrubbed.
    const unsubscribe = t.server.events.subscribe(() => {
      throw new Error(`listener broke while texting ${PHONE}`);
    });
    await t.api('POST', `${base}/tickets/`, { device: device.key, body: { queue: d.demo.queues[0]!.id, channel: 'kiosk', customer_phone: PHONE } });
    await new Promise((resolve) => setImmediate(resolve));
    unsubscribe();
    // A failed login with a password, a refresh token in a body, a phone typed where an id belongs.
    await t.api('POST', '/api/v1/auth/', { body: { email: d.adminEmail, password: 'wrong-password-secret-1' } });
    secrets.push('wrong-password-secret-1');
    const login = await t.api('POST', '/api/v1/auth/', { body: { email: d.adminEmail, password: ADMIN_PASSWORD } });
    secrets.push(login.body.token, login.body.refresh_token);
    await t.api('POST', '/api/v1/auth/refresh/', { body: { refresh_token: login.body.refresh_token } });
    await t.api('GET', `${base}/customers/${encodeURIComponent(PHONE)}/`, { token: d.adminToken });
    const traced = await t.api('GET', '/api/v1/health/', { headers: { 'x-request-id': 'probe-4242' } });
    expect(traced.headers.get('x-request-id')).toBe('probe-4242');
    const mine = await t.api('GET', '/api/v1/health/');
    const generated = mine.headers.get('x-request-id');
    expect(generated).toMatch(/^[0-9a-f]{6}-[0-9a-z]+$/);

    const dataDir = t.dataDir;
    await t.server.close();
    const dir = join(dataDir, 'logs');
    const text = readdirSync(dir).map((f) => readFileSync(join(dir, f), 'utf8')).join('');
    const lines = text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
    const requests = lines.filter((l) => l['msg'] === 'request');
    expect(requests.length).toBeGreaterThan(20);
    for (const line of requests) expect(line['req_id'], JSON.stringify(line)).toMatch(/\S/);
    expect(requests.some((l) => l['req_id'] === 'probe-4242' && l['route'] === '/api/v1/health/')).toBe(true);
    expect(requests.some((l) => l['req_id'] === generated)).toBe(true);
    // Routes are logged by template: no ticket or customer id, no phone typed into a path.
    expect(requests.filter((l) => UUID.test(String(l['route'])))).toEqual([]);
    const background = lines.find((l) => l['msg'] === 'event listener failed');
    expect((background?.['err'] as { message?: string } | undefined)?.message).toBe('listener broke while texting [phone]');

    for (const secret of secrets) expect(text.includes(secret), `a secret (${secret.slice(0, 6)}…) is in the logs`).toBe(false);
    expect(text.replace(/\D/g, ' ')).not.toContain(PHONE_DIGITS);
    expect(text.replace(/[\s.-]/g, '')).not.toContain(PHONE_DIGITS);
    expect(text).not.toContain(CUSTOMER_EMAIL);
  });
});
