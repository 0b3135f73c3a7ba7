import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestCloudDb, type TestCloudDb } from '../../helpers/cloud-db.ts';

/**
 * PostgreSQL may end the cloud's idle connections at any time: a restart, a failover, an
 * administrator's pg_terminate_backend. The cloud must neither die of it nor fail the next request.
 * (Seen in CI: dropping a test database WITH (FORCE) ended a pool's idle connections, and the pool's
 * unhandled 'error' event failed the run.) Server only: PGlite has no connections to end.
 */
const serverUrl = process.env['DATABASE_URL'];

describe.runIf(serverUrl)('the cloud database when PostgreSQL ends its idle connections', () => {
  let db: TestCloudDb;
  beforeAll(async () => {
    db = await openTestCloudDb();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('keeps running and answers the next query on a fresh connection', async () => {
    // Several idle connections in the pool.
    await Promise.all(Array.from({ length: 3 }, () => db.withSystem((trx) => trx.selectFrom('tenant').select('id').execute())));
    const database = new URL(db.url!).pathname.slice(1);
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    try {
      const ended = await admin.query(`SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [database]);
      expect(ended.rows.length).toBeGreaterThan(0);
    } finally {
      await admin.end();
    }
    await new Promise((r) => setTimeout(r, 300));
    const count = await db.withSystem((trx) => trx.selectFrom('tenant').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow());
    expect(Number(count.n)).toBe(0);
  });
});
