import { sql, type Kysely } from 'kysely';

// Frozen: never import application code here.

const NIL = `'00000000-0000-0000-0000-000000000000'::uuid`;
const HOURS = Array.from({ length: 24 }, (_, h) => `a${String(h).padStart(2, '0')}`);
const BUCKET_MS = 30_000;
const LAST_BUCKET = 239;
const MEASURES = ['arrivals', 'called', 'served', 'no_show', 'sla_met', 'wait_ms', 'service_ms', 'service_n'];
const AGENT_MEASURES = ['called', 'served', 'no_show', 'sla_met', 'wait_ms', 'service_ms', 'service_n'];
const MONTH = "date_trunc('month', day)::date";

/** As in 0100: one ticket's signed contribution, on the site's local day and hour. */
function ticketFacts(src: string, sign: number): string {
  const local = `(to_timestamp(t.created_at / 1000.0) AT TIME ZONE coalesce(si.timezone, 'UTC'))`;
  const wait = 'greatest(t.called_at - t.created_at, 0)';
  return `SELECT t.tenant_id, t.site_id, t.queue_id, t.channel, coalesce(t.agent_id, ${NIL}) AS agent_id,
      ${local}::date AS day, extract(hour FROM ${local})::int AS hour,
      ${sign} AS arrivals,
      ${sign} * (t.called_at IS NOT NULL)::int AS called,
      ${sign} * (t.status = 'clos')::int AS served,
      ${sign} * (t.status = 'no_show')::int AS no_show,
      ${sign} * (t.called_at IS NOT NULL AND ${wait} <= coalesce(s.sla_seconds, 0) * 1000)::int AS sla_met,
      ${sign} * coalesce(${wait}, 0) AS wait_ms,
      ${sign} * CASE WHEN t.status = 'clos' AND t.started_at IS NOT NULL AND t.ended_at IS NOT NULL
        THEN greatest(t.ended_at - t.started_at, 0) ELSE 0 END AS service_ms,
      ${sign} * (t.status = 'clos' AND t.started_at IS NOT NULL AND t.ended_at IS NOT NULL)::int AS service_n,
      CASE WHEN t.called_at IS NOT NULL THEN least(${wait} / ${BUCKET_MS}, ${LAST_BUCKET})::smallint END AS bucket,
      ${sign} AS sign
    FROM ${src} t
    LEFT JOIN site si ON si.id = t.site_id
    LEFT JOIN queue q ON q.id = t.queue_id
    LEFT JOIN service s ON s.id = q.service_id`;
}

const sums = (cols: readonly string[]) => cols.map((m) => `sum(${m})`).join(', ');
const add = (alias: string, cols: readonly string[]) => cols.map((c) => `${c} = ${alias}.${c} + excluded.${c}`).join(', ');
const hourSums = HOURS.map((_col, h) => `sum(CASE WHEN hour = ${h} THEN arrivals ELSE 0 END)`).join(', ');

/** Histogram rows of a table keyed by `keys` and `day` (a day, or the first day of its month). */
function histInto(table: string, keys: string, day: string): string {
  return `INSERT INTO ${table} AS h (${keys}, day, bucket, n)
      SELECT ${keys}, ${day}, bucket, sum(sign) FROM f WHERE bucket IS NOT NULL
      GROUP BY ${keys}, ${day}, bucket HAVING sum(sign) <> 0
      ON CONFLICT (${keys}, day, bucket) DO UPDATE SET n = h.n + excluded.n`;
}

function agentInto(table: string, day: string): string {
  return `INSERT INTO ${table} AS a (tenant_id, site_id, agent_id, queue_id, channel, day, ${AGENT_MEASURES.join(', ')})
      SELECT tenant_id, site_id, agent_id, queue_id, channel, ${day}, ${sums(AGENT_MEASURES)}
      FROM f WHERE agent_id <> ${NIL} GROUP BY tenant_id, site_id, agent_id, queue_id, channel, ${day}
      ON CONFLICT (tenant_id, site_id, agent_id, queue_id, channel, day) DO UPDATE SET ${add('a', AGENT_MEASURES)}`;
}

