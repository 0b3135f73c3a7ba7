import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { jwtVerify } from 'jose';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { qb } from '../../../branch-server/db/sqlite.ts';
import { sendgridAdapter } from '../../../branch-server/notifications/adapters/sendgrid.ts';
import { startFakeGsmModem, type FakeGsmModem } from '../../helpers/fake-gsm-modem.ts';
import { hasSocat, startPtyPair, type PtyPair } from '../../helpers/socat.ts';
import { seedDemoTenant, startTestServer, type DemoTenant, type TestServer } from '../../helpers/server.ts';

/**
 * The other channels, each against a local server speaking the vendor's wire format: a GSM modem
 * answering AT commands on a socat pty pair (the SMS fallback when the internet is down), an SMTP
 * server (`smtp-server`) with authentication, an FCM HTTP v1 endpoint with its OAuth token endpoint
 * checking the service account's signed JWT, and SendGrid's v3 mail/send.
 */
let t: TestServer;

beforeAll(async () => {
  t = await startTestServer({ notifications: { runner: { pollMs: 20 }, scanMs: 50 } });
});
afterAll(() => t.close());

const db = () => t.server.deps.db;

async function until(ok: () => boolean, what: string, timeoutMs = 8000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 15));
  }
}

const notificationsOf = (ticketId: string) => db().all(qb.selectFrom('notification').selectAll().where('ticket_id', '=', ticketId).orderBy('created_at'));

