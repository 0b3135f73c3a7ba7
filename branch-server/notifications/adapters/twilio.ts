import { z } from 'zod';
import { httpFailure, post, HTTP_TIMEOUT_MS, type ChannelAdapter, type OutgoingMessage, type SendResult } from './adapter.ts';

export const TwilioSettings = z.object({ account_sid: z.string(), from: z.string() });
export const TwilioSecrets = z.object({ auth_token: z.string() });
export const TWILIO_API = 'https://api.twilio.com';

/**
 * Twilio Programmable Messaging: `POST /2010-04-01/Accounts/{sid}/Messages.json`, form-encoded,
 * HTTP Basic auth (account SID : auth token); WhatsApp numbers are prefixed `whatsapp:`.
 * The answer's `sid` is the provider id that status callbacks name.
 */
export function twilioAdapter(config: Readonly<{
  settings: z.infer<typeof TwilioSettings>; secrets: z.infer<typeof TwilioSecrets>; baseUrl: string | null;
}>): ChannelAdapter {
  const { settings, secrets } = config;
  const base = (config.baseUrl ?? TWILIO_API).replace(/\/+$/, '');
  return {
    kind: 'twilio',
    async send(message: OutgoingMessage): Promise<SendResult> {
      const address = (n: string) => (message.channel === 'whatsapp' && !n.startsWith('whatsapp:') ? `whatsapp:${n}` : n);
      const form = new URLSearchParams({ To: address(message.to), From: address(settings.from), Body: message.body });
      if (message.statusCallbackUrl) form.set('StatusCallback', message.statusCallbackUrl);
      const res = await post('Twilio', `${base}/2010-04-01/Accounts/${encodeURIComponent(settings.account_sid)}/Messages.json`, {
        headers: {
          authorization: `Basic ${Buffer.from(`${settings.account_sid}:${secrets.auth_token}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: form.toString(),
      }, HTTP_TIMEOUT_MS);
      const text = await res.text();
      let json: { sid?: unknown; message?: unknown; code?: unknown } = {};
      try {
        json = JSON.parse(text) as typeof json;
      } catch {
        // an HTML error page from a proxy: reported as text below
      }
      if (!res.ok) throw httpFailure('Twilio', res.status, typeof json.message === 'string' ? `${json.message} (code ${String(json.code)})` : text.slice(0, 200));
      if (typeof json.sid !== 'string') throw httpFailure('Twilio', res.status, 'no message sid in the answer');
      return { providerId: json.sid };
    },
  };
}