const QUEUE_KEYS = 'tenant_id, site_id, queue_id, channel';
const SITE_KEYS = 'tenant_id, site_id';

/** 0100's statement plus the rollups of this migration, each fed by the same materialized facts. */
function applyTicketFacts(facts: string): string {
  return `WITH f AS MATERIALIZED (${facts}),
    daily AS (INSERT INTO hq_ticket_daily AS d (${QUEUE_KEYS}, day, ${MEASURES.join(', ')}, ${HOURS.join(', ')})
      SELECT ${QUEUE_KEYS}, day, ${sums(MEASURES)}, ${hourSums}
      FROM f GROUP BY ${QUEUE_KEYS}, day
      ON CONFLICT (${QUEUE_KEYS}, day) DO UPDATE SET ${add('d', [...MEASURES, ...HOURS])}),
    month AS (INSERT INTO hq_ticket_month AS d (${QUEUE_KEYS}, day, ${MEASURES.join(', ')})
      SELECT ${QUEUE_KEYS}, ${MONTH}, ${sums(MEASURES)}
      FROM f GROUP BY ${QUEUE_KEYS}, ${MONTH}
      ON CONFLICT (${QUEUE_KEYS}, day) DO UPDATE SET ${add('d', MEASURES)}),
    site_daily AS (INSERT INTO hq_site_daily AS d (${SITE_KEYS}, day, ${MEASURES.join(', ')}, ${HOURS.join(', ')})
      SELECT ${SITE_KEYS}, day, ${sums(MEASURES)}, ${hourSums}
      FROM f GROUP BY ${SITE_KEYS}, day
      ON CONFLICT (${SITE_KEYS}, day) DO UPDATE SET ${add('d', [...MEASURES, ...HOURS])}),
    hist AS (${histInto('hq_wait_hist', QUEUE_KEYS, 'day')}),
    hist_month AS (${histInto('hq_wait_hist_month', QUEUE_KEYS, MONTH)}),
    site_hist AS (${histInto('hq_site_hist', SITE_KEYS, 'day')}),
    site_hist_month AS (${histInto('hq_site_hist_month', SITE_KEYS, MONTH)}),
    agent AS (${agentInto('hq_agent_daily', 'day')})
    ${agentInto('hq_agent_month', MONTH)}`;
}

const NEW_ROLLUPS = ['hq_ticket_month', 'hq_site_daily', 'hq_site_hist', 'hq_site_hist_month'];

