import { z } from 'zod';
import { httpFailure, post, HTTP_TIMEOUT_MS, type ChannelAdapter, type OutgoingMessage, type SendResult } from './adapter.ts';

export const SendgridSettings = z.object({ from: z.string(), from_name: z.string().optional() });
export const SendgridSecrets = z.object({ api_key: z.string() });
export const SENDGRID_API = 'https://api.sendgrid.com';

/** SendGrid v3 Mail Send: `POST /v3/mail/send` with a Bearer API key; 202 and the id in `X-Message-Id`. */
export function sendgridAdapter(config: Readonly<{
  settings: z.infer<typeof SendgridSettings>; secrets: z.infer<typeof SendgridSecrets>; baseUrl: string | null;
}>): ChannelAdapter {
  const base = (config.baseUrl ?? SENDGRID_API).replace(/\/+$/, '');
  return {
    kind: 'sendgrid',
    async send(message: OutgoingMessage): Promise<SendResult> {
      const res = await post('SendGrid', `${base}/v3/mail/send`, {
        headers: { authorization: `Bearer ${config.secrets.api_key}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          personalizations: [{ to: [{ email: message.to }] }],
          from: { email: config.settings.from, ...(config.settings.from_name ? { name: config.settings.from_name } : {}) },
          subject: message.subject,
          content: [{ type: 'text/plain', value: message.body }],
        }),
      }, HTTP_TIMEOUT_MS);
      if (!res.ok) throw httpFailure('SendGrid', res.status, (await res.text()).slice(0, 300));
      await res.arrayBuffer();
      return { providerId: res.headers.get('x-message-id') ?? '' };
    },
  };
}