async function provider(d: DemoTenant, body: Record<string, unknown>): Promise<void> {
  const res = await t.api('POST', `/api/v1/tenants/${d.slug}/notifications/providers/`, { token: d.adminToken, body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
}

async function issue(d: DemoTenant, body: Record<string, unknown>) {
  const res = await t.api('POST', `/api/v1/tenants/${d.slug}/tickets/`, { token: d.adminToken, body: { queue: d.demo.queues[0]!.id, channel: 'kiosk', ...body } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; number: string; public_id: string };
}

/** A port that was just free: nothing answers there (the "internet provider" is unreachable). */
async function deadUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

if (!hasSocat) console.warn('GSM modem tests skipped: socat is not installed (apt-get install socat)');

describe.skipIf(!hasSocat)('SMS through a GSM modem when the internet is down (socat pty pair)', () => {
  let pair: PtyPair;
  let modem: FakeGsmModem;
  beforeAll(async () => {
    pair = await startPtyPair();
    modem = await startFakeGsmModem(pair.b);
  });
  afterAll(async () => {
    await modem?.close();
    await pair?.close();
  });

  it('sends over the modem at once when Twilio cannot be reached, splitting a long text into concatenated parts', async () => {
    const d = await seedDemoTenant(t, 'gsm-fallback');
    await provider(d, { provider: 'twilio', channel: 'sms', account_sid: `AC${'ab'.repeat(16)}`, auth_token: 'x'.repeat(32), from: '+221330000000', base_url: await deadUrl() });
    await provider(d, { provider: 'gsm_modem', channel: 'sms', path: pair.a, baud_rate: 115200 });
    const ticket = await issue(d, { customer_phone: '+221771230000' });

    await until(() => modem.messages.length === 1 && notificationsOf(ticket.id)[0]?.status === 'sent', 'the SMS at the modem');
    const [row] = notificationsOf(ticket.id);
    expect(row).toMatchObject({ status: 'sent', provider: 'gsm_modem', attempts: 1, provider_id: expect.stringMatching(/^gsm:\d+(,\d+)+$/) });
    expect(row!.last_error).toMatch(/^sent by gsm_modem after: Twilio unreachable/);
    // The demo confirmation is longer than one UCS-2 SMS (70 characters): the phone reassembles the parts.
    expect(modem.messages[0]).toEqual({ to: '+221771230000', text: row!.body, parts: Math.ceil(row!.body.length / 67) });
    expect(modem.messages[0]!.text).toContain(`votre ticket ${ticket.number}`);
    expect(modem.commands.filter((c) => !c.startsWith('AT+CMGS'))).toEqual(['ATE0', 'AT+CMGF=0']);
  });
});

describe('e-mail and push', () => {
  it('sends e-mail through an SMTP server that requires a login, with the template\'s subject', async () => {
    const mails: { from: string; to: string[]; data: string; user: string }[] = [];
    const smtp = new SMTPServer({
      authOptional: false, disabledCommands: ['STARTTLS'], allowInsecureAuth: true, logger: false,
      onAuth(auth, _session, cb) {
        if (auth.username === 'branch' && auth.password === 'smtp-secret') cb(null, { user: auth.username });
        else cb(new Error('Invalid username or password'));
      },
      onData(stream, session, cb) {
        let data = '';
        stream.on('data', (c: Buffer) => (data += c.toString('utf8')));
        stream.on('end', () => {
          mails.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), data, user: String(session.user) });
          cb(null);
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    const port = (smtp.server.address() as AddressInfo).port;
    try {
      const d = await seedDemoTenant(t, 'mail-smtp');
      await provider(d, { provider: 'smtp', channel: 'email', host: '127.0.0.1', port, secure: false, username: 'branch', password: 'smtp-secret', from: 'SmartQueue <queue@bank.example>' });
      const template = await t.api('POST', `/api/v1/tenants/${d.slug}/notifications/templates/`, {
        token: d.adminToken, body: { key: 'ticket_created', channel: 'email', language: 'fr', subject: 'Votre ticket {{ticket_number}}', body: 'Suivez votre ticket : {{tracking_url}}' },
      });
      expect(template.status).toBe(201);
      const customer = await t.api('POST', `/api/v1/tenants/${d.slug}/customers/`, {
        token: d.adminToken, body: { first_name: 'Aminata', last_name: 'Fall', email: 'aminata@example.sn', notify_email: true },
      });
      expect(customer.status, JSON.stringify(customer.body)).toBe(201);
      const ticket = await issue(d, { customer: customer.body.id });
      await until(() => mails.length === 1, 'the e-mail');
      expect(mails[0]).toMatchObject({ from: 'queue@bank.example', to: ['aminata@example.sn'], user: 'branch' });
      expect(mails[0]!.data).toContain(`Subject: Votre ticket ${ticket.number}`);
      expect(mails[0]!.data).toContain(`/t/${ticket.public_id}`);
      await until(() => notificationsOf(ticket.id)[0]?.status === 'sent', 'the row to be sent');
      expect(notificationsOf(ticket.id)[0]).toMatchObject({ provider: 'smtp', channel: 'email', provider_id: expect.stringMatching(/^<.+@.+>$/) });

      // Wrong password: the server's 535 is final, not retried.
      await provider(d, { provider: 'smtp', channel: 'email', host: '127.0.0.1', port, secure: false, username: 'branch', password: 'wrong', from: 'queue@bank.example' });
      const refused = await issue(d, { customer: customer.body.id });
      await until(() => notificationsOf(refused.id)[0]?.status === 'failed', 'the refused e-mail to fail');
      expect(notificationsOf(refused.id)[0]).toMatchObject({ attempts: 1, last_error: expect.stringContaining('Invalid username or password') });
    } finally {
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
    }
  });

  it('sends push through FCM HTTP v1 after exchanging the service account\'s signed JWT for an access token', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const clientEmail = 'branch@smartqueue-test.iam.gserviceaccount.com';
    const pushes: unknown[] = [];
    const grants: string[] = [];
    let base = '';
    const server: Server = createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString()));
      req.on('end', () => {
        void (async () => {
          if (req.url === '/token') {
            const form = new URLSearchParams(raw);
            grants.push(form.get('grant_type') ?? '');
            try {
              const { payload } = await jwtVerify(form.get('assertion') ?? '', publicKey, { issuer: clientEmail, audience: `${base}/token`, algorithms: ['RS256'] });
              if (payload['scope'] !== 'https://www.googleapis.com/auth/firebase.messaging') throw new Error('scope');
              res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ access_token: 'ya29.test-token', expires_in: 3599, token_type: 'Bearer' }));
            } catch {
              res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'invalid_grant' }));
            }
            return;
          }
          if (req.url === '/v1/projects/smartqueue-test/messages:send' && req.headers.authorization === 'Bearer ya29.test-token') {
            const body = JSON.parse(raw) as { message: unknown };
            pushes.push(body.message);
            res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ name: `projects/smartqueue-test/messages/${pushes.length}` }));
            return;
          }
          res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 401, status: 'UNAUTHENTICATED' } }));
        })();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const d = await seedDemoTenant(t, 'push-fcm');
      await provider(d, {
        provider: 'fcm', channel: 'push', base_url: base,
        service_account: { type: 'service_account', project_id: 'smartqueue-test', client_email: clientEmail, private_key: pem, token_uri: `${base}/token` },
      });
      const listed = await t.api('GET', `/api/v1/tenants/${d.slug}/notifications/providers/`, { token: d.adminToken });
      expect(JSON.stringify(listed.body)).not.toContain('PRIVATE KEY');
      await t.api('POST', `/api/v1/tenants/${d.slug}/notifications/templates/`, {
        token: d.adminToken, body: { key: 'ticket_created', channel: 'push', language: 'fr', subject: 'Ticket {{ticket_number}}', body: '{{position}} personne(s) avant vous.' },
      });
      const customer = await t.api('POST', `/api/v1/tenants/${d.slug}/customers/`, {
        token: d.adminToken, body: { first_name: 'Ibrahima', last_name: 'Sow', consents: { push: true }, metadata: { push_token: 'fcm-registration-token-1' } },
      });
      const first = await issue(d, { customer: customer.body.id });
      const second = await issue(d, { customer: customer.body.id });
      await until(() => pushes.length === 2, 'two pushes');
      expect(pushes[0]).toEqual({ token: 'fcm-registration-token-1', notification: { title: `Ticket ${first.number}`, body: '1 personne(s) avant vous.' } });
      expect(grants).toEqual(['urn:ietf:params:oauth:grant-type:jwt-bearer']); // the access token is reused
      await until(() => notificationsOf(second.id)[0]?.status === 'sent', 'the second row');
      expect(notificationsOf(second.id)[0]!.provider_id).toBe('projects/smartqueue-test/messages/2');
    } finally {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    }
  });

  it('speaks SendGrid v3 mail/send with a Bearer key, and reports a 5xx as worth retrying', async () => {
    const seen: { auth: string | undefined; body: any }[] = [];
    let status = 202;
    const server = createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString()));
      req.on('end', () => {
        if (req.url !== '/v3/mail/send' || req.method !== 'POST') return res.writeHead(404).end();
        seen.push({ auth: req.headers.authorization, body: JSON.parse(raw) });
        res.writeHead(status, { 'x-message-id': 'sg-msg-1' }).end(status === 202 ? '' : '{"errors":[{"message":"busy"}]}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const adapter = sendgridAdapter({ settings: { from: 'queue@bank.example' }, secrets: { api_key: 'SG.key' }, baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
    try {
      await expect(adapter.send({ channel: 'email', to: 'awa@example.sn', subject: 'Ticket A001', body: 'Bonjour' })).resolves.toEqual({ providerId: 'sg-msg-1' });
      expect(seen[0]).toEqual({
        auth: 'Bearer SG.key',
        body: { personalizations: [{ to: [{ email: 'awa@example.sn' }] }], from: { email: 'queue@bank.example' }, subject: 'Ticket A001', content: [{ type: 'text/plain', value: 'Bonjour' }] },
      });
      status = 503;
      await expect(adapter.send({ channel: 'email', to: 'awa@example.sn', subject: 's', body: 'b' })).rejects.toMatchObject({ retryable: true, unreachable: false });
    } finally {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    }
  });
});
