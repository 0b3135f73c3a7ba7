import { sql, type Kysely } from 'kysely';

// Frozen: never import application code here.

const NIL = `'00000000-0000-0000-0000-000000000000'::uuid`;
const HOURS = Array.from({ length: 24 }, (_, h) => `a${String(h).padStart(2, '0')}`);
/** Wait histogram: 30-second buckets; the last one holds every wait of two hours or more. */
const BUCKET_MS = 30_000;
const LAST_BUCKET = 239;

/**
 * One ticket's contribution to the rollups, signed (+1 for a row as it is now, -1 for the row it
 * replaced). Its day and hour are the site's local ones; SLA is the service's at the time the row
 * arrived. `src` is the ticket table or a trigger's transition table.
 */
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

const MEASURES = ['arrivals', 'called', 'served', 'no_show', 'sla_met', 'wait_ms', 'service_ms', 'service_n'];

const MONTH = "date_trunc('month', day)::date";
const AGENT_MEASURES = ['called', 'served', 'no_show', 'sla_met', 'wait_ms', 'service_ms', 'service_n'];

/** Histogram rows of a table keyed by `day` (a day, or the first day of its month). */
function histInto(table: string, day: string): string {
  return `INSERT INTO ${table} AS h (tenant_id, site_id, queue_id, channel, day, bucket, n)
      SELECT tenant_id, site_id, queue_id, channel, ${day}, bucket, sum(sign) FROM f WHERE bucket IS NOT NULL
      GROUP BY tenant_id, site_id, queue_id, channel, ${day}, bucket HAVING sum(sign) <> 0
      ON CONFLICT (tenant_id, site_id, queue_id, channel, day, bucket) DO UPDATE SET n = h.n + excluded.n`;
}

function agentInto(table: string, day: string): string {
  return `INSERT INTO ${table} AS a (tenant_id, site_id, agent_id, queue_id, channel, day, ${AGENT_MEASURES.join(', ')})
      SELECT tenant_id, site_id, agent_id, queue_id, channel, ${day}, ${AGENT_MEASURES.map((m) => `sum(${m})`).join(', ')}
      FROM f WHERE agent_id <> ${NIL} GROUP BY tenant_id, site_id, agent_id, queue_id, channel, ${day}
      ON CONFLICT (tenant_id, site_id, agent_id, queue_id, channel, day) DO UPDATE SET
        ${AGENT_MEASURES.map((c) => `${c} = a.${c} + excluded.${c}`).join(', ')}`;
}

/**
 * One statement: the facts are computed once (a materialized CTE over the changed rows) and feed
 * every rollup through data-modifying CTEs.
 */
function applyTicketFacts(facts: string): string[] {
  const hourSums = HOURS.map((_col, h) => `sum(CASE WHEN hour = ${h} THEN arrivals ELSE 0 END)`).join(', ');
  const add = (table: string, cols: readonly string[]) => cols.map((c) => `${c} = ${table}.${c} + excluded.${c}`).join(', ');
  return [`WITH f AS MATERIALIZED (${facts}),
    daily AS (INSERT INTO hq_ticket_daily AS d (tenant_id, site_id, queue_id, channel, day, ${MEASURES.join(', ')}, ${HOURS.join(', ')})
      SELECT tenant_id, site_id, queue_id, channel, day, ${MEASURES.map((m) => `sum(${m})`).join(', ')}, ${hourSums}
      FROM f GROUP BY tenant_id, site_id, queue_id, channel, day
      ON CONFLICT (tenant_id, site_id, queue_id, channel, day) DO UPDATE SET ${add('d', [...MEASURES, ...HOURS])}),
    hist AS (${histInto('hq_wait_hist', 'day')}),
    hist_month AS (${histInto('hq_wait_hist_month', MONTH)}),
    agent AS (${agentInto('hq_agent_daily', 'day')})
    ${agentInto('hq_agent_month', MONTH)}`];
}

/** A feedback's contribution: its ticket's queue and channel when the ticket is already here. */
function feedbackFacts(src: string, sign: number): string {
  return `SELECT f.tenant_id, f.site_id, coalesce(t.queue_id, ${NIL}) AS queue_id, coalesce(t.channel, '') AS channel,
      (to_timestamp(f.created_at / 1000.0) AT TIME ZONE coalesce(si.timezone, 'UTC'))::date AS day,
      ${sign} AS responses,
      ${sign} * (f.csat IS NOT NULL)::int AS csat_n, ${sign} * coalesce(f.csat, 0) AS csat_sum,
      ${sign} * (f.nps IS NOT NULL)::int AS nps_n,
      ${sign} * (f.nps >= 9)::int AS promoters, ${sign} * (f.nps <= 6)::int AS detractors
    FROM ${src} f
    LEFT JOIN site si ON si.id = f.site_id
    LEFT JOIN ticket t ON t.id = f.ticket_id`;
}

