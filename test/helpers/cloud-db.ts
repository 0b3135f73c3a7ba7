import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openCloudDb, type CloudDb } from '../../sync/cloud/db/database.ts';

export type TestCloudDb = CloudDb & Readonly<{
  /** The connection string of this test's own database (PostgreSQL server only). */
  url: string | null;
  drop(): Promise<void>;
}>;

/**
 * A fresh cloud database per test file: its own database on the PostgreSQL server when DATABASE_URL
 * is set (CI), otherwise an in-memory PGlite.
 */
export async function openTestCloudDb(): Promise<TestCloudDb> {
  const serverUrl = process.env['DATABASE_URL'];
  if (!serverUrl) {
    const db = await openCloudDb({});
    return { ...db, url: null, drop: () => db.close() };
  }
  const name = `sq_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(serverUrl, `CREATE DATABASE ${name}`);
  const url = withDatabase(serverUrl, name);
  const db = await openCloudDb({ databaseUrl: url, poolSize: 4 });
  return {
    ...db,
    url,
    async drop() {
      await db.close();
      await adminQuery(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function adminQuery(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}
