import { qb, type Db } from '../db/sqlite.ts';
import type { SecretBox } from '../notifications/secret-box.ts';
import { signWebhook } from '../use-cases/webhooks.ts';
import type { ClaimedJob, JobHandler, JobOutcome } from './runner.ts';

export type WebhookDeliveryDeps = Readonly<{ db: Db; now: () => number; box: SecretBox; timeoutMs?: number }>;

/** Backoff of webhook retries: 10 s, 20 s, 40 s … capped at an hour; 10 attempts span about 3 hours. */
export function webhookRetryDelay(attempt: number): number {
  return Math.min(3_600_000, 10_000 * 2 ** (attempt - 1));
}

/**
 * POSTs one logged delivery, signed (`X-SmartQueue-Signature`), and records the answer. A 2xx is
 * delivered; anything else (no answer, 5xx, a 4xx from a receiver that is misconfigured for now) is
 * retried with backoff, so events queued while the receiver or the internet is down arrive later;
 * 410 Gone stops at once.
 */
export function createDeliverWebhookHandler(deps: WebhookDeliveryDeps): JobHandler {
  const { db, now, box } = deps;
  return async (job: ClaimedJob): Promise<JobOutcome> => {
    const { deliveryId } = job.payload as { deliveryId: string };
    const delivery = db.first(qb.selectFrom('webhook_delivery').selectAll().where('id', '=', deliveryId));
    if (!delivery) return { kind: 'done' };
    const sub = db.first(qb.selectFrom('webhook_subscription').selectAll().where('id', '=', delivery.subscription_id));
    if (!sub) return { kind: 'done' };
    const attempts = delivery.attempts + 1;
    const record = (set: Readonly<{ status: 'pending' | 'delivered' | 'failed'; response_status: number | null; last_error: string }>) => {
      db.run(qb.updateTable('webhook_delivery').set({
        ...set, attempts, updated_at: now(), ...(set.status === 'delivered' ? { delivered_at: now() } : {}),
      }).where('id', '=', delivery.id));
    };
    const timestamp = Math.floor(now() / 1000);
    let status: number | null = null;
    let error = '';
    try {
      const res = await fetch(sub.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'SmartQueue-Webhooks/1',
          'x-smartqueue-event': delivery.event,
          'x-smartqueue-delivery': delivery.id,
          'x-smartqueue-signature': signWebhook(box.open(sub.secret, sub.id), timestamp, delivery.payload),
        },
        body: delivery.payload,
        redirect: 'manual',
        signal: AbortSignal.timeout(deps.timeoutMs ?? 10_000),
      });
      status = res.status;
      const text = await res.text().catch(() => '');
      if (res.ok) {
        record({ status: 'delivered', response_status: status, last_error: '' });
        return { kind: 'done' };
      }
      error = `HTTP ${status}${text ? `: ${text.slice(0, 200)}` : ''}`;
    } catch (e) {
      const cause = e instanceof Error && e.cause instanceof Error ? e.cause.message : '';
      error = `no answer: ${cause || (e instanceof Error ? e.message : String(e))}`;
    }
    if (status === 410 || job.attempts >= job.maxAttempts) {
      record({ status: 'failed', response_status: status, last_error: error });
      return { kind: 'fail', error };
    }
    record({ status: 'pending', response_status: status, last_error: error });
    return { kind: 'retry', error, delayMs: webhookRetryDelay(job.attempts) };
  };
}
