import { sql, type Kysely } from 'kysely';

// Frozen: never import application code here.

/**
 * Reports filtered by a service (its queues), a queue or a queue and a channel read their rollup rows
 * by these instead of every row of the period (the tenant-and-day indexes): a year over one service's
 * kiosk tickets reads a fifteenth of the rows. The histograms' carry what their sums need.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE INDEX hq_ticket_daily_tenant_queue ON hq_ticket_daily (tenant_id, queue_id, channel, day)`.execute(db);
  for (const table of ['hq_wait_hist', 'hq_wait_hist_month']) {
    await sql.raw(`CREATE INDEX ${table}_tenant_queue ON ${table} (tenant_id, queue_id, channel, day) INCLUDE (site_id, bucket, n)`).execute(db);
  }
  for (const table of ['hq_agent_daily', 'hq_agent_month']) {
    await sql.raw(`CREATE INDEX ${table}_tenant_queue ON ${table} (tenant_id, queue_id, channel, day)`).execute(db);
  }
}
