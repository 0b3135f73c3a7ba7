import { qb, type Db } from '../db/sqlite.ts';
import type { NotificationRow } from '../db/tables/notification.table.ts';
import { localTime } from '../domain/appointment-slots.ts';
import { minutesUntilQuietEnds, staleReason } from '../domain/notification-rules.ts';
import { ProviderError } from '../notifications/adapters/adapter.ts';
import type { SecretBox } from '../notifications/secret-box.ts';
import { adapterFor, providersForChannel, type AdapterOptions } from '../use-cases/notification-providers.ts';
import { notificationRules, quietHoursOf } from '../use-cases/notification-settings.ts';
import type { SendPayload } from '../use-cases/plan-notifications.ts';
import type { ClaimedJob, JobHandler, JobOutcome } from './runner.ts';

export type SendDeps = Readonly<{
  db: Db;
  now: () => number;
  box: SecretBox;
  /** Base URL providers call back on (status callbacks); null: none is sent. */
  callbackBase: () => string | null;
  adapters?: Partial<AdapterOptions>;
  /** Told of each message that ends `failed` (the `sq_notification_failures_total` counter). */
  onFailed?: (channel: string) => void;
}>;

/** Backoff of message retries: 5 s, 10 s, 20 s … capped at 5 min (a "your turn" SMS is soon stale anyway). */
export function messageRetryDelay(attempt: number): number {
  return Math.min(300_000, 5000 * 2 ** (attempt - 1));
}

/**
 * Sends one queued message. Before each attempt: dropped if it went stale (the ticket moved on,
 * the appointment started), held back during the site's quiet hours. Then the channel's providers
 * in order: an SMS whose internet provider cannot be reached (or fails) goes out through the GSM
 * modem at once. Provider errors worth retrying are retried with backoff until the attempts run
 * out; the message then records `failed` with the provider's error.
 */
export function createSendNotificationHandler(deps: SendDeps): JobHandler {
  const { db, now, box } = deps;
  const update = (id: string, set: Partial<Omit<NotificationRow, 'id'>>) => {
    db.run(qb.updateTable('notification').set({ ...set, updated_at: now() }).where('id', '=', id));
  };
  return async (job: ClaimedJob): Promise<JobOutcome> => {
    const payload = job.payload as SendPayload;
    const n = db.first(qb.selectFrom('notification').selectAll().where('id', '=', payload.notificationId));
    if (!n || n.status !== 'pending') return { kind: 'done' };

    const rules = notificationRules(db, n.tenant_id);
    const ticket = n.ticket_id ? db.first(qb.selectFrom('ticket').select(['status', 'recall_count', 'ended_at']).where('id', '=', n.ticket_id)) : undefined;
    const appointment = n.appointment_id ? db.first(qb.selectFrom('appointment').select(['status', 'starts_at']).where('id', '=', n.appointment_id)) : undefined;
    const stale = staleReason(payload.expect, {
      ticket: ticket ? { status: ticket.status, recallCount: ticket.recall_count, endedAt: ticket.ended_at } : null,
      appointment: appointment ? { status: appointment.status, startsAt: appointment.starts_at } : null,
    }, n.created_at, now(), rules.staleAfterMs);
    if (stale) {
      update(n.id, { status: 'dropped', last_error: stale });
      return { kind: 'done' };
    }

    if (payload.siteId) {
      const site = db.first(qb.selectFrom('site').select('timezone').where('id', '=', payload.siteId));
      const local = site ? localTime(now(), site.timezone) : null;
      const wait = local ? minutesUntilQuietEnds(local.minuteOfDay, quietHoursOf(db, payload.siteId)) : 0;
      if (wait > 0 && local) {
        update(n.id, { last_error: 'held: quiet hours' });
        return { kind: 'wait', reason: 'quiet hours', delayMs: wait * 60_000 - local.secondMs };
      }
    }

    const providers = providersForChannel(db, n.tenant_id, n.channel);
    if (providers.length === 0) {
      update(n.id, { status: 'failed', attempts: job.attempts, last_error: `no active ${n.channel} provider` });
      deps.onFailed?.(n.channel);
      return { kind: 'fail', error: 'no provider' };
    }
    const errors: string[] = [];
    let retryable = false;
    for (const [i, row] of providers.entries()) {
      // The modem is the fallback: it is tried after an internet provider only when that one failed in a way a retry could fix.
      if (i > 0 && row.provider === 'gsm_modem' && !retryable) break;
      if (i > 0 && row.provider !== 'gsm_modem') continue;
      try {
        const adapter = adapterFor(row, box, { now, ...deps.adapters });
        const base = deps.callbackBase();
        const result = await adapter.send({
          channel: n.channel, to: n.recipient, subject: n.subject, body: n.body,
          statusCallbackUrl: row.provider === 'twilio' && base ? `${base}/api/v1/notifications/callbacks/twilio/${row.id}/` : undefined,
        });
        // A status callback may already have moved the row on (it can beat this update): only pending rows become sent.
        db.run(qb.updateTable('notification').set({
          status: 'sent', provider: row.provider, provider_id: result.providerId, attempts: job.attempts, sent_at: now(),
          last_error: errors.length > 0 ? `sent by ${row.provider} after: ${errors.join('; ')}`.slice(0, 1000) : '', updated_at: now(),
        }).where('id', '=', n.id).where('status', '=', 'pending'));
        return { kind: 'done' };
      } catch (error) {
        const e = error instanceof ProviderError ? error : new ProviderError(error instanceof Error ? error.message : String(error), { retryable: true });
        errors.push(e.message);
        retryable = e.retryable;
      }
    }
    const message = errors.join('; ').slice(0, 1000);
    if (!retryable || job.attempts >= job.maxAttempts) {
      update(n.id, { status: 'failed', attempts: job.attempts, last_error: message });
      deps.onFailed?.(n.channel);
      return { kind: 'fail', error: message };
    }
    update(n.id, { attempts: job.attempts, last_error: message });
    return { kind: 'retry', error: message, delayMs: messageRetryDelay(job.attempts) };
  };
}
