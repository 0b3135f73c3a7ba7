import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type TwilioMessage = Readonly<{ sid: string; to: string; from: string; body: string; statusCallback: string | null }>;

/**
 * A Twilio-shaped REST server: `POST /2010-04-01/Accounts/{AccountSid}/Messages.json`, form-encoded,
 * HTTP Basic auth with the account SID and auth token, answering 201 with a message resource (or
 * Twilio's JSON error shape). `failNext(n, status)` makes the next requests fail; `close()` makes it
 * unreachable. `report(sid, status)` posts a status callback signed as Twilio signs them.
 */
export type FakeTwilio = Readonly<{
  url: string;
  messages: TwilioMessage[];
  /** Requests refused (bad auth, missing fields), with the reason. */
  refused: string[];
  requests: number;
  failNext(count: number, status?: number): void;
  report(sid: string, status: 'delivered' | 'undelivered' | 'failed' | 'sent', options?: Readonly<{ signWith?: string }>): Promise<number>;
  close(): Promise<void>;
}>;

/** Twilio's algorithm, written out here independently of the server's code: URL + sorted name/value pairs, HMAC-SHA1, base64. */
function sign(token: string, url: string, params: Record<string, string>): string {
  const data = url + Object.keys(params).sort().map((k) => k + params[k]).join('');
  return createHmac('sha1', token).update(data).digest('base64');
}

export async function startFakeTwilio(accountSid: string, authToken: string): Promise<FakeTwilio> {
  const messages: TwilioMessage[] = [];
  const refused: string[] = [];
  let failures: { count: number; status: number } = { count: 0, status: 503 };
  let requests = 0;
  const reply = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (raw += c));
    req.on('end', () => {
      requests += 1;
      const path = `/2010-04-01/Accounts/${accountSid}/Messages.json`;
      if (req.method !== 'POST' || req.url !== path) return reply(res, 404, { code: 20404, message: 'The requested resource was not found', status: 404 });
      const expected = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`;
      if (req.headers.authorization !== expected) {
        refused.push('authentication');
        return reply(res, 401, { code: 20003, message: 'Authenticate', status: 401 });
      }
      if (!String(req.headers['content-type']).startsWith('application/x-www-form-urlencoded')) {
        refused.push('content-type');
        return reply(res, 400, { code: 21609, message: 'Expected a form-encoded body', status: 400 });
      }
      const form = new URLSearchParams(raw);
      for (const field of ['To', 'From', 'Body']) {
        if (!form.get(field)) {
          refused.push(`missing ${field}`);
          return reply(res, 400, { code: 21604, message: `A '${field}' parameter is required.`, status: 400 });
        }
      }
      if (failures.count > 0) {
        failures = { ...failures, count: failures.count - 1 };
        return reply(res, failures.status, { code: 20500, message: 'Internal Server Error', status: failures.status });
      }
      const sid = `SM${Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('hex')}`;
      messages.push({ sid, to: form.get('To')!, from: form.get('From')!, body: form.get('Body')!, statusCallback: form.get('StatusCallback') });
      reply(res, 201, { sid, account_sid: accountSid, to: form.get('To'), from: form.get('From'), body: form.get('Body'), status: 'queued', num_segments: '1' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    messages,
    refused,
    get requests() {
      return requests;
    },
    failNext(count, status = 503) {
      failures = { count, status };
    },
    async report(sid, status, options = {}) {
      const message = messages.find((m) => m.sid === sid);
      if (!message?.statusCallback) throw new Error(`no status callback for ${sid}`);
      const params: Record<string, string> = { AccountSid: accountSid, MessageSid: sid, MessageStatus: status, SmsSid: sid, SmsStatus: status, To: message.to, From: message.from, ApiVersion: '2010-04-01' };
      if (status === 'undelivered' || status === 'failed') params['ErrorCode'] = '30003';
      const res = await fetch(message.statusCallback, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': sign(options.signWith ?? authToken, message.statusCallback, params), 'user-agent': 'TwilioProxy/1.1' },
        body: new URLSearchParams(params).toString(),
      });
      await res.arrayBuffer();
      return res.status;
    },
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
