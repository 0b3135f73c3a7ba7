import express, { type Express, type Request, type Response } from 'express';
import { qb } from '../db/sqlite.ts';
import { validTwilioSignature } from '../notifications/twilio-signature.ts';
import { secretBoxFor } from '../notifications/secret-box.ts';
import { twilioAuthToken } from '../use-cases/notification-providers.ts';
import type { AppDeps } from './context.ts';

export const TWILIO_CALLBACK_PATH = '/api/v1/notifications/callbacks/twilio/:providerId/';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Twilio's message status callbacks (form-encoded, so outside the JSON contract pipeline). The
 * provider account in the URL names the auth token the `X-Twilio-Signature` must be made with; an
 * unsigned or wrongly signed request changes nothing (403). `delivered` marks the message delivered;
 * `undelivered` and `failed` mark it failed with Twilio's error code. Other statuses (queued, sent)
 * change nothing: the row is already `sent`.
 */
export function mountTwilioCallbacks(app: Express, deps: AppDeps): void {
  app.post(TWILIO_CALLBACK_PATH, express.urlencoded({ extended: false, limit: '20kb', parameterLimit: 100 }), (req: Request, res: Response) => {
    const providerId = String(req.params['providerId'] ?? '');
    if (!UUID.test(providerId)) {
      res.status(404).json({ detail: 'Not found.', code: 'not-found' });
      return;
    }
    const provider = deps.db.first(qb.selectFrom('notification_provider').selectAll().where('id', '=', providerId));
    const token = provider ? twilioAuthToken(provider, secretBoxFor(deps.config.dataDir)) : null;
    const params = (req.body && typeof req.body === 'object' ? req.body : {}) as Record<string, string | string[]>;
    const base = deps.config.publicUrl ?? `${req.protocol}://${req.get('host') ?? 'localhost'}`;
    const signature = req.get('x-twilio-signature') ?? '';
    if (!provider || !token || !validTwilioSignature(token, `${base}${req.originalUrl}`, params, signature)) {
      res.status(403).json({ detail: 'Invalid Twilio signature.', code: 'forbidden' });
      return;
    }
    const sid = typeof params['MessageSid'] === 'string' ? params['MessageSid'] : '';
    const status = typeof params['MessageStatus'] === 'string' ? params['MessageStatus'] : '';
    const now = deps.now();
    const row = () => qb.updateTable('notification').where('tenant_id', '=', provider.tenant_id).where('provider', '=', 'twilio').where('provider_id', '=', sid);
    if (sid && status === 'delivered') {
      deps.db.run(row().set({ status: 'delivered', delivered_at: now, updated_at: now }).where('status', 'in', ['pending', 'sent']));
    } else if (sid && (status === 'undelivered' || status === 'failed')) {
      const code = typeof params['ErrorCode'] === 'string' ? ` (error ${params['ErrorCode']})` : '';
      // Twilio carries SMS and WhatsApp: the counter is labelled with the message's own channel.
      const failing = deps.db.all(qb.selectFrom('notification').select('channel').where('tenant_id', '=', provider.tenant_id)
        .where('provider', '=', 'twilio').where('provider_id', '=', sid).where('status', 'in', ['pending', 'sent']));
      deps.db.run(row().set({ status: 'failed', last_error: `Twilio: ${status}${code}`, updated_at: now }).where('status', 'in', ['pending', 'sent']));
      for (const { channel } of failing) deps.metrics.notificationFailures.inc({ channel });
    }
    res.status(204).end();
  });
}
