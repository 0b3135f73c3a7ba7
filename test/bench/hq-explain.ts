import pg from 'pg';
import { Kysely, PostgresDialect, sql, type CompiledQuery } from 'kysely';
import type { CloudDb } from '../../sync/cloud/db/database.ts';
import type { CloudDeps } from '../../sync/cloud/http/context.ts';
import { analytics } from '../../sync/cloud/use-cases/hq-analytics.ts';
import { round, wallNow } from './lib.ts';

/**
 * `npm run bench:hq:explain -- <database url>`: on a database kept by `BENCH_KEEP=1 npm run bench:hq`,
 * runs the bench's three analytics reports once each, then every statement they issued again under
 * EXPLAIN (ANALYZE, BUFFERS), as the tenant's role, and prints the plans and each statement's time.
 */

const url = process.argv[2] ?? process.env['HQ_EXPLAIN_URL'];
if (!url) throw new Error('usage: hq-explain.ts <postgres url of a kept bench database>');

const captured: CompiledQuery[] = [];
const pool = new pg.Pool({ connectionString: url, max: 1 });
const db = new Kysely<any>({ dialect: new PostgresDialect({ pool }), log: (event) => { if (event.level === 'query') captured.push(event.query); } });
const cloud: CloudDb = {
  kind: 'postgres',
  db,
  withTenant: (tenantId, fn) => db.transaction().execute(async (trx) => {
    await sql`SELECT set_config('app.tenant_id', ${tenantId}, true)`.execute(trx);
    await sql`SET LOCAL ROLE sq_app`.execute(trx);
    return fn(trx);
  }),
  withSystem: (fn) => db.transaction().execute(fn),
  listen: () => Promise.reject(new Error('hq-explain does not listen')),
  close: () => db.destroy(),
};
const deps = { cloud, now: () => Date.now() } as unknown as CloudDeps;

const tenant = (await sql<{ id: string }>`SELECT id FROM tenant WHERE slug = 'bench-bank'`.execute(db)).rows[0]!.id;
const site = (await sql<{ id: string }>`SELECT id FROM site WHERE slug = 'agence-4'`.execute(db)).rows[0]!.id;
const service = (await sql<{ id: string }>`SELECT id FROM service WHERE name = 'Crédits'`.execute(db)).rows[0]!.id;
const now = Date.now();
const start = Date.UTC(new Date(now).getUTCFullYear(), new Date(now).getUTCMonth(), new Date(now).getUTCDate()) - 365 * 86_400_000;
const from = new Date(start).toISOString().slice(0, 10);
const to = new Date(now - 86_400_000).toISOString().slice(0, 10);
const only = process.env['HQ_EXPLAIN_ONLY'];
const reports: [string, Record<string, string>][] = [
  ['year', { from, to }],
  ['year × site', { from, to, site }],
  ['year × service × kiosk', { from, to, service, channel: 'kiosk' }],
];

for (const [name, query] of reports) {
  if (only && !name.startsWith(only)) continue;
  await analytics(deps, tenant, query as never, now); // warm
  captured.length = 0;
  const began = wallNow();
  await analytics(deps, tenant, query as never, now);
  console.log(`\n##### ${name}: ${round(wallNow() - began, 1)} ms for the whole use-case`);
  const statements = captured.filter((q) => /^\s*(SELECT|WITH)/i.test(q.sql) && !q.sql.includes('set_config'));
  for (const q of statements) {
    const plan = await db.transaction().execute(async (trx) => {
      await sql`SELECT set_config('app.tenant_id', ${tenant}, true)`.execute(trx);
      await sql`SET LOCAL ROLE sq_app`.execute(trx);
      const text = `EXPLAIN (ANALYZE, BUFFERS) ${q.sql}`;
      return (await trx.executeQuery({ ...q, sql: text, query: q.query } as CompiledQuery)).rows as { 'QUERY PLAN': string }[];
    });
    const lines = plan.map((r) => r['QUERY PLAN']);
    const total = lines.filter((l) => /^(Planning|Execution) Time|JIT|Timing:/.test(l.trim())).join(' | ');
    console.log(`\n--- ${q.sql.replace(/\s+/g, ' ').slice(0, 110)}…\n    ${total}`);
    if (process.env['HQ_EXPLAIN_PLANS'] !== '0') console.log(lines.join('\n'));
  }
}
await db.destroy();
