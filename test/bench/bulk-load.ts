import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';

export type HistoryTarget = Readonly<{
  tenantId: string;
  siteId: string;
  queues: readonly { id: string; prefix: string }[];
  agents: readonly { userId: string; counter: string }[];
}>;

/** Tickets per business day across the three demo queues: 1,000,000 tickets ≈ 3 years of a busy branch. */
export const TICKETS_PER_DAY = 900;
const DAY = 86_400_000;
const CHANNELS = ['kiosk', 'kiosk', 'kiosk', 'web', 'app', 'qr'] as const;
const BATCH = 50_000;

/**
 * Writes closed historical tickets straight into SQLite (no API, no events): ticket `i` of the
 * history is deterministic in its day, queue and number, so loading [0, 1000) and then [1000, 1e6)
 * gives the same database as loading [0, 1e6) at once. Ticket 0 is yesterday's last; each earlier
 * business day holds TICKETS_PER_DAY tickets from 08:00 to 17:00 (UTC = Africa/Dakar). The server
 * must be stopped: the loader owns the file while it runs.
 */
export function bulkLoadHistory(file: string, target: HistoryTarget, from: number, count: number, now = Date.now()): { ms: number; cpuMs: number; perSecond: number } {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const sqlite = new Database(file);
  try {
    // Loader settings only (the server reopens with its own durable pragmas): no journal, no fsync,
    // and the secondary indexes rebuilt once at the end (a sort) instead of updated row by row.
    sqlite.pragma('journal_mode = OFF');
    sqlite.pragma('synchronous = OFF');
    sqlite.pragma('foreign_keys = OFF');
    sqlite.pragma('cache_size = -400000');
    sqlite.pragma('temp_store = MEMORY');
    const indexes = sqlite.prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'ticket' AND sql IS NOT NULL`).all() as { name: string; sql: string }[];
    for (const index of indexes) sqlite.exec(`DROP INDEX ${index.name}`);
    const insert = sqlite.prepare(`INSERT INTO ticket (
      id, tenant_id, site_id, queue_id, public_id, number, seq, business_date, customer_id, customer_name, customer_phone,
      channel, priority, status, eta_seconds, eta_p90_seconds, agent_id, counter_label, recall_count, transferred_from,
      appointment_id, appointment_at, created_at, called_at, started_at, ended_at, updated_at
    ) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, '', '', ?, ?, 'clos', ?, ?, ?, ?, 0, NULL, NULL, NULL, ?, ?, ?, ?, ?)`);
    const today = Math.floor(now / DAY) * DAY;
    const queueCount = target.queues.length;
    const dates = new Map<number, string>();

    const insertRange = sqlite.transaction((start: number, end: number) => {
      // One buffer of randomness per batch: 16 bytes of id + 16 of public id + 8 for the timings.
      const random = randomBytes((end - start) * 40);
      let r = 0;
      for (let i = start; i < end; i += 1) {
        const dayIndex = 1 + Math.floor(i / TICKETS_PER_DAY);
        const j = TICKETS_PER_DAY - 1 - (i % TICKETS_PER_DAY); // ticket 0 is the day's last
        const dayStart = today - dayIndex * DAY;
        let date = dates.get(dayIndex);
        if (date === undefined) {
          date = new Date(dayStart).toISOString().slice(0, 10);
          dates.set(dayIndex, date);
        }
        const q = j % queueCount;
        const queue = target.queues[q]!;
        const agent = target.agents[q % target.agents.length]!;
        const seq = Math.floor(j / queueCount) + 1;
        const o = r + 32;
        const created = dayStart + 8 * 3_600_000 + Math.floor((j * 9 * 3_600_000) / TICKETS_PER_DAY) + random[o]! * 117;
        const wait = 60_000 + random[o + 1]! * 6_000; // 1 to 26 min
        const walk = 15_000 + random[o + 2]! * 300;
        const service = 120_000 + random[o + 3]! * 3_000; // 2 to 15 min
        const called = created + wait;
        const startedAt = called + walk;
        const ended = startedAt + service;
        insert.run(
          uuidv7At(created, random, r),
          target.tenantId, target.siteId, queue.id,
          random.toString('base64url', r + 16, r + 32),
          seq < 1000 ? `${queue.prefix}${String(seq).padStart(3, '0')}` : `${queue.prefix}${seq}`, seq,
          date,
          CHANNELS[random[o + 4]! % CHANNELS.length]!, random[o + 5]! < 13 ? 1 : 0,
          Math.max(0, Math.round(wait / 1000) + random[o + 6]! - 128), Math.round(wait / 1000) + 300 + random[o + 7]!,
          agent.userId, agent.counter,
          created, called, startedAt, ended, ended,
        );
        r += 40;
      }
    });
    for (let start = from; start < from + count; start += BATCH) insertRange(start, Math.min(from + count, start + BATCH));
    for (const index of indexes) sqlite.exec(index.sql);
    sqlite.pragma('journal_mode = WAL');
  } finally {
    sqlite.close();
  }
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return { ms, cpuMs: (used.user + used.system) / 1000, perSecond: (count / ms) * 1000 };
}

/** UUIDv7 for a past instant (the app's generator is monotonic per process, so it cannot go back in time). */
function uuidv7At(ms: number, random: Buffer, offset: number): string {
  const b = Buffer.from(random.subarray(offset, offset + 16));
  b.writeUIntBE(ms, 0, 6);
  b[6] = 0x70 | ((b[6] ?? 0) & 0x0f);
  b[8] = 0x80 | ((b[8] ?? 0) & 0x3f);
  const hex = b.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