/**
 * Rollups for the reports HQ asks most (every branch, or one, over months): per site and local day
 * (hq_site_daily: what hq_ticket_daily holds, summed over queues and channels, 15 times fewer rows
 * for totals, the daily trend, the branch comparison and the heatmap), per queue, channel and month
 * (hq_ticket_month: the service and channel breakdowns over whole months) and the wait histogram per
 * site, by day and by month. The ticket trigger's function now feeds them in the same statement as
 * the others; rows already here are summed from 0100's rollups, which hold the same facts.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const ref = 'tenant_id uuid NOT NULL REFERENCES tenant(id)';
  await sql.raw(`CREATE TABLE hq_ticket_month (
    ${ref}, site_id uuid NOT NULL, queue_id uuid NOT NULL, channel text NOT NULL, day date NOT NULL,
    arrivals integer NOT NULL DEFAULT 0, called integer NOT NULL DEFAULT 0, served integer NOT NULL DEFAULT 0,
    no_show integer NOT NULL DEFAULT 0, sla_met integer NOT NULL DEFAULT 0,
    wait_ms bigint NOT NULL DEFAULT 0, service_ms bigint NOT NULL DEFAULT 0, service_n integer NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, site_id, queue_id, channel, day)
  )`).execute(db);
  await sql`CREATE INDEX hq_ticket_month_tenant_day ON hq_ticket_month (tenant_id, day)`.execute(db);
  await sql.raw(`CREATE TABLE hq_site_daily (
    ${ref}, site_id uuid NOT NULL, day date NOT NULL,
    arrivals integer NOT NULL DEFAULT 0, called integer NOT NULL DEFAULT 0, served integer NOT NULL DEFAULT 0,
    no_show integer NOT NULL DEFAULT 0, sla_met integer NOT NULL DEFAULT 0,
    wait_ms bigint NOT NULL DEFAULT 0, service_ms bigint NOT NULL DEFAULT 0, service_n integer NOT NULL DEFAULT 0,
    ${HOURS.map((c) => `${c} integer NOT NULL DEFAULT 0`).join(', ')},
    PRIMARY KEY (tenant_id, site_id, day)
  )`).execute(db);
  await sql`CREATE INDEX hq_site_daily_tenant_day ON hq_site_daily (tenant_id, day)`.execute(db);
  for (const table of ['hq_site_hist', 'hq_site_hist_month']) {
    await sql.raw(`CREATE TABLE ${table} (
      ${ref}, site_id uuid NOT NULL, day date NOT NULL, bucket smallint NOT NULL, n integer NOT NULL,
      PRIMARY KEY (tenant_id, site_id, day, bucket)
    )`).execute(db);
    await sql.raw(`CREATE INDEX ${table}_tenant_day ON ${table} (tenant_id, day) INCLUDE (site_id, bucket, n)`).execute(db);
  }

  const current = `nullif(current_setting('app.tenant_id', true), '')::uuid`;
  for (const table of NEW_ROLLUPS) {
    await sql.raw(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${table} TO sq_app`).execute(db);
    await sql.raw(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`).execute(db);
    await sql.raw(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`).execute(db);
    await sql.raw(`CREATE POLICY tenant_isolation ON ${table} USING (tenant_id = ${current}) WITH CHECK (tenant_id = ${current})`).execute(db);
    await sql.raw(`CREATE POLICY owner_all ON ${table} TO CURRENT_USER USING (${current} IS NULL) WITH CHECK (${current} IS NULL)`).execute(db);
  }

  // Rows already rolled up (in the migration's transaction: no ticket arrives in between).
  await sql.raw(`INSERT INTO hq_ticket_month (${QUEUE_KEYS}, day, ${MEASURES.join(', ')})
    SELECT ${QUEUE_KEYS}, ${MONTH}, ${sums(MEASURES)} FROM hq_ticket_daily GROUP BY ${QUEUE_KEYS}, ${MONTH}`).execute(db);
  await sql.raw(`INSERT INTO hq_site_daily (${SITE_KEYS}, day, ${MEASURES.join(', ')}, ${HOURS.join(', ')})
    SELECT ${SITE_KEYS}, day, ${sums([...MEASURES, ...HOURS])} FROM hq_ticket_daily GROUP BY ${SITE_KEYS}, day`).execute(db);
  for (const [target, source] of [['hq_site_hist', 'hq_wait_hist'], ['hq_site_hist_month', 'hq_wait_hist_month']] as const) {
    await sql.raw(`INSERT INTO ${target} (${SITE_KEYS}, day, bucket, n)
      SELECT ${SITE_KEYS}, day, bucket, sum(n) FROM ${source} GROUP BY ${SITE_KEYS}, day, bucket HAVING sum(n) <> 0`).execute(db);
  }

  await sql.raw(`CREATE OR REPLACE FUNCTION hq_rollup_ticket() RETURNS trigger LANGUAGE plpgsql AS $fn$
    BEGIN
      IF TG_OP = 'INSERT' THEN
        ${applyTicketFacts(ticketFacts('new_rows', 1))};
      ELSIF TG_OP = 'UPDATE' THEN
        ${applyTicketFacts(`${ticketFacts('new_rows', 1)} UNION ALL ${ticketFacts('old_rows', -1)}`)};
      ELSE
        ${applyTicketFacts(ticketFacts('old_rows', -1))};
      END IF;
      RETURN NULL;
    END $fn$`).execute(db);
}