const FEEDBACK_MEASURES = ['responses', 'csat_n', 'csat_sum', 'nps_n', 'promoters', 'detractors'];

function applyFeedbackFacts(facts: string): string[] {
  return [`
    INSERT INTO hq_feedback_daily AS d (tenant_id, site_id, queue_id, channel, day, ${FEEDBACK_MEASURES.join(', ')})
      SELECT tenant_id, site_id, queue_id, channel, day, ${FEEDBACK_MEASURES.map((m) => `coalesce(sum(${m}), 0)`).join(', ')}
      FROM (${facts}) x GROUP BY tenant_id, site_id, queue_id, channel, day
      ON CONFLICT (tenant_id, site_id, queue_id, channel, day) DO UPDATE SET
        ${FEEDBACK_MEASURES.map((c) => `${c} = d.${c} + excluded.${c}`).join(', ')}`];
}

/** Statements as the body of a PL/pgSQL block. */
const block = (statements: readonly string[]) => statements.map((s) => `${s};`).join('\n');

const ROLLUPS = ['hq_ticket_daily', 'hq_wait_hist', 'hq_wait_hist_month', 'hq_agent_daily', 'hq_agent_month', 'hq_feedback_daily'];

/**
 * HQ analytics read rollups, not tickets: per site, queue, channel and local day (arrivals by hour,
 * called, served, no-shows, SLA met, wait and service time sums), a 30-second wait histogram for
 * median and p90, per agent, and feedback. Statement-level triggers keep them exact as rows arrive
 * (inserted, replaced by a later version, or deleted by retention) in the same transaction as the
 * push that wrote them, so a report over millions of tickets sums thousands of rows.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const key = `tenant_id uuid NOT NULL REFERENCES tenant(id), site_id uuid NOT NULL, queue_id uuid NOT NULL, channel text NOT NULL, day date NOT NULL`;
  await sql.raw(`CREATE TABLE hq_ticket_daily (
    ${key},
    arrivals integer NOT NULL DEFAULT 0, called integer NOT NULL DEFAULT 0, served integer NOT NULL DEFAULT 0,
    no_show integer NOT NULL DEFAULT 0, sla_met integer NOT NULL DEFAULT 0,
    wait_ms bigint NOT NULL DEFAULT 0, service_ms bigint NOT NULL DEFAULT 0, service_n integer NOT NULL DEFAULT 0,
    ${HOURS.map((c) => `${c} integer NOT NULL DEFAULT 0`).join(', ')},
    PRIMARY KEY (tenant_id, site_id, queue_id, channel, day)
  )`).execute(db);
  await sql`CREATE INDEX hq_ticket_daily_tenant_day ON hq_ticket_daily (tenant_id, day)`.execute(db);

  // The same histogram per day and per month (day = the month's first day): a long period reads
  // whole months from the second and only its partial months' days from the first.
  for (const table of ['hq_wait_hist', 'hq_wait_hist_month']) {
    await sql.raw(`CREATE TABLE ${table} (
      ${key}, bucket smallint NOT NULL, n integer NOT NULL,
      PRIMARY KEY (tenant_id, site_id, queue_id, channel, day, bucket)
    )`).execute(db);
    await sql.raw(`CREATE INDEX ${table}_tenant_day ON ${table} (tenant_id, day) INCLUDE (site_id, queue_id, channel, bucket, n)`).execute(db);
  }

  for (const table of ['hq_agent_daily', 'hq_agent_month']) {
    await sql.raw(`CREATE TABLE ${table} (
      tenant_id uuid NOT NULL REFERENCES tenant(id), site_id uuid NOT NULL, agent_id uuid NOT NULL, queue_id uuid NOT NULL,
      channel text NOT NULL, day date NOT NULL,
      called integer NOT NULL DEFAULT 0, served integer NOT NULL DEFAULT 0, no_show integer NOT NULL DEFAULT 0,
      sla_met integer NOT NULL DEFAULT 0, wait_ms bigint NOT NULL DEFAULT 0, service_ms bigint NOT NULL DEFAULT 0,
      service_n integer NOT NULL DEFAULT 0,
      PRIMARY KEY (tenant_id, site_id, agent_id, queue_id, channel, day)
    )`).execute(db);
    await sql.raw(`CREATE INDEX ${table}_tenant_day ON ${table} (tenant_id, day)`).execute(db);
    await sql.raw(`CREATE INDEX ${table}_tenant_agent_day ON ${table} (tenant_id, agent_id, day)`).execute(db);
  }

  await sql.raw(`CREATE TABLE hq_feedback_daily (
    ${key},
    responses integer NOT NULL DEFAULT 0, csat_n integer NOT NULL DEFAULT 0, csat_sum integer NOT NULL DEFAULT 0,
    nps_n integer NOT NULL DEFAULT 0, promoters integer NOT NULL DEFAULT 0, detractors integer NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, site_id, queue_id, channel, day)
  )`).execute(db);
  await sql`CREATE INDEX hq_feedback_daily_tenant_day ON hq_feedback_daily (tenant_id, day)`.execute(db);
  // Live branch pages and the agent filter read tickets by these.
  await sql`CREATE INDEX ticket_tenant_agent_created ON ticket (tenant_id, agent_id, created_at) WHERE agent_id IS NOT NULL`.execute(db);

  const current = `nullif(current_setting('app.tenant_id', true), '')::uuid`;
  for (const table of ROLLUPS) {
    await sql.raw(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${table} TO sq_app`).execute(db);
    await sql.raw(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`).execute(db);
    await sql.raw(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`).execute(db);
    await sql.raw(`CREATE POLICY tenant_isolation ON ${table} USING (tenant_id = ${current}) WITH CHECK (tenant_id = ${current})`).execute(db);
    await sql.raw(`CREATE POLICY owner_all ON ${table} TO CURRENT_USER USING (${current} IS NULL) WITH CHECK (${current} IS NULL)`).execute(db);
  }

  await sql.raw(`CREATE FUNCTION hq_rollup_ticket() RETURNS trigger LANGUAGE plpgsql AS $fn$
    BEGIN
      IF TG_OP = 'INSERT' THEN
        ${block(applyTicketFacts(ticketFacts('new_rows', 1)))}
      ELSIF TG_OP = 'UPDATE' THEN
        ${block(applyTicketFacts(`${ticketFacts('new_rows', 1)} UNION ALL ${ticketFacts('old_rows', -1)}`))}
      ELSE
        ${block(applyTicketFacts(ticketFacts('old_rows', -1)))}
      END IF;
      RETURN NULL;
    END $fn$`).execute(db);
  await sql`CREATE TRIGGER hq_rollup_ticket_insert AFTER INSERT ON ticket REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION hq_rollup_ticket()`.execute(db);
  await sql`CREATE TRIGGER hq_rollup_ticket_update AFTER UPDATE ON ticket REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION hq_rollup_ticket()`.execute(db);
  await sql`CREATE TRIGGER hq_rollup_ticket_delete AFTER DELETE ON ticket REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION hq_rollup_ticket()`.execute(db);

  await sql.raw(`CREATE FUNCTION hq_rollup_feedback() RETURNS trigger LANGUAGE plpgsql AS $fn$
    BEGIN
      IF TG_OP = 'INSERT' THEN
        ${block(applyFeedbackFacts(feedbackFacts('new_rows', 1)))}
      ELSIF TG_OP = 'UPDATE' THEN
        ${block(applyFeedbackFacts(`${feedbackFacts('new_rows', 1)} UNION ALL ${feedbackFacts('old_rows', -1)}`))}
      ELSE
        ${block(applyFeedbackFacts(feedbackFacts('old_rows', -1)))}
      END IF;
      RETURN NULL;
    END $fn$`).execute(db);
  await sql`CREATE TRIGGER hq_rollup_feedback_insert AFTER INSERT ON feedback REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION hq_rollup_feedback()`.execute(db);
  await sql`CREATE TRIGGER hq_rollup_feedback_update AFTER UPDATE ON feedback REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION hq_rollup_feedback()`.execute(db);
  await sql`CREATE TRIGGER hq_rollup_feedback_delete AFTER DELETE ON feedback REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION hq_rollup_feedback()`.execute(db);

  // Rows already uploaded.
  for (const statement of [...applyTicketFacts(ticketFacts('ticket', 1)), ...applyFeedbackFacts(feedbackFacts('feedback', 1))]) {
    await sql.raw(statement).execute(db);
  }
}
