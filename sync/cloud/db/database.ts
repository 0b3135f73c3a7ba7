import { mkdirSync } from 'node:fs';
import { Kysely, Migrator, PostgresDialect, sql, type Transaction } from 'kysely';
import pg from 'pg';
import type { CloudSchema } from './schema.ts';
import { cloudMigrationProvider } from './migrations/index.ts';

export type CloudTx = Transaction<CloudSchema>;

export type CloudDb = Readonly<{
  kind: 'postgres' | 'pglite';
  /** The owner's handle: migrations, sign-in lookups, enrollment, super-admin work. */
  db: Kysely<CloudSchema>;
  /**
   * Runs `fn` in one transaction as the application role with `app.tenant_id` set, so PostgreSQL's
   * row-level security hides every other tenant's rows whatever the queries say.
   */
  withTenant<T>(tenantId: string, fn: (trx: CloudTx) => Promise<T>): Promise<T>;
  /** One transaction as the owner (no tenant): only for work that spans tenants by nature. */
  withSystem<T>(fn: (trx: CloudTx) => Promise<T>): Promise<T>;
  /**
   * LISTENs on a channel (its own connection on a PostgreSQL server; PGlite delivers in-process);
   * every process sharing the database hears a `pg_notify` on it. Returns the way to stop.
   */
  listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}>;

export type CloudDbOptions = Readonly<{
  /** A PostgreSQL server; when absent, PGlite embedded on disk under `dataDir` (or in memory). */
  databaseUrl?: string | undefined;
  dataDir?: string | undefined;
  poolSize?: number;
}>;

const INT8 = 20;
const NUMERIC = 1700;

export async function openCloudDb(options: CloudDbOptions): Promise<CloudDb> {
  const { kind, dialect, listen } = options.databaseUrl ? postgresDialect(options.databaseUrl, options.poolSize ?? 10) : await pgliteDialect(options.dataDir);
  const db = new Kysely<CloudSchema>({ dialect });
  await migrateCloud(db);
  return {
    kind,
    db,
    withTenant(tenantId, fn) {
      return db.transaction().execute(async (trx) => {
        await sql`SELECT set_config('app.tenant_id', ${tenantId}, true)`.execute(trx);
        await sql`SET LOCAL ROLE sq_app`.execute(trx);
        return fn(trx);
      });
    },
    withSystem(fn) {
      return db.transaction().execute(fn);
    },
    listen,
    close: () => db.destroy(),
  };
}

export async function migrateCloud(db: Kysely<CloudSchema>): Promise<void> {
  const migrator = new Migrator({ db, provider: cloudMigrationProvider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new Error(`Cloud database migration ${failed?.migrationName ?? ''} failed: ${String((error as Error).message ?? error)}`);
  }
}

function postgresDialect(connectionString: string, max: number) {
  const pool = new pg.Pool({
    connectionString,
    max,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8 || oid === NUMERIC ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // An idle connection the server ends (PostgreSQL restarted, an administrator's terminate, a
  // failover) is reported here and dropped by the pool; the next query opens a fresh one. Without a
  // listener the pool's 'error' event is an uncaught exception: the cloud process would die.
  // Errors of queries in flight still reach their callers.
  pool.on('error', () => undefined);
  const listen = async (channel: string, onPayload: (payload: string) => void) => {
    const client = new pg.Client({ connectionString });
    client.on('notification', (message) => {
      if (message.channel === channel) onPayload(message.payload ?? '');
    });
    // A dropped listening connection must not crash the process; the relay's heartbeat notices.
    client.on('error', () => undefined);
    await client.connect();
    await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    return async () => {
      await client.end().catch(() => undefined);
    };
  };
  return { kind: 'postgres' as const, dialect: new PostgresDialect({ pool }), listen };
}

async function pgliteDialect(dataDir: string | undefined) {
  const { PGlite } = await import('@electric-sql/pglite');
  const { pglitePool } = await import('./pglite-pool.ts');
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const lite = new PGlite(dataDir, { parsers: { [INT8]: (v: string) => Number(v), [NUMERIC]: (v: string) => Number(v) } });
  await lite.waitReady;
  const pool = pglitePool(lite);
  const listen = async (channel: string, onPayload: (payload: string) => void) => {
    const stop = await lite.listen(channel, onPayload);
    return async () => {
      if (!lite.closed) await stop();
    };
  };
  return {
    kind: 'pglite' as const,
    listen,
    dialect: new PostgresDialect({
      pool: {
        connect: () => pool.connect(),
        async end() {
          await pool.end();
          await lite.close();
        },
      },
    }),
  };
}
