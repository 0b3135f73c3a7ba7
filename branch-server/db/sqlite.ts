import Database from 'better-sqlite3';
import {
  DummyDriver,
  Kysely,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type Compilable,
} from 'kysely';
import type { Insertable } from 'kysely';
import type { DB } from './schema.ts';

export type SqliteHandle = Database.Database;

/**
 * Opens the branch database with the durability the product promises: WAL, synchronous=FULL (a ticket
 * that was answered 2xx survives a power cut), foreign keys on. One process owns the file (the server
 * also checkpoints it from a worker thread, `db/checkpointer.ts`).
 */
export function openSqlite(file: string): SqliteHandle {
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('temp_store = MEMORY');
  // 16 MiB of pages: a day of a busy branch fills whatever is given, and 32 MiB measured no faster
  // (issue, call-next over 1M tickets, stats) while it took 17 MiB more of the server's memory.
  sqlite.pragma('cache_size = -16000');
  return sqlite;
}

/**
 * Kysely used as a typed query *builder* only: queries are compiled here and executed synchronously
 * by better-sqlite3 in `Db`. This keeps every transaction a plain synchronous function, so nothing
 * can await the network, a printer or a timer while holding the database.
 */
export const qb = new Kysely<DB>({
  dialect: {
    createAdapter: () => new SqliteAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new SqliteIntrospector(db),
    createQueryCompiler: () => new SqliteQueryCompiler(),
  },
});

type Params = readonly unknown[];

const isThenable = (value: unknown): boolean => typeof (value as { then?: unknown } | null)?.then === 'function';

/** Synchronous executor with a prepared-statement cache keyed by SQL text. */
export class Db {
  readonly sqlite: SqliteHandle;
  readonly #statements = new Map<string, Database.Statement>();
  readonly #tupleStatements = new Map<string, Database.Statement>();
  readonly #inserts = new Map<string, Database.Statement>();
  /** Effects registered during the current transaction, by key (one per key), run once it commits. */
  #afterCommit = new Map<string, () => void>();

  constructor(sqlite: SqliteHandle) {
    this.sqlite = sqlite;
  }

