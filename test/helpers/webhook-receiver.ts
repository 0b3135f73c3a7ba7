import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type ReceivedWebhook = Readonly<{ event: string; delivery: string; body: Record<string, any>; timestamp: number; verified: boolean }>;

/**
 * A webhook receiver as an integrator would write one: checks `X-SmartQueue-Signature`
 * (`t=…,v1=HMAC-SHA256(secret, "t.body")`) against the raw body, answers 401 to a bad signature,
 * 500 while told to fail, 200 otherwise.
 */
export type WebhookReceiver = Readonly<{
  url: string;
  received: ReceivedWebhook[];
  setSecret(secret: string): void;
  failNext(count: number): void;
  close(): Promise<void>;
}>;

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  let secret = '';
  let failures = 0;
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (raw += c));
    req.on('end', () => {
      const header = String(req.headers['x-smartqueue-signature'] ?? '');
      const parts = Object.fromEntries(header.split(',').map((p) => p.split('=') as [string, string]));
      const timestamp = Number(parts['t']);
      const expected = createHmac('sha256', secret).update(`${parts['t']}.${raw}`).digest('hex');
      const given = Buffer.from(parts['v1'] ?? '');
      const verified = given.length === expected.length && timingSafeEqual(given, Buffer.from(expected));
      if (!verified) {
        res.writeHead(401).end('bad signature');
        return;
      }
      if (failures > 0) {
        failures -= 1;
        res.writeHead(500).end('try later');
        return;
      }
      received.push({ event: String(req.headers['x-smartqueue-event']), delivery: String(req.headers['x-smartqueue-delivery']), body: JSON.parse(raw), timestamp, verified });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    received,
    setSecret: (s) => (secret = s),
    failNext: (n) => (failures = n),
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
