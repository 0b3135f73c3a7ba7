import { afterEach, describe, expect, it } from 'vitest';
import type { TicketDto } from '../../../branch-server/contract/tickets.contract.ts';
import { uuidv7 } from '../../../branch-server/ids.ts';
import { expectStoreInvariants } from '../../helpers/journal.ts';
import { seedDemoTenant, startTestServer, type DemoTenant, type TestServer } from '../../helpers/server.ts';

let t: TestServer | undefined;

afterEach(async () => {
  if (!t) return;
  try {
    expectStoreInvariants(t.server.deps.db);
  } finally {
    await t.close();
    t = undefined;
  }
});

const seqs = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => `${prefix}${String(i + 1).padStart(3, '0')}`);

/** A fourth queue (prefix D) on the demo site, so the burst spreads over four sequences. */
function addQueueD(server: TestServer, d: DemoTenant): string {
  const id = uuidv7();
  const now = Date.now();
  server.server.deps.db.sqlite.prepare(
    `INSERT INTO queue (id, tenant_id, site_id, service_id, name, prefix, algorithm, created_at, updated_at)
     VALUES (?, ?, ?, ?, 'Dépôt', 'D', 'fifo', ?, ?)`,
  ).run(id, d.tenantId, d.demo.siteId, d.demo.services[0]!.id, now, now);
  return id;
}

describe('ticket numbering', () => {
  it('gives 200 concurrent tickets over 4 queues unique, gap-free numbers per queue', async () => {
    t = await startTestServer();
    const server = t;
    const d = await seedDemoTenant(server);
    const queues = [...d.demo.queues.map((q) => ({ id: q.id, prefix: q.prefix })), { id: addQueueD(server, d), prefix: 'D' }];

    const responses = await Promise.all(Array.from({ length: 200 }, (_, i) =>
      server.api<TicketDto>('POST', `/api/v1/tenants/${d.slug}/tickets/`, {
        token: d.adminToken, body: { queue: queues[i % 4]!.id, channel: 'kiosk' },
      })));

    expect(responses.map((r) => r.status)).toEqual(Array(200).fill(201));
    for (const q of queues) {
      const mine = responses.map((r) => r.body).filter((b) => b.queue === q.id);
      expect(mine.map((b) => b.number).sort()).toEqual(seqs(50, q.prefix));
      // Each ticket was told its true place at issue time: nobody was called, so place = arrival rank.
      expect(mine.map((b) => b.position).sort((a, b) => a! - b!)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    }
    const db = server.server.deps.db.sqlite;
    expect(db.prepare('SELECT count(*) FROM ticket').pluck().get()).toBe(200);
    expect(db.prepare('SELECT queue_id, last_seq FROM queue_counter ORDER BY queue_id').all())
      .toEqual(queues.map((q) => ({ queue_id: q.id, last_seq: 50 })).sort((a, b) => a.queue_id.localeCompare(b.queue_id)));
  });

  it('restarts numbering at local midnight in Dakar', async () => {
    let clock = Date.parse('2025-06-30T23:59:00.000Z'); // Dakar is UTC+0: 23:59 local
    t = await startTestServer({ now: () => clock, accessTokenTtlSeconds: 86_400 });
    const server = t;
    const d = await seedDemoTenant(server);
    const issue = async () => {
      const res = await server.api<TicketDto>('POST', `/api/v1/tenants/${d.slug}/tickets/`, { token: d.adminToken, body: { queue: d.demo.queues[0]!.id } });
      expect(res.status).toBe(201);
      return res.body.number;
    };
    expect([await issue(), await issue()]).toEqual(['A001', 'A002']);
    clock = Date.parse('2025-07-01T00:00:30.000Z');
    expect([await issue(), await issue()]).toEqual(['A001', 'A002']);
    expect(server.server.deps.db.sqlite.prepare('SELECT business_date, number FROM ticket ORDER BY created_at').all()).toEqual([
      { business_date: '2025-06-30', number: 'A001' },
      { business_date: '2025-06-30', number: 'A002' },
      { business_date: '2025-07-01', number: 'A001' },
      { business_date: '2025-07-01', number: 'A002' },
    ]);
  });

  it('follows the site\'s time zone, not UTC: resets at Tokyo midnight and not at UTC midnight', async () => {
    let clock = Date.parse('2025-03-10T14:58:00.000Z'); // Tokyo (UTC+9) 23:58 on 10 March
    t = await startTestServer({ now: () => clock, accessTokenTtlSeconds: 86_400 });
    const server = t;
    const d = await seedDemoTenant(server);
    server.server.deps.db.sqlite.prepare(`UPDATE site SET timezone = 'Asia/Tokyo' WHERE id = ?`).run(d.demo.siteId);
    const issue = async (letter: 'A' | 'B') => {
      const queue = d.demo.queues.find((q) => q.prefix === letter)!.id;
      const res = await server.api<TicketDto>('POST', `/api/v1/tenants/${d.slug}/tickets/`, { token: d.adminToken, body: { queue } });
      expect(res.status).toBe(201);
      return res.body.number;
    };

    expect([await issue('A'), await issue('A'), await issue('B')]).toEqual(['A001', 'A002', 'B001']);
    clock = Date.parse('2025-03-10T15:01:00.000Z'); // Tokyo 00:01 on 11 March: a new business day
    expect([await issue('A'), await issue('B')]).toEqual(['A001', 'B001']);
    clock = Date.parse('2025-03-10T23:59:00.000Z'); // Tokyo 08:59
    expect(await issue('A')).toBe('A002');
    clock = Date.parse('2025-03-11T00:01:00.000Z'); // UTC midnight has passed; Tokyo 09:01, same business day
    expect(await issue('A')).toBe('A003');

    const rows = server.server.deps.db.sqlite.prepare(`SELECT business_date, number FROM ticket WHERE number LIKE 'A%' ORDER BY created_at`).all();
    expect(rows).toEqual([
      { business_date: '2025-03-10', number: 'A001' },
      { business_date: '2025-03-10', number: 'A002' },
      { business_date: '2025-03-11', number: 'A001' },
      { business_date: '2025-03-11', number: 'A002' },
      { business_date: '2025-03-11', number: 'A003' },
    ]);
  });
});
