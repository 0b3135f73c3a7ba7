import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest } from '../../../branch-server/db/migrate.ts';
import { Db, openSqlite } from '../../../branch-server/db/sqlite.ts';
import { heldTickets, loadWaiting, newcomerPosition, waitingSummary } from '../../../branch-server/db/repositories/tickets.repository.ts';
import { DEFAULT_POLICY_CONFIG } from '../../../branch-server/domain/queue-policies.ts';
import type { QueueId } from '../../../branch-server/domain/ids.ts';

/** Captures the SQL a repository function runs (as objects or as tuples), then asks SQLite how it would execute it. */
function plansOf(db: Db, run: () => void): string[] {
  const seen: { sql: string; params: unknown[] }[] = [];
  const raw = db.raw.bind(db);
  const tuples = db.tuples.bind(db);
  db.raw = ((sqlText: string, ...params: unknown[]) => {
    seen.push({ sql: sqlText, params });
    return raw(sqlText, ...params);
  }) as Db['raw'];
  db.tuples = ((sqlText: string, ...params: unknown[]) => {
    seen.push({ sql: sqlText, params });
    return tuples(sqlText, ...params);
  }) as Db['tuples'];
  try {
    run();
  } finally {
    db.raw = raw;
    db.tuples = tuples;
  }
  return seen.flatMap(({ sql, params }) =>
    (db.sqlite.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail));
}

describe('live-ticket queries', () => {
  let dir: string;
  let db: Db;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sq-plans-'));
    const sqlite = openSqlite(join(dir, 'branch.sqlite'));
    await migrateToLatest(sqlite);
    db = new Db(sqlite);
  });
  afterAll(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    ['the tickets an agent holds (call-next guard, agents list)', () => heldTickets(db, 't', 'a'), 'ticket_agent_active'],
  ])('reads %s through its partial index, never the ticket history', (_label, run, index) => {
    const plan = plansOf(db, run);
    expect(plan.length).toBeGreaterThan(0);
    expect(plan.join('\n')).toContain(index);
    expect(plan.some((line) => /^SCAN ticket\b/.test(line))).toBe(false);
  });

  // Read on every issuance, call, ETA push and display update, with ~900 waiting per queue in a rush:
  // a ticket row fetched per waiting ticket would make each of them cost as much as the line is long.
  const queue = { id: 'q' as QueueId, algorithm: 'priority' as const, slaSeconds: 600, weight: 1, status: 'open' as const };
  it.each([
    ['the waiting summary of a queue (stats, kiosk tiles, capacity)', () => waitingSummary(db, 'q', 0)],
    ['the waiting line with its public ids and numbers (ETA pushes)', () => loadWaiting(db, ['q'], new Map())],
    ['the waiting line of call-next and of the ETA refresh', () => loadWaiting(db, ['q', 'r'])],
    ['the place of a newly issued priority ticket', () => newcomerPosition(db, queue, { id: 'new', priority: 3 }, DEFAULT_POLICY_CONFIG, 0)],
  ])('reads %s from the waiting-line index alone, never a ticket row', (_label, run) => {
    const plan = plansOf(db, run);
    expect(plan.length).toBeGreaterThan(0);
    expect(plan.every((line) => /^SEARCH ticket USING COVERING INDEX ticket_waiting_line\b/.test(line)), plan.join('\n')).toBe(true);
  });

  it('places a kiosk ticket without reading the line: the walk-ins counted by trigger, the due appointments from their own index', () => {
    const plan = plansOf(db, () => newcomerPosition(db, queue, { id: 'new', priority: 0 }, DEFAULT_POLICY_CONFIG, 0));
    expect(plan.filter((line) => /^(SEARCH|SCAN) /.test(line) && line !== 'SCAN CONSTANT ROW')).toEqual([
      'SEARCH queue_waiting USING PRIMARY KEY (queue_id=?)',
      'SEARCH ticket USING COVERING INDEX ticket_waiting_appointments (queue_id=? AND appointment_at>? AND appointment_at<?)',
      'SEARCH ticket USING INDEX sqlite_autoindex_ticket_1 (id=?)',
    ]);
  });
});
