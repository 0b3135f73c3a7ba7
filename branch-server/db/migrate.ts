import { Kysely, Migrator, SqliteDialect, type MigrationProvider } from 'kysely';
import { MIGRATIONS } from './migrations/index.ts';
import type { SqliteHandle } from './sqlite.ts';

export class MigrationError extends Error {
  override readonly name = 'MigrationError';
}

const provider: MigrationProvider = { getMigrations: async () => ({ ...MIGRATIONS }) };

/**
 * Migrates forward to the latest registered migration. Refuses (with a clear error) a database that
 * holds a migration this build does not know: it was written by a newer version of the app.
 */
export async function migrateToLatest(sqlite: SqliteHandle): Promise<readonly string[]> {
  // The Kysely instance shares the connection; it must not close it.
  const kysely = new Kysely<unknown>({
    dialect: new SqliteDialect({ database: { ...wrapNoClose(sqlite) } }),
  });
  const migrator = new Migrator({ db: kysely, provider });
  const { error, results } = await migrator.migrateToLatest();
  await kysely.destroy();
  if (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/previously executed migration .* is missing/i.test(message)) {
      throw new MigrationError(
        `This database was written by a newer version of SmartQueue Branch (${message}). ` +
          'Install that version or restore a backup taken with this one.',
      );
    }
    throw new MigrationError(`Database migration failed: ${message}`);
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

function wrapNoClose(sqlite: SqliteHandle) {
  return {
    close: () => undefined,
    prepare: (sqlText: string) => sqlite.prepare(sqlText),
  };
}
