import { qb, type Db } from '../db/sqlite.ts';

const DAY = 86_400_000;

/**
 * Deletes each tenant's notifications and webhook deliveries older than its retention period
 * (`tenant.data_retention_days`), along with the finished jobs that sent them. Returns how many
 * rows went. Deliveries still pending are kept whatever their age.
 */
export function purgeExpiredNotifications(db: Db, now: number): { notifications: number; deliveries: number; jobs: number } {
  return db.tx(() => {
    let notifications = 0;
    let deliveries = 0;
    for (const tenant of db.all(qb.selectFrom('tenant').select(['id', 'data_retention_days']))) {
      const cutoff = now - Math.max(1, tenant.data_retention_days) * DAY;
      notifications += db.run(qb.deleteFrom('notification').where('tenant_id', '=', tenant.id).where('created_at', '<', cutoff).where('status', '!=', 'pending'));
      deliveries += db.run(qb.deleteFrom('webhook_delivery').where('tenant_id', '=', tenant.id).where('created_at', '<', cutoff).where('status', '!=', 'pending'));
    }
    // Finished jobs of these kinds are only a trace; a week of them is plenty.
    const jobs = db.run(qb.deleteFrom('job').where('type', 'in', ['notification.send', 'webhook.deliver', RETENTION_JOB])
      .where('status', 'in', ['done', 'failed']).where('updated_at', '<', now - 7 * DAY));
    return { notifications, deliveries, jobs };
  });
}

export const RETENTION_JOB = 'notification.retention';
export const RETENTION_EVERY_MS = 6 * 3600_000;