  #prepare(sqlText: string): Database.Statement {
    let statement = this.#statements.get(sqlText);
    if (!statement) {
      statement = this.sqlite.prepare(sqlText);
      this.#statements.set(sqlText, statement);
    }
    return statement;
  }

  all<R>(query: Compilable<R>): R[] {
    const compiled = query.compile();
    return this.#prepare(compiled.sql).all(...(compiled.parameters as Params)) as R[];
  }

  first<R>(query: Compilable<R>): R | undefined {
    const compiled = query.compile();
    return this.#prepare(compiled.sql).get(...(compiled.parameters as Params)) as R | undefined;
  }

  run(query: Compilable<unknown>): number {
    const compiled = query.compile();
    const statement = this.#prepare(compiled.sql);
    if (statement.reader) {
      statement.all(...(compiled.parameters as Params));
      return 0;
    }
    return statement.run(...(compiled.parameters as Params)).changes;
  }

  /** Raw SQL for the few statements Kysely cannot express (pragmas, FTS, upserts with RETURNING). */
  raw<R>(sqlText: string, ...params: unknown[]): R[] {
    return this.#prepare(sqlText).all(...params) as R[];
  }

  /**
   * INSERT of one row, the statement made once per table and column set: for the rows every ticket
   * change writes (ticket, journal, audit, outbox), where building the query each time with Kysely
   * costs more than SQLite's insert. Columns whose value is `undefined` are left out, as Kysely does.
   */
  insert<T extends keyof DB & string>(table: T, row: Insertable<DB[T]>): void {
    const values = row as Record<string, unknown>;
    const columns = Object.keys(values).filter((c) => values[c] !== undefined);
    const key = `${table}(${columns.join(',')})`;
    let statement = this.#inserts.get(key);
    if (!statement) {
      statement = this.sqlite.prepare(`INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
      this.#inserts.set(key, statement);
    }
    // Positional parameters: binding 30 values by name costs about half as much again.
    statement.run(...columns.map((c) => values[c]));
  }

  /**
   * Raw SQL answered as arrays of column values instead of objects: for reads of many rows (the
   * waiting line), where building an object per row costs about as much as the query itself.
   */
  tuples<R extends readonly unknown[]>(sqlText: string, ...params: unknown[]): R[] {
    let statement = this.#tupleStatements.get(sqlText);
    if (!statement) {
      statement = this.sqlite.prepare(sqlText).raw(true);
      this.#tupleStatements.set(sqlText, statement);
    }
    return statement.all(...params) as R[];
  }

  /**
   * **Important**: `fn` is synchronous by type. Side effects (broadcast, print, notify, sync nudge)
   * belong after this returns, never inside. BEGIN IMMEDIATE takes the write lock up front.
   */
  tx<T>(fn: () => T): T {
    if (this.sqlite.inTransaction) return fn();
    // Prepared once (better-sqlite3's transaction() builds four wrapper functions on every call,
    // a cost paid per ticket in a rush). If the COMMIT itself fails, the transaction is rolled back.
    const control = this.#control();
    let result: T;
    try {
      result = this.#bracket(control.begin, control.commit, () => control.rollback.run(), fn);
    } catch (error) {
      this.#afterCommit.clear();
      throw error;
    }
    this.#runAfterCommit();
    return result;
  }

  /** Runs `open`, `fn`, then `close`; if any of it throws while a transaction is open, `undo`. */
  #bracket<T>(open: Database.Statement, close: Database.Statement, undo: () => void, fn: () => T): T {
    open.run();
    try {
      const result = fn();
      if (isThenable(result)) throw new TypeError('A transaction function cannot return a promise.');
      close.run();
      return result;
    } catch (error) {
      if (this.sqlite.inTransaction) undo();
      throw error;
    }
  }

  #controlStatements: Readonly<Record<'begin' | 'commit' | 'rollback' | 'savepoint' | 'release' | 'rollbackTo', Database.Statement>> | null = null;

  #control() {
    return this.#controlStatements ??= {
      begin: this.sqlite.prepare('BEGIN IMMEDIATE'),
      commit: this.sqlite.prepare('COMMIT'),
      rollback: this.sqlite.prepare('ROLLBACK'),
      savepoint: this.sqlite.prepare('SAVEPOINT sq_savepoint'),
      release: this.sqlite.prepare('RELEASE sq_savepoint'),
      rollbackTo: this.sqlite.prepare('ROLLBACK TO sq_savepoint'),
    };
  }

  /**
   * Runs `fn` once the current transaction has committed (at once outside a transaction); dropped if
   * it rolls back. Registrations with the same key in one transaction run once. For wake-ups such as
   * the sync nudge: an effect that must not run for a change that never happened.
   */
  afterCommit(key: string, fn: () => void): void {
    if (!this.sqlite.inTransaction) {
      fn();
      return;
    }
    if (!this.#afterCommit.has(key)) this.#afterCommit.set(key, fn);
  }

  #reportFailure: (message: string, error: unknown) => void = (message, error) => console.error(message, error);

  /** Where a failing after-commit effect is reported: the server's logger once it exists (stderr before). */
  reportFailuresTo(report: (message: string, error: unknown) => void): void {
    this.#reportFailure = report;
  }

  #runAfterCommit(): void {
    if (this.#afterCommit.size === 0) return;
    const effects = [...this.#afterCommit.values()];
    this.#afterCommit.clear();
    for (const effect of effects) {
      try {
        effect();
      } catch (error) {
        // A failing effect must never undo or block a committed change.
        this.#reportFailure('after-commit effect failed', error);
      }
    }
  }

  /**
   * Runs `fn` in a savepoint of the current transaction: if it throws, its own writes are undone and
   * the rest of the transaction stands (one bad request in a group commit fails alone).
   */
  savepoint<T>(fn: () => T): T {
    if (!this.sqlite.inTransaction) return this.tx(fn);
    const control = this.#control();
    // Undo this savepoint's writes only, then end it: the transaction around it goes on.
    return this.#bracket(control.savepoint, control.release, () => {
      control.rollbackTo.run();
      control.release.run();
    }, fn);
  }

  close(): void {
    this.#statements.clear();
    if (this.sqlite.open) this.sqlite.close();
  }
}
